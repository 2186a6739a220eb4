package dev.parley.bench.discovery;

import dev.parley.Parley;
import dev.parley.bench.Echo;
import dev.parley.bench.EchoService;
import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.EmbeddedRegistry;
import dev.parley.discovery.EmbeddedRegistryBackend;
import dev.parley.discovery.ServiceAnnouncer;
import dev.parley.discovery.ServiceDirectory;
import dev.parley.discovery.ServiceInstance;
import dev.parley.http.HttpTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * How long the embedded registry takes to tell a client about a change: an instance that
 * starts, stops gracefully, crashes (a child JVM killed with SIGKILL, so its lease must lapse),
 * and a registry restart (until the instances have re-registered and the client sees them).
 * Everything runs on this machine over real sockets; times are from the change until the
 * client's {@link ServiceDirectory} listener hears of it.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.parley.bench.discovery.DiscoveryPropagation [--rounds 10] [--ttl PT3S]
 * </pre>
 */
public final class DiscoveryPropagation {

    private static final ContractVersion ECHO = new ContractVersion("echo", 1);

    private DiscoveryPropagation() {}

    public static void main(String[] args) throws Exception {
        int rounds = 10;
        Duration ttl = Duration.ofSeconds(3);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--ttl" -> ttl = Duration.parse(args[i + 1]);
                default -> throw new IllegalArgumentException(args[i] + ": unknown option (expected: --rounds, --ttl)");
            }
        }
        try (EmbeddedRegistry registry = EmbeddedRegistry.builder().port(0).start()) {
            run(registry, rounds, ttl);
        }
        System.exit(0);
    }

    private static void run(EmbeddedRegistry first, int rounds, Duration ttl) throws Exception {
        EmbeddedRegistry registry = first;
        String url = first.url();
        int port = first.port();
        Watcher watcher = new Watcher();
        try (EmbeddedRegistryBackend clientBackend = backend(url, ttl);
             ServiceDirectory directory = ServiceDirectory.create(clientBackend)) {
            directory.listen(ECHO, watcher);
            directory.awaitInstances(ECHO, Duration.ofSeconds(10));

            List<Long> started = new ArrayList<>();
            List<Long> stopped = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                String id = "in-process-" + r;
                try (LocalInstance instance = new LocalInstance(id)) {
                    long t0 = System.nanoTime();
                    instance.announce(url, ttl);
                    started.add(watcher.await(t0, ids -> ids.contains(id)) - t0);
                    long t1 = System.nanoTime();
                    instance.announcer.close();
                    stopped.add(watcher.await(t1, ids -> !ids.contains(id)) - t1);
                }
            }

            List<Long> crashed = new ArrayList<>();
            int crashRounds = Math.max(1, Math.min(rounds, 5));
            for (int r = 0; r < crashRounds; r++) {
                String id = "child-" + r;
                Process child = startChild(url, id, ttl);
                watcher.await(System.nanoTime(), ids -> ids.contains(id));
                long t0 = System.nanoTime();
                child.destroyForcibly();
                crashed.add(watcher.await(t0, ids -> !ids.contains(id)) - t0);
                child.waitFor();
            }

            List<Long> restarted = new ArrayList<>();
            List<LocalInstance> three = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                LocalInstance instance = new LocalInstance("steady-" + i);
                instance.announce(url, ttl);
                three.add(instance);
            }
            watcher.await(System.nanoTime(), ids -> ids.size() == 3);
            for (int r = 0; r < Math.max(1, Math.min(rounds, 5)); r++) {
                registry.close();
                Thread.sleep(200);
                registry = restart(port);
                long t0 = System.nanoTime();
                EmbeddedRegistry current = registry;
                // Seen again once every instance re-registered in the new registry and the client's watch caught up.
                while (current.instances().size() < 3) {
                    Thread.sleep(5);
                }
                restarted.add(watcher.await(t0, ids -> ids.size() == 3 && directory.reachable(ECHO)) - t0);
            }
            for (LocalInstance i : three) {
                i.close();
            }

            System.out.printf(Locale.ROOT, "DISCOVERY embedded registry, lease ttl %s (heartbeat every %s ms), blocking queries, %d CPUs%n",
                    ttl, ttl.toMillis() / 3, Runtime.getRuntime().availableProcessors());
            print("start -> client sees it", started);
            print("graceful stop (deregister) -> client sees it gone", stopped);
            print("crash (SIGKILL) -> client sees it gone", crashed);
            print("registry restart -> client sees all 3 instances again", restarted);
        } finally {
            registry.close();
        }
    }

    private static void print(String what, List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        System.out.printf(Locale.ROOT, "DISCOVERY %-55s n=%d min_ms=%.1f median_ms=%.1f max_ms=%.1f%n", what, sorted.size(),
                sorted.get(0) / 1e6, sorted.get(sorted.size() / 2) / 1e6, sorted.get(sorted.size() - 1) / 1e6);
    }

    private static EmbeddedRegistry restart(int port) throws InterruptedException {
        RuntimeException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                return EmbeddedRegistry.builder().port(port).start();
            } catch (RuntimeException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw last;
    }

    static EmbeddedRegistryBackend backend(String url, Duration ttl) {
        return EmbeddedRegistryBackend.builder(url).ttl(ttl).retryBackoff(Duration.ofMillis(20), Duration.ofMillis(500)).build();
    }

    private static Process startChild(String url, String id, Duration ttl) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ChildInstance.class.getName(), url, id, ttl.toString())
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("ANNOUNCED")) {
            // skip the child's log lines
        }
        Thread.ofVirtual().start(() -> {
            try {
                while (out.readLine() != null) {
                    // drain
                }
            } catch (java.io.IOException ignored) {
                // the child was killed
            }
        });
        return p;
    }

    /** An instance in this JVM. */
    static final class LocalInstance implements AutoCloseable {
        final String id;
        final HttpTransport http = HttpTransport.builder().server(0).bindAddress("127.0.0.1").build();
        final Parley parley;
        EmbeddedRegistryBackend backend;
        ServiceAnnouncer announcer;

        LocalInstance(String id) {
            this.id = id;
            this.parley = Parley.builder().service("echo-service").instanceId(id).transport(http).build();
            parley.serve(Echo.class, new EchoService());
        }

        void announce(String url, Duration ttl) {
            backend = backend(url, ttl);
            announcer = ServiceAnnouncer.builder(backend, parley).contract(Echo.class).transport(http).announce();
        }

        @Override
        public void close() {
            if (announcer != null) {
                announcer.close();
                backend.close();
            }
            parley.close();
            http.close();
        }
    }

    /** Records the directory's views of echo/v1 and waits for one that matches. */
    static final class Watcher implements ServiceDirectory.Listener {
        private final List<Long> times = new ArrayList<>();
        private final List<Set<String>> views = new ArrayList<>();

        @Override
        public synchronized void changed(ContractVersion version, List<ServiceInstance> ready) {
            times.add(System.nanoTime());
            views.add(ready.stream().map(ServiceInstance::id).collect(Collectors.toSet()));
            notifyAll();
        }

        /** The time of the first view at or after {@code since} that matches. */
        synchronized long await(long since, Predicate<Set<String>> condition) throws InterruptedException {
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int from = 0;
            while (true) {
                for (int i = from; i < views.size(); i++) {
                    if (times.get(i) >= since && condition.test(views.get(i))) {
                        return times.get(i);
                    }
                }
                if (!views.isEmpty() && condition.test(views.get(views.size() - 1)) && times.get(times.size() - 1) < since) {
                    return since; // already true when asked
                }
                from = views.size();
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("no matching view within 60 s; last " + (views.isEmpty() ? "none" : views.get(views.size() - 1)));
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** The child JVM of the crash rounds: serves, announces, prints ANNOUNCED, then waits to be killed. */
    public static final class ChildInstance {
        private ChildInstance() {}

        public static void main(String[] args) throws Exception {
            LocalInstance instance = new LocalInstance(args[1]);
            instance.announce(args[0], Duration.parse(args[2]));
            System.out.println("ANNOUNCED " + args[1]);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
