package dev.parley.discovery.backend;

import dev.parley.ParleyClock;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;

/**
 * A loop's wait between rounds, timed by the {@link ParleyClock} and cut short by {@link #wake()}
 * (a readiness change, close).
 */
public final class RetryPause {

    private final ParleyClock clock;
    private final Semaphore permits = new Semaphore(0);

    public RetryPause(ParleyClock clock) {
        this.clock = clock;
    }

    /** Waits {@code delay}, or less when woken or when {@code done} already holds. */
    public void await(Duration delay, BooleanSupplier done) throws InterruptedException {
        permits.drainPermits();
        if (done.getAsBoolean()) {
            return;
        }
        ParleyClock.Cancellable timer = clock.schedule(delay, permits::release);
        try {
            permits.acquire();
        } finally {
            timer.cancel();
        }
    }

    public void wake() {
        permits.release();
    }

    /** Exponential back-off with full jitter: a random delay up to {@code min(max, initial * 2^attempt)}. */
    public static Duration backoff(Duration initial, Duration max, int attempt) {
        long cap = Math.min(max.toNanos(), initial.toNanos() << Math.min(attempt, 20));
        long floor = initial.toNanos() / 2;
        return Duration.ofNanos(floor + (long) (java.util.concurrent.ThreadLocalRandom.current().nextDouble() * Math.max(0, cap - floor)));
    }
}
