package dev.parley.bench.plugins;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.parley.Parley;
import dev.parley.bench.Echo;
import dev.parley.plugins.PluginEvent;
import dev.parley.plugins.PluginRepository;
import dev.parley.plugins.PluginTransport;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Load/unload cycles: publishes {@code cycles} versions one after another, each loaded into a
 * new class loader, called, and unloaded when the next one takes over, and compares the JVM's
 * loaded class count, metaspace and open file descriptors after the cycles with the start (both
 * after a few warm-up cycles and a full GC, so that Parley's own classes are loaded already).
 *
 * <pre>
 * java -cp benchmarks.jar dev.parley.bench.plugins.PluginCycles [cycles=100]
 * </pre>
 *
 * Prints {@code PLUGIN-CYCLES cycles=.. classes=start->end (+x%) metaspace_kib=.. open_fds=.. target=10% PASS|MISS}.
 */
public final class PluginCycles {

    private PluginCycles() {}

    public static void main(String[] args) throws Exception {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Path repository = Files.createTempDirectory("parley-plugin-cycles");
        Semaphore unloads = new Semaphore(0);
        PluginJar.publish(repository, "1.0.0");
        PluginTransport transport = PluginTransport.builder(Echo.class).repository(PluginRepository.folder(repository))
                .pollInterval(Duration.ofHours(1)).deploymentWindow(Duration.ofHours(2))
                .listener(e -> {
                    if (e instanceof PluginEvent.Unloaded) {
                        unloads.release();
                    }
                })
                .build();
        Parley parley = Parley.builder().service("bench").transport(transport).build();
        Echo echo = parley.client(Echo.class);

        int version = 0;
        for (int i = 0; i < 5; i++) {
            version = cycle(repository, transport, echo, unloads, version);
        }
        Snapshot start = Snapshot.take();
        for (int i = 0; i < cycles; i++) {
            version = cycle(repository, transport, echo, unloads, version);
        }
        Snapshot end = Snapshot.take();
        parley.close();
        transport.close();
        PluginJar.deleteTree(repository);

        double classes = growth(start.classes, end.classes);
        double metaspace = growth(start.metaspaceBytes, end.metaspaceBytes);
        double fds = growth(start.openFds, end.openFds);
        boolean pass = classes <= 10 && metaspace <= 10 && fds <= 10;
        System.out.printf("PLUGIN-CYCLES cycles=%d classes=%d->%d (%+.1f%%) metaspace_kib=%d->%d (%+.1f%%) open_fds=%d->%d (%+.1f%%)"
                        + " classes_unloaded_total=%d target=10%% %s%n", cycles, start.classes, end.classes, classes,
                start.metaspaceBytes / 1024, end.metaspaceBytes / 1024, metaspace, start.openFds, end.openFds, fds,
                ManagementFactory.getClassLoadingMXBean().getUnloadedClassCount(), pass ? "PASS" : "MISS");
    }

    /** Publishes the next version, waits until it answers and the previous one is unloaded. */
    private static int cycle(Path repository, PluginTransport transport, Echo echo, Semaphore unloads, int version) throws Exception {
        int next = version + 1;
        String text = "1.0." + next;
        PluginJar.publish(repository, text);
        transport.refresh();
        if (!echo.ping(new Echo.Ping("cycle", next)).id().equals(text)) {
            throw new IllegalStateException(text + " does not answer");
        }
        if (!unloads.tryAcquire(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the version before " + text + " was not unloaded within 30 s");
        }
        Files.deleteIfExists(repository.resolve("echo-1.0." + version + ".jar"));
        return next;
    }

    private static double growth(long start, long end) {
        return start == 0 ? 0 : 100.0 * (end - start) / start;
    }

    private record Snapshot(long classes, long metaspaceBytes, long openFds) {
        static Snapshot take() throws InterruptedException {
            ClassLoadingMXBean loading = ManagementFactory.getClassLoadingMXBean();
            // Unreachable class loaders go in a full GC; a few rounds let reference processing finish.
            for (int i = 0; i < 5; i++) {
                System.gc();
                Thread.sleep(100);
            }
            long metaspace = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getName().equals("Metaspace")) {
                    metaspace = pool.getUsage().getUsed();
                }
            }
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            long fds = os instanceof UnixOperatingSystemMXBean unix ? unix.getOpenFileDescriptorCount() : -1;
            return new Snapshot(loading.getLoadedClassCount(), metaspace, fds);
        }
    }
}
