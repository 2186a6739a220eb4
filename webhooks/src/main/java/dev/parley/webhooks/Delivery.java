package dev.parley.webhooks;

import java.time.Instant;
import java.util.List;

/**
 * One message for one endpoint, with its attempts: an entry of the delivery log.
 *
 * @param id            delivery id
 * @param endpointId    the endpoint
 * @param messageId     the {@code webhook-id}, the same on every attempt
 * @param eventType     the event type
 * @param status        where it stands
 * @param attempts      attempts in the current round of the retry schedule
 * @param nextAttemptAt when a pending delivery is tried next
 * @param createdAt     when the event was queued
 * @param attemptLog    every attempt made, oldest first
 */
public record Delivery(String id, String endpointId, String messageId, String eventType, DeliveryStatus status,
                       int attempts, Instant nextAttemptAt, Instant createdAt, List<DeliveryAttempt> attemptLog) {
    public Delivery {
        attemptLog = List.copyOf(attemptLog);
    }
}
