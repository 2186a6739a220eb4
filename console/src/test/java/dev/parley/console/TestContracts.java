package dev.parley.console;

import dev.parley.contract.Contract;
import dev.parley.contract.Event;

/** Small contracts the console's tests call through real Parley runtimes. */
public final class TestContracts {

    private TestContracts() {}

    public record FareRequest(String from, String to) {}

    public record Fare(long cents) {}

    public record Charge(String tripId, long cents) {}

    public record Receipt(String id) {}

    public record TripCreated(String tripId) {}

    @Contract(name = "pricing", version = "1.2")
    public interface Pricing {
        Fare quote(FareRequest request);
    }

    @Contract(name = "payments", version = "2.0")
    public interface Payments {
        Receipt charge(Charge charge);
    }

    @Contract(name = "trip-events", version = "1.0")
    public interface TripEvents {
        @Event
        void tripCreated(TripCreated event);
    }
}
