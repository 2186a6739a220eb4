package dev.parley.webhooks;

import java.time.Instant;

/**
 * Remembers the {@code webhook-id}s a {@link WebhookVerifier} accepted, so a replayed webhook
 * is dropped. An id only needs remembering while its timestamp is within the verifier's
 * tolerance: after that the timestamp check refuses it anyway.
 *
 * <p>Implementations are thread-safe. {@link #inMemory(int)} suits one receiver process; a
 * receiver running several instances behind a load balancer wants a shared store (a database
 * table with a unique key, or Redis {@code SET NX EX}).
 */
@FunctionalInterface
public interface ReplayStore {

    /**
     * Records {@code id} until {@code expiresAt}; true when it was not already recorded (the
     * webhook is new), false for a replay.
     */
    boolean firstSeen(String id, Instant expiresAt, Instant now);

    /**
     * Forgets {@code id}, so the sender's retry of a webhook whose processing failed is
     * accepted again. The default does nothing (the retry is then dropped as a replay).
     */
    default void forget(String id) {}

    /**
     * A bounded in-process store: at most {@code maxIds} ids, expired ones dropped first, then
     * the oldest. Size it to the webhooks received in twice the tolerance (10 minutes by
     * default); once full, the oldest id is forgotten early.
     */
    static ReplayStore inMemory(int maxIds) {
        return new BoundedReplayStore(maxIds);
    }
}
