package dev.parley.messaging;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails the publishes a broker has not confirmed within the publish timeout, with a
 * {@link TimeoutException}, as {@code CompletableFuture.orTimeout} would. Instead of scheduling
 * and cancelling a task on the JDK's shared delay scheduler for every message (measured at
 * several microseconds of CPU per publish, on threads the broker client does not otherwise
 * need), the futures wait in one queue that the transport's timer sweeps every
 * {@code timeout / 20} (1 to 100 ms): a publish fails at most that much later than its timeout.
 */
final class PublishDeadlines {

    private static final Logger log = LoggerFactory.getLogger(PublishDeadlines.class);

    private record Entry(CompletableFuture<?> future, long deadlineNanos) {}

    private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();
    private final long timeoutNanos;

    PublishDeadlines(ScheduledExecutorService timer, Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        long tickMillis = Math.clamp(timeout.toMillis() / 20, 1, 100);
        timer.scheduleWithFixedDelay(this::sweep, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    /** Fails {@code future} with a {@link TimeoutException} if it is not done within the timeout from now. */
    void watch(CompletableFuture<?> future) {
        if (!future.isDone()) {
            entries.add(new Entry(future, System.nanoTime() + timeoutNanos));
        }
    }

    /** Forgets the settled publishes and fails the overdue ones. Runs on the timer; never throws, or the timer would stop it. */
    void sweep() {
        try {
            long now = System.nanoTime();
            for (Iterator<Entry> it = entries.iterator(); it.hasNext();) {
                Entry e = it.next();
                if (e.future().isDone()) {
                    it.remove();
                } else if (now - e.deadlineNanos() >= 0) {
                    it.remove();
                    e.future().completeExceptionally(new TimeoutException());
                }
            }
        } catch (RuntimeException e) {
            log.warn("failing overdue publishes failed; trying again at the next tick", e);
        }
    }

    /** Fails every publish still waiting with {@code error}: the transport closed, and its timer with it. */
    void failAll(Supplier<? extends Throwable> error) {
        Entry e;
        while ((e = entries.poll()) != null) {
            if (!e.future().isDone()) {
                e.future().completeExceptionally(error.get());
            }
        }
    }

    /** Publishes watched and not yet forgotten (for tests). */
    int size() {
        return entries.size();
    }
}
