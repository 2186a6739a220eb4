package dev.parley.bench.messaging;

import dev.parley.Parley;
import dev.parley.contract.Contract;
import dev.parley.contract.Event;
import dev.parley.transport.Transport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Parley's side of a race: a publisher proxy of the {@link RaceEvents} contract, and a
 * subscriber in its own runtime and transport (its own broker connection), with Parley's
 * defaults: handlers on virtual threads, the in-memory idempotency store, breaker, bulkhead
 * and deadline on every publish.
 */
final class ParleyContender implements Race.Contender {

    public record Tick(long sentNanos, String pad) {}

    @Contract(name = "bench.race", version = "1.0")
    public interface RaceEvents {
        @Event
        CompletionStage<Void> tick(Tick tick);
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final String label;
    private final String group;
    private final Transport publisherTransport;
    private final Transport subscriberTransport;
    private final Parley publisherRuntime;
    private final RaceEvents publisher;
    private Parley subscriberRuntime;

    ParleyContender(String label, String group, Supplier<Transport> transports) {
        this.label = label;
        this.group = group;
        this.publisherTransport = transports.get();
        this.subscriberTransport = transports.get();
        this.publisherRuntime = Parley.builder().service("race-publisher").transport(publisherTransport).build();
        this.publisher = publisherRuntime.publisher(RaceEvents.class);
    }

    /** The channel the race's events travel on. */
    static String channel() {
        return "bench.race.v1.events";
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public void startConsumer(Race.Sink sink) {
        subscriberRuntime = Parley.builder().service("race-subscriber").transport(subscriberTransport).build();
        subscriberRuntime.subscribe(RaceEvents.class, tick -> {
            sink.consumed(tick.sentNanos());
            return DONE;
        }, group);
    }

    @Override
    public CompletableFuture<?> publish(long sentNanos, String pad) {
        return publisher.tick(new Tick(sentNanos, pad)).toCompletableFuture();
    }

    @Override
    public void close() {
        if (subscriberRuntime != null) {
            subscriberRuntime.close();
        }
        publisherRuntime.close();
        subscriberTransport.close();
        publisherTransport.close();
    }
}
