package dev.parley.bench.plugins;

import dev.parley.Parley;
import dev.parley.bench.Echo;
import dev.parley.plugins.PluginEvent;
import dev.parley.plugins.PluginRepository;
import dev.parley.plugins.PluginTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hot swap under load: caller threads call {@link Echo} through the plugin proxy without pause
 * while the provider publishes a new version to the folder repository, {@code swaps} times.
 * For each swap it measures the time from the complete jar appearing in the folder (the rename
 * returned) to all traffic being on the new version: the old version's {@code Unloaded} event,
 * which fires once no call runs on it any more and every new call goes to the new one. Every
 * call must succeed.
 *
 * <pre>
 * java -cp benchmarks.jar dev.parley.bench.plugins.PluginSwapLoad [swaps=100] [callers=4]
 * </pre>
 *
 * Prints {@code PLUGIN-SWAP swaps=.. calls=.. failed=.. stale=.. swap_ms_p50=.. p99=.. max=.. target_p99_ms=1000 PASS|MISS},
 * where {@code stale} counts calls that started after a swap completed yet were answered by an older version.
 */
public final class PluginSwapLoad {

    private PluginSwapLoad() {}

    public static void main(String[] args) throws Exception {
        int swaps = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int callers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path repository = Files.createTempDirectory("parley-plugin-swap");
        Map<String, CountDownLatch> unloaded = new ConcurrentHashMap<>();
        Map<String, Long> unloadedAt = new ConcurrentHashMap<>();
        PluginJar.publish(repository, version(0));
        // Polling once an hour: the swaps reach the consumer through file system events.
        PluginTransport transport = PluginTransport.builder(Echo.class).repository(PluginRepository.folder(repository))
                .pollInterval(Duration.ofHours(1)).deploymentWindow(Duration.ofHours(2))
                .listener(event -> {
                    if (event instanceof PluginEvent.Unloaded u) {
                        unloadedAt.put(u.version().text(), System.nanoTime());
                        unloaded.computeIfAbsent(u.version().text(), v -> new CountDownLatch(1)).countDown();
                    }
                })
                .build();
        Parley parley = Parley.builder().service("bench").transport(transport).build();
        Echo echo = parley.client(Echo.class);

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong calls = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong stale = new AtomicLong();
        // The version whose swap has completed: calls started after that must not see an older one.
        AtomicLong completedSwap = new AtomicLong(0);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            long seed = i;
            threads.add(Thread.ofPlatform().name("caller-" + i).start(() -> {
                long seq = seed;
                while (running.get()) {
                    long minimum = completedSwap.get();
                    try {
                        Echo.Pong pong = echo.ping(new Echo.Ping("load", seq++));
                        if (number(pong.id()) < minimum) {
                            stale.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        if (failed.incrementAndGet() <= 5) {
                            System.err.println("call failed: " + e);
                        }
                    }
                    calls.incrementAndGet();
                }
            }));
        }

        Thread.sleep(2_000); // warm-up under load
        long[] swapNanos = new long[swaps];
        for (int s = 1; s <= swaps; s++) {
            String previous = version(s - 1);
            CountDownLatch done = unloaded.computeIfAbsent(previous, v -> new CountDownLatch(1));
            PluginJar.publish(repository, version(s));
            long appeared = System.nanoTime();
            if (!done.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("swap to " + version(s) + " did not complete within 30 s");
            }
            swapNanos[s - 1] = unloadedAt.get(previous) - appeared;
            completedSwap.set(s);
            Files.deleteIfExists(repository.resolve("echo-" + previous + ".jar")); // keep the folder small; not the newest
        }
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        parley.close();
        transport.close();
        PluginJar.deleteTree(repository);

        Arrays.sort(swapNanos);
        double p50 = millis(swapNanos[(int) Math.ceil(0.50 * swaps) - 1]);
        double p99 = millis(swapNanos[(int) Math.ceil(0.99 * swaps) - 1]);
        double max = millis(swapNanos[swaps - 1]);
        boolean pass = failed.get() == 0 && stale.get() == 0 && p99 < 1000;
        System.out.printf("PLUGIN-SWAP swaps=%d callers=%d calls=%d failed=%d stale=%d swap_ms_p50=%.1f swap_ms_p99=%.1f swap_ms_max=%.1f"
                + " target_p99_ms=1000 %s%n", swaps, callers, calls.get(), failed.get(), stale.get(), p50, p99, max, pass ? "PASS" : "MISS");
    }

    /** Versions 1.0.0, 1.0.1, ...; their last number is the swap's. */
    private static String version(int swap) {
        return "1.0." + swap;
    }

    private static long number(String version) {
        return Long.parseLong(version.substring(version.lastIndexOf('.') + 1));
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
