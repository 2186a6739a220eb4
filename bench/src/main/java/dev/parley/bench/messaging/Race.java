package dev.parley.bench.messaging;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * One publish-to-consume run: a publisher keeps {@link #WINDOW} confirmed publishes in flight
 * (the next goes out when a confirmation comes back), a consumer acknowledges each message
 * after recording its end-to-end latency, and the run ends when every message was consumed.
 * Raw clients and Parley run the same loop through a {@link Contender}.
 */
final class Race {

    /** Publishes in flight at most, for both contenders. */
    static final int WINDOW = 256;

    /** What one side of the race does: start consuming, publish one message, stop. */
    interface Contender extends AutoCloseable {
        String label();

        /** Starts consuming; every message consumed goes to {@code sink} with its body's sent-at nanos. */
        void startConsumer(Sink sink) throws Exception;

        /** Publishes one message with this body; completes when the broker confirmed it. */
        CompletableFuture<?> publish(long sentNanos, String pad);
    }

    @FunctionalInterface
    interface Sink {
        void consumed(long sentNanos);
    }

    record Result(String label, int messages, long elapsedNanos, Histogram latencies) {
        double perSecond() {
            return messages * 1e9 / elapsedNanos;
        }

        double p50Micros() {
            return latencies.getValueAtPercentile(50) / 1e3;
        }

        double p99Micros() {
            return latencies.getValueAtPercentile(99) / 1e3;
        }
    }

    private Race() {}

    /** The body both contenders send: {@code {"sentNanos":n,"pad":"xxx"}}, padded to about {@code bytes}. */
    static String pad(int bytes) {
        int overhead = "{\"sentNanos\":1234567890123456,\"pad\":\"\"}".length();
        return "x".repeat(Math.max(0, bytes - overhead));
    }

    static byte[] body(long sentNanos, String pad) {
        return ("{\"sentNanos\":" + sentNanos + ",\"pad\":\"" + pad + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Reads sentNanos back from a raw body without a JSON parser (it is the first field). */
    static long sentNanos(byte[] body) {
        int i = "{\"sentNanos\":".length();
        long v = 0;
        while (i < body.length && body[i] >= '0' && body[i] <= '9') {
            v = v * 10 + (body[i++] - '0');
        }
        return v;
    }

    static Result run(Contender contender, int messages, int payloadBytes) throws Exception {
        Histogram latencies = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
        CountDownLatch done = new CountDownLatch(messages);
        AtomicLong consumed = new AtomicLong();
        contender.startConsumer(sent -> {
            latencies.recordValue(Math.max(0, System.nanoTime() - sent));
            consumed.incrementAndGet();
            done.countDown();
        });
        String pad = pad(payloadBytes);
        Semaphore window = new Semaphore(WINDOW);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        for (int i = 0; i < messages && failure.get() == null; i++) {
            window.acquire();
            contender.publish(System.nanoTime(), pad).whenComplete((v, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
                window.release();
            });
        }
        if (failure.get() != null) {
            throw new IllegalStateException(contender.label() + ": publish failed", failure.get());
        }
        if (!done.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException(contender.label() + ": consumed " + consumed.get() + " of " + messages + " in 5 minutes");
        }
        long elapsed = System.nanoTime() - start;
        return new Result(contender.label(), messages, elapsed, latencies);
    }
}
