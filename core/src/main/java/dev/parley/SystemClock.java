package dev.parley;

import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ParleyClock#system()}: System.nanoTime, Instant.now, and one daemon timer thread that
 * starts each due task on a virtual thread.
 */
final class SystemClock implements ParleyClock {
    static final SystemClock INSTANCE = new SystemClock();
    private static final Logger log = LoggerFactory.getLogger(SystemClock.class);

    private final ScheduledThreadPoolExecutor timer;

    private SystemClock() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "parley-timer");
            t.setDaemon(true);
            return t;
        });
        // Deadline timers are almost always cancelled; drop them from the queue at once.
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant instant() {
        return Instant.now();
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        // The timer thread only hands off: a fired deadline completes futures whose callbacks are user
        // code, and a retry starts a new attempt; both run on a virtual thread of their own.
        ScheduledFuture<?> f = timer.schedule(() -> Thread.startVirtualThread(() -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.error("timer task failed", e);
            }
        }), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public String toString() {
        return "ParleyClock.system()";
    }
}
