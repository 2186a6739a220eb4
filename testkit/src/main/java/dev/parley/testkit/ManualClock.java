package dev.parley.testkit;

import dev.parley.ParleyClock;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * A {@link ParleyClock} that only moves when a test says so. Deadlines, breaker wait times,
 * retry backoff, redelivery and injected latency all run on it, so tests check them without
 * sleeping: {@link #advance(Duration)} moves time and runs, on the calling thread and in time
 * order, every task that came due.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.create();
 * ... start a call with a 2 s deadline ...
 * clock.advance(Duration.ofSeconds(2));   // the deadline fires now
 * }</pre>
 */
public final class ManualClock implements ParleyClock {

    private final Instant origin;
    private long nanos;
    private long sequence;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();

    private ManualClock(Instant origin) {
        this.origin = origin;
    }

    /** A clock at 2026-01-01T00:00:00Z. */
    public static ManualClock create() {
        return new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    }

    public static ManualClock startingAt(Instant origin) {
        return new ManualClock(origin);
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized Instant instant() {
        return origin.plusNanos(nanos);
    }

    @Override
    public synchronized Cancellable schedule(long delayNanos, Runnable task) {
        Task t = new Task(nanos + Math.max(0, delayNanos), sequence++, task);
        tasks.add(t);
        return () -> {
            synchronized (ManualClock.this) {
                return tasks.remove(t);
            }
        };
    }

    /** Moves time forward by {@code duration}, running every task due by then, in order. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration: " + duration + " (expected: >= 0; time does not go back)");
        }
        long target;
        synchronized (this) {
            target = nanos + duration.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due > target) {
                    nanos = target;
                    return;
                }
                tasks.poll();
                nanos = Math.max(nanos, next.due);
            }
            // Run outside the lock: tasks complete futures whose callbacks may schedule more tasks.
            next.task.run();
        }
    }

    /** Runs the tasks that are due now without moving time. */
    public void runDueTasks() {
        advance(Duration.ZERO);
    }

    /** How many scheduled tasks are waiting. */
    public synchronized int pendingTasks() {
        return tasks.size();
    }

    @Override
    public String toString() {
        return "ManualClock(" + instant() + ")";
    }

    private record Task(long due, long seq, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            return due != o.due ? Long.compare(due, o.due) : Long.compare(seq, o.seq);
        }
    }
}
