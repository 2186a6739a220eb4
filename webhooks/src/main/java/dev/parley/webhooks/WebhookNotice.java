package dev.parley.webhooks;

import java.time.Instant;

/**
 * Something an operator or the endpoint's owner should hear about, passed to the listener
 * given to {@link Webhooks.Builder#notices}: forward it by e-mail, to a Parley topic, or to
 * alerting.
 */
public sealed interface WebhookNotice {

    String endpointId();

    Instant at();

    /** The endpoint was disabled: it answered 410 Gone, or a delivery failed its last retry. */
    record EndpointDisabled(String endpointId, String reason, Instant at) implements WebhookNotice {}

    /** A delivery failed every attempt of the retry schedule. */
    record DeliveryFailed(String endpointId, String messageId, int attempts, Instant at) implements WebhookNotice {}
}
