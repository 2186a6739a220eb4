package dev.parley.resilience;

import dev.parley.internal.Checks;
import java.time.Duration;

/**
 * Circuit breaker settings for one target, applied with a Resilience4j circuit breaker on
 * Parley's clock. The breaker counts calls over a time window; once at least
 * {@code minimumCalls} were made, it opens when the failure rate or the slow-call rate reaches
 * its threshold. While open, calls fail at once with a
 * {@link dev.parley.CallRejectedException} (no stack trace). After {@code waitInOpen} it lets
 * {@code halfOpenCalls} probes through; if they succeed it closes again.
 *
 * <p>Failures are transport failures, deadlines, and remote {@code INTERNAL},
 * {@code UNAVAILABLE} and {@code RESOURCE_EXHAUSTED} errors; an application's own answers
 * (NOT_FOUND, INVALID_ARGUMENT, ...) are not.
 *
 * <p>The defaults trip on low traffic: 5 calls in a 10 s window suffice.
 */
public record BreakerPolicy(
        boolean enabled,
        float failureRateThreshold,
        float slowCallRateThreshold,
        Duration slowCallDuration,
        int minimumCalls,
        Duration window,
        Duration waitInOpen,
        int halfOpenCalls) {

    public BreakerPolicy {
        if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) { // also refuses NaN
            throw new IllegalArgumentException("failureRateThreshold: " + failureRateThreshold + " (expected: 0 < percent <= 100)");
        }
        if (!(slowCallRateThreshold > 0 && slowCallRateThreshold <= 100)) {
            throw new IllegalArgumentException("slowCallRateThreshold: " + slowCallRateThreshold + " (expected: 0 < percent <= 100)");
        }
        Checks.requirePositive("slowCallDuration", slowCallDuration);
        Checks.requirePositive("waitInOpen", waitInOpen);
        if (window.toSeconds() < 1) {
            throw new IllegalArgumentException("window: " + window + " (expected: >= 1 second)");
        }
        if (minimumCalls < 1) {
            throw new IllegalArgumentException("minimumCalls: " + minimumCalls + " (expected: >= 1)");
        }
        if (halfOpenCalls < 1) {
            throw new IllegalArgumentException("halfOpenCalls: " + halfOpenCalls + " (expected: >= 1)");
        }
    }

    public static BreakerPolicy ofDefaults() {
        return new BreakerPolicy(true, 50, 80, Duration.ofSeconds(2), 5, Duration.ofSeconds(10), Duration.ofSeconds(5), 2);
    }

    public static BreakerPolicy disabled() {
        BreakerPolicy d = ofDefaults();
        return new BreakerPolicy(false, d.failureRateThreshold, d.slowCallRateThreshold, d.slowCallDuration, d.minimumCalls,
                d.window, d.waitInOpen, d.halfOpenCalls);
    }

    public static Builder custom() {
        return new Builder(ofDefaults());
    }

    public static Builder from(BreakerPolicy base) {
        return new Builder(base);
    }

    /** Builds a {@link BreakerPolicy}; unset values keep the base's. */
    public static final class Builder {
        private boolean enabled;
        private float failureRateThreshold;
        private float slowCallRateThreshold;
        private Duration slowCallDuration;
        private int minimumCalls;
        private Duration window;
        private Duration waitInOpen;
        private int halfOpenCalls;

        private Builder(BreakerPolicy b) {
            enabled = b.enabled;
            failureRateThreshold = b.failureRateThreshold;
            slowCallRateThreshold = b.slowCallRateThreshold;
            slowCallDuration = b.slowCallDuration;
            minimumCalls = b.minimumCalls;
            window = b.window;
            waitInOpen = b.waitInOpen;
            halfOpenCalls = b.halfOpenCalls;
        }

        public Builder enabled(boolean value) { enabled = value; return this; }
        public Builder failureRateThreshold(float percent) { failureRateThreshold = percent; return this; }
        public Builder slowCallRateThreshold(float percent) { slowCallRateThreshold = percent; return this; }
        public Builder slowCallDuration(Duration value) { slowCallDuration = value; return this; }
        public Builder minimumCalls(int value) { minimumCalls = value; return this; }
        public Builder window(Duration value) { window = value; return this; }
        public Builder waitInOpen(Duration value) { waitInOpen = value; return this; }
        public Builder halfOpenCalls(int value) { halfOpenCalls = value; return this; }

        public BreakerPolicy build() {
            return new BreakerPolicy(enabled, failureRateThreshold, slowCallRateThreshold, slowCallDuration, minimumCalls,
                    window, waitInOpen, halfOpenCalls);
        }
    }
}
