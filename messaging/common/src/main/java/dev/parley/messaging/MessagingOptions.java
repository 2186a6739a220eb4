package dev.parley.messaging;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings every broker transport shares. Immutable; start from {@link #ofDefaults()} or
 * {@link #builder()}.
 *
 * @param maxMessageBytes largest envelope body accepted at publish and at consume (default 1 MiB)
 * @param maxDeliveries   deliveries of an event or one-way message before it is dead-lettered (default 5)
 * @param initialBackoff  wait before the second delivery; doubles per failed delivery (default 100 ms)
 * @param maxBackoff      cap of that wait (default 30 s)
 * @param prefetch        unacknowledged messages a consumer holds at most (default 256)
 * @param publishTimeout  how long a publish waits for the broker's confirmation before it fails (default 10 s)
 * @param durableReplies  whether the transport's reply channel survives restarts, so that replies
 *                        arriving while the caller is down reach it when it is back (needs a stable
 *                        client id; see {@code Parley.lateReplies}). Default false: the reply channel
 *                        lives as long as the transport.
 */
public record MessagingOptions(int maxMessageBytes, int maxDeliveries, Duration initialBackoff, Duration maxBackoff, int prefetch,
                               Duration publishTimeout, boolean durableReplies) {

    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

    public MessagingOptions {
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("maxMessageBytes: " + maxMessageBytes + " (expected: >= 1)");
        }
        if (maxDeliveries < 1) {
            throw new IllegalArgumentException("maxDeliveries: " + maxDeliveries + " (expected: >= 1)");
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(publishTimeout, "publishTimeout");
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("initialBackoff: " + initialBackoff + ", maxBackoff: " + maxBackoff
                    + " (expected: 0 <= initialBackoff <= maxBackoff)");
        }
        if (prefetch < 1) {
            throw new IllegalArgumentException("prefetch: " + prefetch + " (expected: >= 1)");
        }
        if (publishTimeout.isNegative() || publishTimeout.isZero()) {
            throw new IllegalArgumentException("publishTimeout: " + publishTimeout + " (expected: > 0)");
        }
    }

    public static MessagingOptions ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maxMessageBytes(maxMessageBytes).maxDeliveries(maxDeliveries).initialBackoff(initialBackoff)
                .maxBackoff(maxBackoff).prefetch(prefetch).publishTimeout(publishTimeout).durableReplies(durableReplies);
    }

    /** The wait before the next delivery after {@code failedDeliveries} failed ones (1 = the first failed). */
    public Duration backoff(int failedDeliveries) {
        int shift = Math.max(0, Math.min(failedDeliveries - 1, 30));
        long nanos = initialBackoff.toNanos();
        long capped = maxBackoff.toNanos();
        long delay = nanos > (capped >> shift) ? capped : nanos << shift;
        return Duration.ofNanos(Math.min(delay, capped));
    }

    public static final class Builder {
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private int maxDeliveries = 5;
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private int prefetch = 256;
        private Duration publishTimeout = Duration.ofSeconds(10);
        private boolean durableReplies;

        private Builder() {}

        public Builder durableReplies(boolean value) {
            this.durableReplies = value;
            return this;
        }

        public Builder maxMessageBytes(int value) {
            this.maxMessageBytes = value;
            return this;
        }

        public Builder maxDeliveries(int value) {
            this.maxDeliveries = value;
            return this;
        }

        public Builder initialBackoff(Duration value) {
            this.initialBackoff = value;
            return this;
        }

        public Builder maxBackoff(Duration value) {
            this.maxBackoff = value;
            return this;
        }

        public Builder prefetch(int value) {
            this.prefetch = value;
            return this;
        }

        public Builder publishTimeout(Duration value) {
            this.publishTimeout = value;
            return this;
        }

        public MessagingOptions build() {
            return new MessagingOptions(maxMessageBytes, maxDeliveries, initialBackoff, maxBackoff, prefetch, publishTimeout, durableReplies);
        }
    }
}
