package dev.parley.transport;

import dev.parley.message.Envelope;
import java.util.concurrent.CompletableFuture;

/**
 * The client end of a transport for one contract. Thread-safe.
 *
 * <p>Returned futures complete with the reply, or exceptionally with a
 * {@link dev.parley.TransportException}; the caller cancels a future ({@code cancel(true)}) to
 * tell the transport to cancel the remote work.
 */
public interface ClientChannel {

    /** Names the other side for breaker and bulkhead keys and error messages, e.g. {@code in-process:trips/v1}. */
    String target();

    /** Whether the channel accepts {@link Envelope#local local} envelopes (the in-process transport by reference). */
    default boolean acceptsLocalMessages() {
        return false;
    }

    /** Sends a request; completes with the reply envelope (which may carry an error status). */
    CompletableFuture<Envelope> request(Envelope request);

    /** Sends a one-way message; completes when the transport has accepted it. No reply ever comes. */
    CompletableFuture<Void> send(Envelope message);
}
