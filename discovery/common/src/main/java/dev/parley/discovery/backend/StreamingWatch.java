package dev.parley.discovery.backend;

import dev.parley.ParleyClock;
import dev.parley.discovery.DiscoveryBackend;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle of a watch that follows a registry's streaming HTTP answer on its own virtual
 * thread (etcd's watch stream, a Kubernetes watch): the subclass's {@link #run()} lists, follows
 * the current {@link LineStream} and retries with {@link #pause}; {@link #close()} stops it
 * from any thread, however it is blocked: it aborts the stream, wakes the pause and, if the
 * thread still waits for an answer after a second, interrupts it, which cancels the request.
 */
public abstract class StreamingWatch implements DiscoveryBackend.Watch {

    private static final Logger log = LoggerFactory.getLogger(StreamingWatch.class);

    /** Set once by {@link #close()}; the loop in {@link #run()} ends when it is. */
    protected final AtomicBoolean closed = new AtomicBoolean();
    /** The loop's wait between attempts, cut short by {@link #close()}. */
    protected final RetryPause pause;
    private final Duration requestTimeout;
    private final String threadName;
    private final DiscoveryBackend.Listener listener;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private volatile @Nullable LineStream stream;
    private @Nullable Thread thread;
    private int failures;        // watch thread only
    private boolean unavailable; // watch thread only

    /**
     * @param clock          times the pauses
     * @param requestTimeout how long {@link #close()} waits for an interrupted request to end
     * @param threadName     the watch thread's name, e.g. {@code parley-etcd-watch-trips/v1}
     * @param listener       told once per outage that the registry cannot be reached
     * @param initialBackoff the first pause after a failure, doubled (with jitter) up to {@code maxBackoff}
     */
    protected StreamingWatch(ParleyClock clock, Duration requestTimeout, String threadName, DiscoveryBackend.Listener listener,
                             Duration initialBackoff, Duration maxBackoff) {
        this.pause = new RetryPause(clock);
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.threadName = Objects.requireNonNull(threadName, "threadName");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff");
        this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
    }

    /**
     * The registry answered (a list succeeded): the next failure starts a new outage. Returns
     * whether an outage just ended, so that the subclass delivers its snapshot even if unchanged.
     */
    protected final boolean answered() {
        boolean ended = unavailable;
        unavailable = false;
        failures = 0;
        return ended;
    }

    /**
     * The registry could not be reached: tells the listener once per outage (the instances it
     * last saw stay in use), then waits the next back-off. False when the watch should end.
     */
    protected final boolean unreachable(Exception cause) {
        if (closed.get()) {
            return false;
        }
        failures++;
        if (!unavailable) {
            unavailable = true;
            log.warn("{}: the registry cannot be reached, keeping the last known instances and retrying: {}", threadName, cause.getMessage());
            try {
                listener.unavailable(cause);
            } catch (RuntimeException listenerFailure) {
                log.error("{}: listener failed in unavailable(..)", threadName, listenerFailure);
            }
        }
        return backOff();
    }

    /** An unexpected failure of the loop: logged, then the next back-off. False when the watch should end. */
    protected final boolean failed(RuntimeException failure) {
        failures++;
        log.error("{}: unexpected failure", threadName, failure);
        return backOff();
    }

    private boolean backOff() {
        try {
            pause.await(RetryPause.backoff(initialBackoff, maxBackoff, failures - 1), closed::get);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
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
