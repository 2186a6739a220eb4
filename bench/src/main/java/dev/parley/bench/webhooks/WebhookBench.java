package dev.parley.bench.webhooks;

import com.sun.net.httpserver.HttpServer;
import dev.parley.net.AddressClass;
import dev.parley.net.GuardedHttpClient;
import dev.parley.net.SsrfPolicy;
import dev.parley.webhooks.DeliveryStatus;
import dev.parley.webhooks.OutgoingEvent;
import dev.parley.webhooks.WebhookStore;
import dev.parley.webhooks.Webhooks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The webhooks measurements of docs/benchmarks.md (issue 7):
 *
 * <ol>
 * <li>deliveries per second to a local receiver with signing and durable queueing (H2 file
 *     store, or PostgreSQL; one endpoint, 4 in flight, 4 publishing threads), from the first
 *     publish until the receiver has every event, against plain unsigned POSTs of the same
 *     payload with the same {@link GuardedHttpClient}, 4 callers (target: at least 0.7x); once
 *     with one event per {@code publish} call, once with {@value #BATCH} events per
 *     {@code publishAll} call;</li>
 * <li>what a dead endpoint (accepts connections, never answers) costs a healthy one: the
 *     healthy endpoint's publish-to-receipt latency, p50/p99, at a fixed publish rate, alone and
 *     next to the dead one, interleaved for {@code rounds} rounds (target: median p99 within 10%).</li>
 * </ol>
 *
 * <pre>
 *   java -cp benchmarks.jar dev.parley.bench.webhooks.WebhookBench [events=20000] [rounds=3] [ratePerSecond=500] [store=h2|postgres]
 * </pre>
 *
 * The PostgreSQL store uses {@code PARLEY_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/postgres})
 * and {@code PARLEY_PG_USER} (default {@code postgres}), with tables of a fresh prefix per run.
 *
 * Prints one line per measurement and RATIO lines.
 */
public final class WebhookBench {

    private static final byte[] PAYLOAD = ("{\"type\":\"trips.TripCompleted\",\"timestamp\":\"2026-01-01T00:00:00Z\","
            + "\"data\":{\"tripId\":\"3f1c2a9e-5b7d-4e11-9c0a-2d4f6b8e1a37\",\"fareCents\":1250}}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] DATA = "{\"tripId\":\"3f1c2a9e-5b7d-4e11-9c0a-2d4f6b8e1a37\",\"fareCents\":1250}"
            .getBytes(StandardCharsets.UTF_8);

    /** Events per {@code publishAll} call in the batched run. */
    static final int BATCH = 50;

    private WebhookBench() {}

    /** Makes a fresh, empty store per run and removes it afterwards. */
    interface Stores extends AutoCloseable {
        WebhookStore open() throws Exception;

        void drop(WebhookStore store) throws Exception;

        @Override
        default void close() {}
    }

    static Stores h2Stores() {
        Map<WebhookStore, Path> dirs = new ConcurrentHashMap<>();
        return new Stores() {
            @Override
            public WebhookStore open() throws Exception {
                Path dir = Files.createTempDirectory("webhooks-bench");
                WebhookStore store = WebhookStore.h2File(dir.resolve("q"));
                dirs.put(store, dir);
                return store;
            }

            @Override
            public void drop(WebhookStore store) throws Exception {
                deleteTree(dirs.remove(store));
            }
        };
    }

    static Stores postgresStores() {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl(System.getenv().getOrDefault("PARLEY_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres"));
        config.setUsername(System.getenv().getOrDefault("PARLEY_PG_USER", "postgres"));
        config.setMaximumPoolSize(16);
        com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config);
        Map<WebhookStore, String> prefixes = new ConcurrentHashMap<>();
        return new Stores() {
            @Override
            public WebhookStore open() {
                String prefix = "whbench_" + Long.toString(System.nanoTime() & 0xffffffffL, 36) + "_";
                WebhookStore store = WebhookStore.postgres(pool, prefix);
                prefixes.put(store, prefix);
                return store;
            }

            @Override
            public void drop(WebhookStore store) throws Exception {
                String prefix = prefixes.remove(store);
                try (var c = pool.getConnection(); var st = c.createStatement()) {
                    for (String t : List.of("attempt", "delivery", "message", "endpoint")) {
                        st.execute("DROP TABLE IF EXISTS " + prefix + t);
                    }
                }
            }

            @Override
            public void close() {
                pool.close();
            }
        };
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        String storeName = args.length > 3 ? args[3] : "h2";
        System.out.printf("webhooks bench: %d events, %d rounds, %d/s for the isolation run, store %s, %d CPUs%n",
                events, rounds, rate, storeName, Runtime.getRuntime().availableProcessors());
        try (Receiver receiver = new Receiver();
             Stores stores = switch (storeName) {
                 case "h2" -> h2Stores();
                 case "postgres" -> postgresStores();
                 default -> throw new IllegalArgumentException("store: " + storeName + " (expected: h2 or postgres)");
             }) {
            GuardedHttpClient client = GuardedHttpClient.builder().ssrfPolicy(SsrfPolicy.strict().allowing(AddressClass.LOOPBACK)).build();
            for (int w = 0; w < 2; w++) { // warm-up: the JIT needs a while for both paths
                plainPerSecond(client, receiver, events);
                webhooksPerSecond(client, receiver, stores, events, 1);
                webhooksPerSecond(client, receiver, stores, events, BATCH);
            }
            List<Double> plain = new ArrayList<>();
            List<Double> signed = new ArrayList<>();
            List<Double> batched = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                plain.add(plainPerSecond(client, receiver, events));
                signed.add(webhooksPerSecond(client, receiver, stores, events, 1));
                batched.add(webhooksPerSecond(client, receiver, stores, events, BATCH));
                System.out.printf("round %d: plain %.0f/s, signed+durable %.0f/s, signed+durable publishAll(%d) %.0f/s%n",
                        r + 1, plain.get(r), signed.get(r), BATCH, batched.get(r));
            }
            double p = median(plain);
            double s = median(signed);
            double b = median(batched);
            System.out.printf("RATIO webhooks signed+durable/plain throughput=%.2f (%.0f/s vs %.0f/s; target >= 0.70)%n", s / p, s, p);
            System.out.printf("RATIO webhooks signed+durable publishAll(%d)/plain throughput=%.2f (%.0f/s vs %.0f/s; target >= 0.70)%n",
                    BATCH, b / p, b, p);

            // Alone and next to a dead endpoint, interleaved (the order alternating per round) so
            // that drift on a shared machine hits both alike; the verdict compares medians.
            int isolationEvents = Math.max(1_000, events / 4);
            isolation(client, receiver, stores, isolationEvents, rate, false); // warm-up
            List<Double> aloneP99 = new ArrayList<>();
            List<Double> deadP99 = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                for (boolean withDead : r % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                    double[] run = isolation(client, receiver, stores, isolationEvents, rate, withDead);
                    (withDead ? deadP99 : aloneP99).add(run[1]);
                    System.out.printf("round %d: healthy %-13s p50 %.2f ms, p99 %.2f ms%n", r + 1, withDead ? "+ dead:" : "alone:", run[0], run[1]);
                }
            }
            double a = median(aloneP99);
            double d = median(deadP99);
            System.out.printf("healthy p99, median of %d rounds: alone %.2f ms, next to a dead endpoint %.2f ms"
                    + " (alone, lowest to highest: %.2f-%.2f ms, the noise between identical runs)%n",
                    rounds, a, d, aloneP99.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                    aloneP99.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
            System.out.printf("RATIO webhooks dead-endpoint healthy p99 with/without=%.2f (target <= 1.10)%n", d / a);
        }
        System.exit(0);
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** This process's CPU time per event since {@code cpuBefore} (ns), in microseconds: steadier than throughput on a shared machine. */
    static double cpuMicrosPerEvent(long cpuBefore, int events) {
        return (OS.getProcessCpuTime() - cpuBefore) / 1e3 / events;
    }

    /** Unsigned POSTs of the same payload with the same client, 4 callers. */
    static double plainPerSecond(GuardedHttpClient client, Receiver receiver, int events) throws Exception {
        URI url = receiver.url("/plain");
        AtomicInteger left = new AtomicInteger(events);
        Map<String, String> headers = Map.of("content-type", "application/json");
        long cpu = OS.getProcessCpuTime();
        long start = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < 4; w++) {
                pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        int status = client.post(url, headers, PAYLOAD).status();
                        if (status != 204) {
                            throw new IllegalStateException("receiver answered " + status);
                        }
                    }
                    return null;
                });
            }
        }
        double perSecond = events / ((System.nanoTime() - start) / 1e9);
        System.out.printf("  plain: %.0f/s, CPU %.0f us/event%n", perSecond, cpuMicrosPerEvent(cpu, events));
        return perSecond;
    }

    /**
     * Events published through Webhooks (stored, signed, delivered) until the receiver has them
     * all; {@code batch} events per call ({@code publish} for 1, else {@code publishAll}).
     */
    static double webhooksPerSecond(GuardedHttpClient client, Receiver receiver, Stores stores, int events, int batch) throws Exception {
        WebhookStore store = stores.open();
        try (store;
             Webhooks webhooks = Webhooks.builder().store(store).httpClient(client).build()) {
            String ep = webhooks.createEndpoint(receiver.url("/signed"), Set.of("*"), "bench").endpoint().id();
            int before = receiver.count("/signed");
            AtomicInteger left = new AtomicInteger(events);
            long cpu = OS.getProcessCpuTime();
            long start = System.nanoTime();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                // 4 publishing threads, as the plain run has 4 callers
                for (int w = 0; w < 4; w++) {
                    pool.submit(() -> {
                        if (batch == 1) {
                            while (left.getAndDecrement() > 0) {
                                webhooks.publish("trips.TripCompleted", DATA);
                            }
                            return null;
                        }
                        for (int n; (n = take(left, batch)) > 0; ) {
                            List<OutgoingEvent> chunk = new ArrayList<>(n);
                            for (int i = 0; i < n; i++) {
                                chunk.add(webhooks.event("trips.TripCompleted", DATA));
                            }
                            webhooks.publishAll(chunk);
                        }
                        return null;
                    });
                }
            }
            while (receiver.count("/signed") - before < events) {
                Thread.sleep(1);
            }
            double perSecond = events / ((System.nanoTime() - start) / 1e9);
            System.out.printf("  signed+durable, %d per call: %.0f/s, CPU %.0f us/event%n", batch, perSecond, cpuMicrosPerEvent(cpu, events));
            if (webhooks.deliveries(ep, Optional.of(DeliveryStatus.FAILED), 1).size() > 0) {
                throw new IllegalStateException("failed deliveries in the bench");
            }
            return perSecond;
        } finally {
            stores.drop(store);
        }
    }

    /** Takes up to {@code n} from {@code left}; how many were taken. */
    static int take(AtomicInteger left, int n) {
        while (true) {
            int l = left.get();
            if (l <= 0) {
                return 0;
            }
            int t = Math.min(l, n);
            if (left.compareAndSet(l, l - t)) {
                return t;
            }
        }
    }

    /** Publishes at {@code rate}/s; returns the healthy endpoint's publish-to-receipt p50 and p99 in ms. */
    static double[] isolation(GuardedHttpClient client, Receiver receiver, Stores stores, int events, int rate, boolean withDead)
            throws Exception {
        WebhookStore store = stores.open();
        try (DeadEndpoint dead = new DeadEndpoint();
             store;
             Webhooks webhooks = Webhooks.builder().store(store).httpClient(client).build()) {
            webhooks.createEndpoint(receiver.url("/healthy"), Set.of("*"), "healthy");
            if (withDead) {
                webhooks.createEndpoint(dead.url(), Set.of("*"), "dead");
            }
            Map<String, Long> published = new ConcurrentHashMap<>();
            receiver.arrivals.clear();
            long intervalNanos = 1_000_000_000L / rate;
            long next = System.nanoTime();
            for (int i = 0; i < events; i++) {
                while (System.nanoTime() < next) {
                    Thread.onSpinWait();
                }
                long t = System.nanoTime();
                published.put(webhooks.publish("trips.TripCompleted", DATA), t);
                next += intervalNanos;
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (receiver.arrivals.size() < events && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            double[] latencies = receiver.arrivals.entrySet().stream()
                    .filter(e -> published.containsKey(e.getKey()))
                    .mapToDouble(e -> (e.getValue() - published.get(e.getKey())) / 1e6).sorted().toArray();
            if (latencies.length < events) {
                throw new IllegalStateException("only " + latencies.length + " of " + events + " arrived");
            }
            return new double[] {percentile(latencies, 0.50), percentile(latencies, 0.99)};
        } finally {
            stores.drop(store);
        }
    }

    static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v[v.length / 2];
    }

    static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** A local receiver answering 204, counting per path and timing arrivals on /healthy. */
    static final class Receiver implements AutoCloseable {
        final HttpServer server;
        final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        final Map<String, Long> arrivals = new ConcurrentHashMap<>();

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                try (exchange) {
                    exchange.getRequestBody().readAllBytes();
                    String path = exchange.getRequestURI().getPath();
                    if (path.equals("/healthy")) {
                        arrivals.putIfAbsent(exchange.getRequestHeaders().getFirst("webhook-id"), System.nanoTime());
                    }
                    counts.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
                    exchange.sendResponseHeaders(204, -1);
                }
            });
            server.start();
        }

        URI url(String path) {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
        }

        int count(String path) {
            AtomicInteger c = counts.get(path);
            return c == null ? 0 : c.get();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** Accepts connections and never answers: every attempt waits for the request timeout. */
    static final class DeadEndpoint implements AutoCloseable {
        final ServerSocket socket;
        final List<Socket> held = new CopyOnWriteArrayList<>();
        final AtomicLong accepted = new AtomicLong();

        DeadEndpoint() throws IOException {
            socket = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(socket.accept());
                        accepted.incrementAndGet();
                    }
                } catch (IOException closed) {
                    // bench over
                }
            });
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/dead");
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
