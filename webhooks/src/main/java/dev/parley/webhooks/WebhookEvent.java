package dev.parley.webhooks;

import java.time.Instant;

/**
 * A verified webhook with its Standard Webhooks payload ({@code {"type", "timestamp", "data"}})
 * decoded.
 *
 * @param id         the {@code webhook-id} (idempotency key)
 * @param attemptAt  the {@code webhook-timestamp} of the delivery attempt
 * @param type       the event type, e.g. {@code trips.tripCompleted}
 * @param occurredAt the payload's {@code timestamp}: when the event happened
 * @param data       the payload's {@code data}, decoded
 */
public record WebhookEvent<T>(String id, Instant attemptAt, String type, Instant occurredAt, T data) {}
