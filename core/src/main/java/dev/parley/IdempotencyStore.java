package dev.parley;

import java.time.Duration;

/**
 * Remembers which messages a consumer has processed, so that a message delivered twice (a
 * broker redelivering after a lost acknowledgement, a publisher retrying after a lost
 * confirm) is processed once. The Parley runtime consults it for events and one-way messages,
 * which transports deliver at least once; the key is the {@code parley-message-id} header and
 * the scope names the consumer (the contract's address, and the consumer group for events).
 *
 * <p>A message is <em>claimed</em> before its handler runs and <em>released</em> again when the
 * handler fails, so that the redelivery is processed; a duplicate that arrives while the first
 * copy is still being handled is skipped and acknowledged (the first copy's own outcome decides
 * whether it is redelivered). Implementations must be thread-safe.
 *
 * <p>Two are provided: {@link #inMemory} (bounded by a time window and a size, lost on restart)
 * and a durable one on JDBC in {@code parley-messaging}.
 */
public interface IdempotencyStore {

    /** Claims {@code messageId} in {@code scope}; false when it was claimed before (a duplicate). */
    boolean claim(String scope, String messageId);

    /** Forgets a claim after the handler failed, so that a redelivery is processed. */
    void release(String scope, String messageId);

    /** How many claims were refused as duplicates since this store was created. */
    long duplicates();

    /**
     * Remembers message ids for {@code window} after they were first seen, and at most
     * {@code maxEntries} of them (the oldest are forgotten first).
     */
    static IdempotencyStore inMemory(Duration window, int maxEntries) {
        return new InMemoryIdempotencyStore(window, maxEntries, System::nanoTime);
    }

    /** Remembers nothing: every delivery is processed. */
    static IdempotencyStore none() {
        return NoIdempotencyStore.INSTANCE;
    }
}
