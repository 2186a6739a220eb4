package dev.parley.bench.messaging;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
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

    /**
     * One run's outcome. {@code cpuNanos}: CPU time of this whole JVM during the run (both
     * contenders share the JVM but run one after the other, so it is this contender's, plus JIT
     * and GC); {@code brokerCpuNanos}: CPU time of the broker process (system property
     * {@code bench.brokerPid}, Linux), or -1. Per message, these compare the work each side does
     * independently of how much CPU a loaded machine happened to give the run.
     */
    record Result(String label, int messages, long elapsedNanos, Histogram latencies, long cpuNanos, long brokerCpuNanos) {
        double cpuMicrosPerMessage() {
            return cpuNanos / 1e3 / messages;
        }

        double brokerCpuMicrosPerMessage() {
            return brokerCpuNanos < 0 ? -1 : brokerCpuNanos / 1e3 / messages;
        }

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
        Map<String, Long> threadsBefore = THREAD_CPU ? threadCpuTicks() : Map.of();
        long cpuStart = processCpuNanos();
        long brokerStart = brokerCpuNanos();
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
        long cpu = processCpuNanos() - cpuStart;
        if (THREAD_CPU) {
            printThreadCpu(contender.label(), messages, threadsBefore, threadCpuTicks());
        }
        long brokerEnd = brokerCpuNanos();
        return new Result(contender.label(), messages, elapsed, latencies, cpu,
                brokerStart < 0 || brokerEnd < 0 ? -1 : brokerEnd - brokerStart);
    }

    /** With -Dbench.threadCpu=true each run prints the CPU of this JVM's threads (GC and JIT included), grouped by name. */
    private static final boolean THREAD_CPU = Boolean.getBoolean("bench.threadCpu");

    /** utime + stime in clock ticks per thread of this process (/proc/self/task), keyed by tid and name. */
    private static Map<String, Long> threadCpuTicks() {
        Map<String, Long> out = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(task.getFileName() + " " + name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    private static void printThreadCpu(String label, int messages, Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> byGroup = new TreeMap<>();
        for (var e : after.entrySet()) {
            long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            String group = e.getKey().substring(e.getKey().indexOf(' ') + 1).replaceAll("[0-9]+", "#");
            byGroup.merge(group, delta, Long::sum);
        }
        StringBuilder b = new StringBuilder("THREAD-CPU " + label + " us_per_msg:");
        byGroup.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> b.append(String.format(" [%s]=%.1f", e.getKey(), e.getValue() * 10_000.0 / messages)));
        System.out.println(b);
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** utime + stime of the broker process from /proc (clock ticks of 10 ms), or -1 when unknown. */
    private static long brokerCpuNanos() {
        String pid = System.getProperty("bench.brokerPid");
        if (pid == null) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // fields 14 and 15 of stat
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
