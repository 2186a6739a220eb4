package dev.parley.messaging;

import java.time.Duration;

/**
 * What becomes of one delivery, implemented by each adapter on its broker's primitives.
 * {@link BrokerTransport} calls exactly one of the three methods once per delivery, possibly
 * from a handler thread: implementations must be thread-safe.
 */
public interface Disposition {

    /** Processed (or deliberately dropped): remove it from the channel. */
    void ack();

    /** Deliver it again to the same group after {@code delay}, as delivery attempt + 1. */
    void retry(Duration delay, String reason);

    /**
     * Move it to {@link ChannelNames#deadLetter} of its channel and group, as
     * {@link MessagingHeaders#deadLettered} makes it, confirmed by the broker; then remove it.
     */
    void deadLetter(String reason);
}
