package dev.parley.webhooks;

import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A subscriber's endpoint: where events of the chosen types are POSTed. Its secret is not part
 * of this view: it is shown once, when created or rotated ({@link NewSecret}).
 *
 * @param id           the endpoint id, e.g. {@code ep_2f0c...}
 * @param url          http(s) URL the webhooks are POSTed to
 * @param eventTypes   the event types delivered, e.g. {@code trips.tripCompleted}; {@code *} for all
 * @param description  free text for its owner
 * @param status       whether it gets deliveries
 * @param statusReason why it was disabled or paused, when it was
 * @param createdAt    when it was registered
 */
public record Endpoint(String id, URI url, Set<String> eventTypes, String description, EndpointStatus status,
                       Optional<String> statusReason, Instant createdAt) {

    /** The event-type wildcard. */
    public static final String ALL_EVENTS = "*";

    public Endpoint {
        eventTypes = Set.copyOf(eventTypes);
    }

    /** Whether events of {@code type} go to this endpoint. */
    public boolean accepts(String type) {
        return eventTypes.contains(ALL_EVENTS) || eventTypes.contains(type);
    }
}
