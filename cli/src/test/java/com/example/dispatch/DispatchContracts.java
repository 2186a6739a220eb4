package com.example.dispatch;

import dev.parley.contract.Contract;
import dev.parley.contract.OneWay;

/** Releases of a "dispatch" contract for the command line tests, plus one misdeclared contract. */
public final class DispatchContracts {

    private DispatchContracts() {}

    public record JobId(String id) {}

    public record Job(String id, String address) {}

    /** Release 1.0. */
    @Contract(name = "dispatch", version = "1.0")
    public interface DispatchV1_0 {
        Job get(JobId id);

        Job cancel(JobId id);
    }

    /** Release 1.1: adds {@code remind}, compatible with 1.0. */
    @Contract(name = "dispatch", version = "1.1")
    public interface DispatchV1_1 {
        Job get(JobId id);

        Job cancel(JobId id);

        @OneWay
        void remind(JobId id);
    }

    /** Release 1.2: drops {@code cancel}, which breaks 1.1. */
    @Contract(name = "dispatch", version = "1.2")
    public interface DispatchV1_2 {
        Job get(JobId id);

        @OneWay
        void remind(JobId id);
    }

    /** Another contract, to describe several at once. */
    @Contract(name = "routing", version = "3.0")
    public interface Routing {
        Job route(JobId id);
    }

    /** Not a valid contract: a one-way method that returns a value. */
    @Contract(name = "broken", version = "1.0")
    public interface Broken {
        @OneWay
        Job fire(JobId id);
    }
}
