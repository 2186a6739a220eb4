package dev.parley.discovery.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The body of a streaming HTTP response cut into lines (newline-delimited JSON), read by one
 * consumer thread with a timeout, so that a quiet stream can be probed and a stream can be
 * abandoned without closing a blocked {@code InputStream} from another thread.
 *
 * <p>A line longer than {@code maxLineBytes} is never buffered whole: the stream ends with an
 * {@link IOException} naming the limit, and the caller starts over (re-lists).
 */
public final class LineStream implements Flow.Subscriber<List<ByteBuffer>> {

    private static final int HIGH_WATER = 64;
    private static final Object END = new Object();

    private final int maxLineBytes;
    private final String what;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    private volatile Flow.@Nullable Subscription subscription;
    private volatile boolean awaitingDemand;
    private boolean failed;
    private boolean ended;

    public LineStream(int maxLineBytes, String what) {
        this.maxLineBytes = maxLineBytes;
        this.what = what;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (failed) {
            return;
        }
        for (ByteBuffer b : buffers) {
            while (b.hasRemaining()) {
                byte c = b.get();
                if (c == '\n') {
                    if (line.size() > 0) {
                        queue.add(line.toString(StandardCharsets.UTF_8));
                    }
                    line.reset();
                } else if (line.size() >= maxLineBytes) {
                    failed = true;
                    queue.add(new IOException(what + ": a line longer than " + maxLineBytes + " bytes (expected: at most maxLineBytes)"));
                    cancel();
                    return;
                } else {
                    line.write(c);
                }
            }
        }
        if (queue.size() < HIGH_WATER) {
            request();
        } else {
            awaitingDemand = true;
        }
    }

    @Override
    public void onError(Throwable error) {
        queue.add(error instanceof IOException io ? io : new IOException(what + ": " + error, error));
    }

    @Override
    public void onComplete() {
        if (line.size() > 0 && !failed) {
            queue.add(line.toString(StandardCharsets.UTF_8));
        }
        queue.add(END);
    }

    /**
     * The next line, or empty when none arrived within {@code timeout}.
     *
     * @throws IOException when the stream failed; {@link java.io.EOFException} when it ended
     */
    public Optional<String> next(Duration timeout) throws IOException, InterruptedException {
        if (ended) {
            throw new java.io.EOFException(what + ": stream ended");
        }
        Object item = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (awaitingDemand && queue.size() < HIGH_WATER / 4) {
            awaitingDemand = false;
            request();
        }
        if (item == null) {
            return Optional.empty();
        }
        if (item == END) {
            ended = true;
            throw new java.io.EOFException(what + ": stream ended");
        }
        if (item instanceof IOException e) {
            ended = true;
            throw e;
        }
        if (item instanceof Throwable t) {
            ended = true;
            throw new IOException(what + ": " + t, t);
        }
        return Optional.of((String) item);
    }

    /** Stops reading and wakes a consumer blocked in {@link #next}; the connection is released. */
    public void abort() {
        cancel();
        queue.add(END);
    }

    private void cancel() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    private void request() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.request(1);
        }
    }
}
