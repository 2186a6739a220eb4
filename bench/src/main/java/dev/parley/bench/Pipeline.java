package dev.parley.bench;

import dev.parley.ClientOptions;
import dev.parley.HandlerExecution;
import dev.parley.Parley;
import dev.parley.codec.Codec;
import dev.parley.transport.InProcessTransport;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * One client/server pair over an in-process transport, in one of the configurations that
 * {@link PipelineBenchmark} compares. Every configuration uses the runtime's default
 * {@link ClientOptions}: a deadline (10 s), a bulkhead and a circuit breaker per target, all
 * enabled; {@link #open} checks that, so a changed default cannot silently make the benchmark
 * measure less than it claims.
 */
public final class Pipeline implements AutoCloseable {

    /** The configurations compared. */
    public enum Config {
        /** Out of the box: JSON encoded both ways, handler on a virtual thread. */
        DEFAULT(false, HandlerExecution.VIRTUAL_THREAD),
        /** Messages passed by reference (no codec), handler on the caller's thread (no hand-off). */
        DIRECT_BY_REFERENCE(true, HandlerExecution.DIRECT),
        /** JSON encoded both ways, handler on the caller's thread (no hand-off). */
        DIRECT_JSON(false, HandlerExecution.DIRECT);

        final boolean passByReference;
        final HandlerExecution execution;

        Config(boolean passByReference, HandlerExecution execution) {
            this.passByReference = passByReference;
            this.execution = execution;
        }
    }

    private final Config config;
    private final InProcessTransport transport;
    private final Parley server;
    private final Parley caller;
    private final Echo client;

    private Pipeline(Config config, Echo implementation) {
        this.config = config;
        this.transport = InProcessTransport.builder().passByReference(config.passByReference).build();
        this.server = Parley.builder().service("echo-server").transport(transport).build();
        this.caller = Parley.builder().service("bench-client").transport(transport).build();
        server.serve(Echo.class, implementation, config.execution);
        this.client = caller.client(Echo.class);
    }

    /** Starts a server serving {@code implementation} and a client of it, and checks the resilience settings. */
    public static Pipeline open(Config config, Echo implementation) {
        requireDefaultsEnabled();
        Pipeline p = new Pipeline(config, implementation);
        try {
            p.verifyResilience();
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** The client proxy: calls go through the full pipeline. */
    public Echo client() {
        return client;
    }

    public Config config() {
        return config;
    }

    /** The client's circuit breaker for the echo target. */
    public CircuitBreaker breaker() {
        return caller.circuitBreakers().getAllCircuitBreakers().stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("no circuit breaker was created for the client"));
    }

    /** The client's bulkhead for the echo target. */
    public Bulkhead bulkhead() {
        return caller.bulkheads().getAllBulkheads().stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("no bulkhead was created for the client"));
    }

    static void requireDefaultsEnabled() {
        ClientOptions d = ClientOptions.ofDefaults();
        if (!d.bulkhead().enabled() || !d.circuitBreaker().enabled()) {
            throw new IllegalStateException("ClientOptions defaults no longer enable bulkhead and breaker: " + d.bulkhead()
                    + ", " + d.circuitBreaker() + "; the pipeline benchmark must configure them explicitly");
        }
        if (d.deadline().isPresent() && d.deadline().get().compareTo(ClientOptions.DEFAULT_DEADLINE) != 0) {
            throw new IllegalStateException("unexpected default deadline " + d.deadline().get());
        }
        if (d.codec().isPresent() && d.codec().get() != Codec.json()) {
            throw new IllegalStateException("unexpected default codec " + d.codec().get());
        }
    }

    /** One call through the client, then checks that the breaker recorded it and the bulkhead released it. */
    private void verifyResilience() {
        CircuitBreaker breaker = breaker();
        Bulkhead bulkhead = bulkhead();
        long before = breaker.getMetrics().getNumberOfSuccessfulCalls();
        Echo.Pong pong = client.ping(new Echo.Ping("check", 1));
        if (pong == null || pong.seq() != 2) {
            throw new IllegalStateException(config + ": unexpected reply " + pong);
        }
        if (breaker.getMetrics().getNumberOfSuccessfulCalls() != before + 1) {
            throw new IllegalStateException(config + ": the circuit breaker did not record the call");
        }
        if (breaker.getState() != CircuitBreaker.State.CLOSED) {
            throw new IllegalStateException(config + ": circuit breaker is " + breaker.getState());
        }
        int max = bulkhead.getBulkheadConfig().getMaxConcurrentCalls();
        if (bulkhead.getMetrics().getAvailableConcurrentCalls() != max) {
            throw new IllegalStateException(config + ": the bulkhead did not release the call");
        }
    }

    @Override
    public void close() {
        caller.close();
        server.close();
        transport.close();
    }
}
