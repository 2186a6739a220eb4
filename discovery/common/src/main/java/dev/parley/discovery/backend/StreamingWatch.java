package dev.parley.discovery.backend;

import dev.parley.ParleyClock;
import dev.parley.discovery.DiscoveryBackend;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The life cycle of a watch that follows a registry's streaming HTTP answer on its own virtual
 * thread (etcd's watch stream, a Kubernetes watch): the subclass's {@link #run()} lists, follows
 * the current {@link LineStream} and retries with {@link #pause}; {@link #close()} stops it
 * from any thread, however it is blocked: it aborts the stream, wakes the pause and, if the
 * thread still waits for an answer after a second, interrupts it, which cancels the request.
 */
public abstract class StreamingWatch implements DiscoveryBackend.Watch {

    /** Set once by {@link #close()}; the loop in {@link #run()} ends when it is. */
    protected final AtomicBoolean closed = new AtomicBoolean();
    /** The loop's wait between attempts, cut short by {@link #close()}. */
    protected final RetryPause pause;
    private final Duration requestTimeout;
    private final String threadName;
    private volatile @Nullable LineStream stream;
    private @Nullable Thread thread;

    /**
     * @param clock          times the pauses
     * @param requestTimeout how long {@link #close()} waits for an interrupted request to end
     * @param threadName     the watch thread's name, e.g. {@code parley-etcd-watch-trips/v1}
     */
    protected StreamingWatch(ParleyClock clock, Duration requestTimeout, String threadName) {
        this.pause = new RetryPause(clock);
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.threadName = Objects.requireNonNull(threadName, "threadName");
    }

    /** Starts the watch thread. */
    public final synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException(threadName + " is already started");
        }
        thread = Thread.ofVirtual().name(threadName).start(this::run);
    }

    /** The watch loop, until {@link #closed} is set. */
    protected abstract void run();

    /** Records the stream the loop follows now ({@code null} between streams), so that closing can abort it. */
    protected final void following(@Nullable LineStream current) {
        stream = current;
    }

    /** Called once, after the watch thread has ended (or was given up on). */
    protected void onClosed() {
    }

    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LineStream s = stream;
        if (s != null) {
            s.abort();
        }
        pause.wake();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                if (!t.join(Duration.ofSeconds(1))) {
                    // Still waiting for an answer (a slow or silent server): interrupting cancels the request.
                    t.interrupt();
                    t.join(requestTimeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        onClosed();
    }
}
