package dev.parley;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Where Parley reads time and schedules timers: deadlines, breaker wait durations, retry
 * backoff, deployment windows. The default is {@link #system()}; tests pass the test kit's
 * {@code ManualClock} to move time forward without sleeping.
 *
 * <p>Scheduled tasks must be short: they complete futures and hand real work to other threads.
 */
public interface ParleyClock {

    /** Monotonic time in nanoseconds, for durations and deadlines (like {@link System#nanoTime()}). */
    long nanoTime();

    /** Wall-clock time, for timestamps. */
    Instant instant();

    /** Runs {@code task} once after {@code delayNanos}; the returned handle cancels it. */
    Cancellable schedule(long delayNanos, Runnable task);

    default Cancellable schedule(Duration delay, Runnable task) {
        return schedule(delay.toNanos(), task);
    }

    /** The machine's clock with one daemon timer thread shared by every Parley instance. */
    static ParleyClock system() {
        return SystemClock.INSTANCE;
    }

    /** This clock as a {@link java.time.Clock}, for libraries that take one (Resilience4j). */
    default Clock asJavaClock() {
        ParleyClock self = this;
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return self.instant();
            }

            @Override
            public long millis() {
                return self.instant().toEpochMilli();
            }
        };
    }

    /** A scheduled task that can still be called off. */
    @FunctionalInterface
    interface Cancellable {
        Cancellable NOOP = () -> false;

        /** Cancels the task; true when it had not run yet. */
        boolean cancel();
    }
}
