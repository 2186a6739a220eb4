package dev.parley.discovery;

import dev.parley.ParleyClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A wait on a {@link ParleyClock} that another thread can cut short: background loops
 * (heartbeats, watch retries) pause on it, so tests move their time with a ManualClock.
 */
final class Pause {
    private final ParleyClock clock;
    private CompletableFuture<Void> current = CompletableFuture.completedFuture(null);
    private boolean wakePending;

    Pause(ParleyClock clock) {
        this.clock = clock;
    }

    /** Waits for {@code duration} or until {@link #wake()}; returns early when interrupted (with the flag set). */
    void sleep(Duration duration) {
        CompletableFuture<Void> f;
        synchronized (this) {
            if (wakePending) {
                wakePending = false;
                return;
            }
            f = new CompletableFuture<>();
            current = f;
        }
        ParleyClock.Cancellable timer = clock.schedule(duration, () -> f.complete(null));
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            timer.cancel();
        }
    }

    /** Ends the current pause, or the next one right away. */
    synchronized void wake() {
        if (current.isDone()) {
            wakePending = true;
        }
        current.complete(null);
    }
}
