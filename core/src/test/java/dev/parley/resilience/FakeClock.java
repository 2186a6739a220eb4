package dev.parley.resilience;

import dev.parley.ParleyClock;
import java.time.Duration;
import java.time.Instant;

/** A {@link ParleyClock} whose time only moves when the test says so; nothing is ever scheduled. */
final class FakeClock implements ParleyClock {
    private long nanos;

    FakeClock(long startNanos) {
        this.nanos = startNanos;
    }

    void set(long value) {
        nanos = value;
    }

    void advance(Duration d) {
        nanos += d.toNanos();
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public Instant instant() {
        return Instant.EPOCH.plusNanos(nanos);
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        return Cancellable.NOOP;
    }
}
