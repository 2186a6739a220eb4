package dev.parley.bench.discovery;

import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.DiscoveryBackend;
import dev.parley.discovery.ServiceInstance;
import dev.parley.discovery.etcd.EtcdDiscovery;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * How long etcd-backed discovery takes to show a change to a watcher: registration (lease grant +
 * put) until a watch in another backend sees the instance, lease revoke (graceful close) until it
 * sees it gone, and a crash (a child JVM killed with SIGKILL, so its keep-alives stop) until the
 * lease's TTL lapsed and the watcher sees it gone. Runs a real etcd ({@code /usr/bin/etcd}, or
 * {@code --etcd PATH}) as a child process on free ports with a temporary data directory, unless
 * {@code --endpoint URL} names a running one.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.parley.bench.discovery.EtcdVisibility [--rounds 50] [--crashes 10] [--ttl PT3S]
 * </pre>
 */
public final class EtcdVisibility {

    private static final ContractVersion ECHO = new ContractVersion("echo", 1);

    private EtcdVisibility() {}

    public static void main(String[] args) throws Exception {
        int rounds = 50;
        int crashes = 10;
        Duration ttl = Duration.ofSeconds(3);
        String endpoint = null;
        String binary = "/usr/bin/etcd";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--crashes" -> crashes = Integer.parseInt(args[i + 1]);
                case "--ttl" -> ttl = Duration.parse(args[i + 1]);
                case "--endpoint" -> endpoint = args[i + 1];
                case "--etcd" -> binary = args[i + 1];
                default -> throw new IllegalArgumentException(args[i] + ": unknown option (expected: --rounds, --crashes, --ttl, --endpoint, --etcd)");
            }
        }
        Process etcd = null;
        Path dir = null;
        try {
            if (endpoint == null) {
                dir = Files.createTempDirectory("parley-etcd-bench-");
                int client = freePort();
                int peer = freePort();
                endpoint = "http://127.0.0.1:" + client;
                etcd = new ProcessBuilder(binary, "--name", "bench", "--data-dir", dir.resolve("data").toString(),
                        "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint,
                        "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                        "--initial-cluster", "bench=http://127.0.0.1:" + peer, "--logger", "zap", "--log-level", "error")
                        .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
                awaitHealthy(endpoint, etcd);
            }
            run(endpoint, rounds, crashes, ttl);
        } finally {
            if (etcd != null) {
                etcd.destroyForcibly();
                etcd.waitFor(30, TimeUnit.SECONDS);
            }
            if (dir != null) {
                try (var paths = Files.walk(dir)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        System.exit(0);
    }

    @SuppressWarnings("try") // the watch is opened for its effect
    private static void run(String endpoint, int rounds, int crashes, Duration ttl) throws Exception {
        String prefix = "/parley-bench-" + Long.toHexString(System.nanoTime());
        Watcher watcher = new Watcher();
        try (EtcdDiscovery registrar = backend(endpoint, prefix, ttl); EtcdDiscovery client = backend(endpoint, prefix, ttl);
             DiscoveryBackend.Watch watch = client.watch(ECHO, watcher)) {
            watcher.await(System.nanoTime(), ids -> true);
            List<Long> registered = new ArrayList<>();
            List<Long> revoked = new ArrayList<>();
            for (int r = -5; r < rounds; r++) { // 5 rounds of warm-up
                String id = "echo-" + r;
                long t0 = System.nanoTime();
                DiscoveryBackend.Lease lease = registrar.register(instance(id));
                long seen = watcher.await(t0, ids -> ids.contains(id)) - t0;
                long t1 = System.nanoTime();
                lease.close();
                long gone = watcher.await(t1, ids -> !ids.contains(id)) - t1;
                if (r >= 0) {
                    registered.add(seen);
                    revoked.add(gone);
                }
            }
            List<Long> crashed = new ArrayList<>();
            for (int r = 0; r < crashes; r++) {
                String id = "child-" + r;
                long started = System.nanoTime();
                Process child = startChild(endpoint, prefix, id, ttl);
                try {
                    watcher.await(started, ids -> ids.contains(id));
                    long t0 = System.nanoTime();
                    child.destroyForcibly();
                    crashed.add(watcher.await(t0, ids -> !ids.contains(id)) - t0);
                } finally {
                    child.destroyForcibly();
                    child.waitFor();
                }
            }
            System.out.printf(Locale.ROOT, "ETCD etcd %s via the v3 JSON gateway, lease ttl %s (keep-alive every %s ms), %d CPUs%n",
                    version(endpoint), ttl, ttl.toMillis() / 3, Runtime.getRuntime().availableProcessors());
            print("register() -> watcher sees it", registered);
            print("lease close (revoke) -> watcher sees it gone", revoked);
            print("crash (SIGKILL, TTL lapses) -> watcher sees it gone", crashed);
        }
    }

    static EtcdDiscovery backend(String endpoint, String prefix, Duration ttl) {
        return EtcdDiscovery.builder().endpoints(endpoint).keyPrefix(prefix).leaseTtl(ttl)
                .backoff(Duration.ofMillis(20), Duration.ofMillis(500)).build();
    }

    static ServiceInstance instance(String id) {
        return new ServiceInstance(id, "echo-service", Set.of(ECHO), Map.of("http", "http://127.0.0.1:8080"), Map.of(), true);
    }

    private static void print(String what, List<Long> nanos) {
        if (nanos.isEmpty()) {
            return;
        }
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        System.out.printf(Locale.ROOT, "ETCD %-55s n=%d min_ms=%.1f median_ms=%.1f p90_ms=%.1f max_ms=%.1f%n", what, sorted.size(),
                sorted.get(0) / 1e6, sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) Math.ceil(sorted.size() * 0.9) - 1) / 1e6,
                sorted.get(sorted.size() - 1) / 1e6);
    }

    private static Process startChild(String endpoint, String prefix, String id, Duration ttl) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName(), endpoint, prefix, id,
                ttl.toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("REGISTERED")) {
            // skip the child's log lines
        }
        Thread.ofVirtual().start(() -> {
            try {
                while (out.readLine() != null) {
                    // drain
                }
            } catch (IOException ignored) {
                // the child was killed
            }
        });
        return p;
    }

    private static String version(String endpoint) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(endpoint + "/version")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.body().replaceAll(".*\"etcdserver\":\"([^\"]+)\".*", "$1");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    private static void awaitHealthy(String endpoint, Process etcd) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!etcd.isAlive()) {
                throw new IllegalStateException("etcd exited with " + etcd.exitValue() + " during start");
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(endpoint + "/health")).build(), HttpResponse.BodyHandlers.ofString())
                        .body().contains("\"true\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("etcd at " + endpoint + " not healthy within 60 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Records the watch's snapshots with the time each arrived. */
    static final class Watcher implements DiscoveryBackend.Listener {
        private final List<Long> times = new ArrayList<>();
        private final List<Set<String>> snapshots = new ArrayList<>();

        @Override
        public synchronized void instances(List<ServiceInstance> instances) {
            times.add(System.nanoTime());
            snapshots.add(instances.stream().map(ServiceInstance::id).collect(java.util.stream.Collectors.toSet()));
            notifyAll();
        }

        /** The arrival time of the first snapshot at or after {@code since} that matches. */
        synchronized long await(long since, Predicate<Set<String>> condition) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                for (int i = 0; i < snapshots.size(); i++) {
                    if (times.get(i) >= since && condition.test(snapshots.get(i))) {
                        return times.get(i);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("no matching snapshot within 60 s; last: " + (snapshots.isEmpty() ? "none" : snapshots.getLast()));
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** A process that registers one instance and waits to be killed. Arguments: endpoint, key prefix, id, TTL. */
    public static final class Child {
        private Child() {}

        public static void main(String[] args) throws InterruptedException {
            EtcdDiscovery etcd = backend(args[0], args[1], Duration.parse(args[3]));
            etcd.register(instance(args[2]));
            System.out.println("REGISTERED");
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(10));
        }
    }
}
