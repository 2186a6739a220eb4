package dev.parley.resilience;

import dev.parley.internal.Checks;
import java.time.Duration;

/**
 * Retries for methods declared {@link dev.parley.contract.Idempotent}, and only for failures
 * whose code is {@link dev.parley.ErrorCode#retryable() retryable} (unavailable, exhausted).
 *
 * <p>Attempt {@code n} waits a random time between zero and
 * {@code min(maxDelay, baseDelay * 2^(n-1))} ("full jitter"), never past the call's deadline.
 * A {@link RetryBudget} per target caps retries at {@code budgetRatio} of recent calls (plus
 * {@code minRetriesPerSecond}), so under a total outage retries stay a small share of traffic
 * and layers of retrying services do not multiply load.
 *
 * @param maxAttempts         attempts including the first, 1 to 5 (1 disables retries)
 * @param baseDelay           backoff base
 * @param maxDelay            backoff cap
 * @param budgetRatio         retries allowed per call made, over the last 10 seconds (0.1 = 10%)
 * @param minRetriesPerSecond retries always allowed at low traffic
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, double budgetRatio, int minRetriesPerSecond) {

    public static final int MAX_ATTEMPTS_LIMIT = 5;

    public RetryPolicy {
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: 1 to " + MAX_ATTEMPTS_LIMIT + ")");
        }
        Checks.requirePositive("baseDelay", baseDelay);
        Checks.requirePositive("maxDelay", maxDelay);
        if (maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("maxDelay: " + maxDelay + " (expected: >= baseDelay " + baseDelay + ")");
        }
        if (!(budgetRatio >= 0 && budgetRatio <= 1)) {
            throw new IllegalArgumentException("budgetRatio: " + budgetRatio + " (expected: 0 to 1)");
        }
        if (minRetriesPerSecond < 0) {
            throw new IllegalArgumentException("minRetriesPerSecond: " + minRetriesPerSecond + " (expected: >= 0)");
        }
    }

    public static RetryPolicy ofDefaults() {
        return new RetryPolicy(3, Duration.ofMillis(25), Duration.ofSeconds(1), 0.1, 2);
    }

    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ofMillis(25), Duration.ofSeconds(1), 0.1, 2);
    }

    public static Builder custom() {
        return new Builder(ofDefaults());
    }

    public static Builder from(RetryPolicy base) {
        return new Builder(base);
    }

    /** The backoff before attempt {@code attempt} (2 for the first retry), given a random number in [0, 1). */
    public long backoffNanos(int attempt, double random) {
        int exponent = Math.min(attempt - 2, 30);
        long ceiling = Math.min(maxDelay.toNanos(), baseDelay.toNanos() << exponent);
        if (ceiling < 0) {
            ceiling = maxDelay.toNanos();
        }
        return (long) (ceiling * random);
    }

    /** Builds a {@link RetryPolicy}; unset values keep the base's. */
    public static final class Builder {
        private int maxAttempts;
        private Duration baseDelay;
        private Duration maxDelay;
        private double budgetRatio;
        private int minRetriesPerSecond;

        private Builder(RetryPolicy b) {
            maxAttempts = b.maxAttempts;
            baseDelay = b.baseDelay;
            maxDelay = b.maxDelay;
            budgetRatio = b.budgetRatio;
            minRetriesPerSecond = b.minRetriesPerSecond;
        }

        public Builder maxAttempts(int value) { maxAttempts = value; return this; }
        public Builder baseDelay(Duration value) { baseDelay = value; return this; }
        public Builder maxDelay(Duration value) { maxDelay = value; return this; }
        public Builder budgetRatio(double value) { budgetRatio = value; return this; }
        public Builder minRetriesPerSecond(int value) { minRetriesPerSecond = value; return this; }

        public RetryPolicy build() {
            return new RetryPolicy(maxAttempts, baseDelay, maxDelay, budgetRatio, minRetriesPerSecond);
        }
    }
}
