package dev.parley.webhooks;

import java.time.Instant;
import java.util.Objects;

/**
 * An event to publish with {@link Webhooks#publishAll}: its {@code webhook-id}, type, when it
 * happened and its JSON data. {@link Webhooks#event} makes one with a new id and the current time.
 *
 * @param webhookId  the {@code webhook-id} (letters, digits, {@code _} and {@code -}; 1-100 characters)
 * @param type       the event type, e.g. {@code trips.tripCompleted}
 * @param occurredAt the payload's {@code timestamp}
 * @param data       the event's JSON, the payload's {@code data}
 */
public record OutgoingEvent(String webhookId, String type, Instant occurredAt, byte[] data) {

    public OutgoingEvent {
        Objects.requireNonNull(webhookId, "webhookId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(data, "data");
    }
}
