package dev.parley.resilience;

import dev.parley.ParleyClock;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts calls and retries to one target over the last ten seconds (ten one-second buckets)
 * and allows a retry only while retries stay under {@code ratio * calls + minPerSecond * 10}.
 * Recording a call is a couple of atomic operations, cheap enough for every call.
 */
public final class RetryBudget {

    private static final int BUCKETS = 10;
    private static final long BUCKET_NANOS = 1_000_000_000L;

    private final ParleyClock clock;
    private final double ratio;
    private final int minPerSecond;
    // Per bucket: [epoch second, calls, retries] at index 3*i.
    private final AtomicLongArray slots = new AtomicLongArray(BUCKETS * 3);

    public RetryBudget(ParleyClock clock, double ratio, int minPerSecond) {
        this.clock = clock;
        this.ratio = ratio;
        this.minPerSecond = minPerSecond;
        for (int i = 0; i < BUCKETS; i++) {
            slots.set(3 * i, Long.MIN_VALUE);
        }
    }

    /** Records a first attempt. */
    public void recordCall() {
        slots.incrementAndGet(bucket(clock.nanoTime() / BUCKET_NANOS) + 1);
    }

    /** Takes one retry from the budget; false when the budget is spent. */
    public boolean tryRetry() {
        long second = clock.nanoTime() / BUCKET_NANOS;
        long calls = 0;
        long retries = 0;
        for (int i = 0; i < BUCKETS; i++) {
            long epoch = slots.get(3 * i);
            if (epoch > second - BUCKETS && epoch <= second) {
                calls += slots.get(3 * i + 1);
                retries += slots.get(3 * i + 2);
            }
        }
        if (retries >= ratio * calls + (double) minPerSecond * BUCKETS) {
            return false;
        }
        slots.incrementAndGet(bucket(second) + 2);
        return true;
    }

    /** The index of the current bucket's epoch slot, resetting the bucket when it is from an older second. */
    private int bucket(long second) {
        int base = 3 * (int) Math.floorMod(second, (long) BUCKETS);
        long epoch = slots.get(base);
        if (epoch != second && slots.compareAndSet(base, epoch, second)) {
            // Lost updates between the CAS and these resets are a few counts in a statistic: acceptable.
            slots.set(base + 1, 0);
            slots.set(base + 2, 0);
        }
        return base;
    }
}
