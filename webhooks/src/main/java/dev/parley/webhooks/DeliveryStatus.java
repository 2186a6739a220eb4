package dev.parley.webhooks;

/** Where a message stands for one endpoint. */
public enum DeliveryStatus {
    /** Waiting for its next attempt. */
    PENDING,
    /** An attempt was answered 2xx. */
    DELIVERED,
    /** Every attempt of the retry schedule failed; {@link Webhooks#replay} sends it again. */
    FAILED
}
