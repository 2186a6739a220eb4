package dev.parley.bench;

import dev.parley.contract.Contract;

/** The smallest useful request/response contract: what {@link PipelineBenchmark} calls. */
@Contract(name = "echo", version = "1.0")
public interface Echo {

    Pong ping(Ping request);

    /** The request: two small fields. */
    record Ping(String id, long seq) {}

    /** The reply. */
    record Pong(String id, long seq) {}
}
