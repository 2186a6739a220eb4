package dev.parley.webhooks;

import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * When a failed delivery is tried again: the delay before each attempt after the first, with
 * random jitter. {@link #standard()} is the schedule the Standard Webhooks specification gives
 * as its example: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h,
 * the last attempt about 75.5 hours (three days) after the first. Jitter only lengthens a delay
 * (by up to 20% by default), so attempts spread out but never come earlier than scheduled.
 * After the last attempt fails the delivery has failed and its endpoint is disabled.
 *
 * <p>Immutable.
 */
public final class RetrySchedule {

    private static final RetrySchedule STANDARD = new RetrySchedule(List.of(
            Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2),
            Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(14), Duration.ofHours(20),
            Duration.ofHours(24)), 0.2);

    private final List<Duration> delays;
    private final double jitter;

    private RetrySchedule(List<Duration> delays, double jitter) {
        this.delays = List.copyOf(delays);
        this.jitter = jitter;
    }

    /** The specification's example schedule, each delay lengthened by up to 20% at random. */
    public static RetrySchedule standard() {
        return STANDARD;
    }

    /** Custom delays between attempts (so {@code delays.size() + 1} attempts in all), up to +20% jitter. */
    public static RetrySchedule of(List<Duration> delays) {
        for (Duration d : delays) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("retry delay: " + d + " (expected: >= 0) in " + delays);
            }
        }
        return new RetrySchedule(delays, 0.2);
    }

    /** A copy with jitter {@code fraction} (0 = none, 0.2 = each delay lengthened by up to 20%). */
    public RetrySchedule withJitter(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("jitter: " + fraction + " (expected: 0 <= jitter < 1)");
        }
        return new RetrySchedule(delays, fraction);
    }

    /** Attempts in all, the first included. */
    public int maxAttempts() {
        return delays.size() + 1;
    }

    public List<Duration> delays() {
        return delays;
    }

    public double jitter() {
        return jitter;
    }

    /** The delay after failed attempt number {@code attempt} (1-based), jittered; empty past the last. */
    java.util.Optional<Duration> delayAfter(int attempt, RandomGenerator random) {
        if (attempt < 1 || attempt > delays.size()) {
            return java.util.Optional.empty();
        }
        Duration base = delays.get(attempt - 1);
        // Jitter only ever adds: a retry never comes earlier than the schedule promises, so the
        // last attempt of the standard schedule is always at least ~75.5 hours after the first.
        double factor = 1 + jitter * random.nextDouble();
        return java.util.Optional.of(Duration.ofMillis(Math.round(base.toMillis() * factor)));
    }

    @Override
    public String toString() {
        return "RetrySchedule{" + delays + ", jitter=" + jitter + "}";
    }
}
