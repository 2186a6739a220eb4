package dev.parley.webhooks;

/** Whether an endpoint gets deliveries. */
public enum EndpointStatus {
    /** Deliveries are sent. */
    ACTIVE,
    /** Paused by its owner: new events are queued, nothing is sent until resumed. */
    PAUSED,
    /**
     * Disabled by Parley (the endpoint answered 410 Gone, or a delivery failed its last retry):
     * nothing is sent and new events are not queued; its pending deliveries wait for a resume.
     */
    DISABLED
}
