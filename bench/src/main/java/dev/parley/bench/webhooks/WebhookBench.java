package dev.parley.bench.webhooks;

import com.sun.net.httpserver.HttpServer;
import dev.parley.net.AddressClass;
import dev.parley.net.GuardedHttpClient;
import dev.parley.net.SsrfPolicy;
import dev.parley.webhooks.DeliveryStatus;
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
 *     store, one endpoint, 4 in flight, 4 publishing threads), from the first publish until the
 *     receiver has every event, against plain unsigned POSTs of the same payload with the same
 *     {@link GuardedHttpClient}, 4 callers (target: at least 0.7x);</li>
 * <li>what a dead endpoint (accepts connections, never answers) costs a healthy one: the
 *     healthy endpoint's publish-to-receipt latency, p50/p99, at a fixed publish rate, alone and
 *     next to the dead one (target: p99 within 10%).</li>
 * </ol>
 *
 * <pre>
 *   java -cp benchmarks.jar dev.parley.bench.webhooks.WebhookBench [events=20000] [rounds=3] [ratePerSecond=500]
 * </pre>
 *
 * Prints one line per measurement and RATIO lines.
 */
public final class WebhookBench {

    private static final byte[] PAYLOAD = ("{\"type\":\"trips.TripCompleted\",\"timestamp\":\"2026-01-01T00:00:00Z\","
            + "\"data\":{\"tripId\":\"3f1c2a9e-5b7d-4e11-9c0a-2d4f6b8e1a37\",\"fareCents\":1250}}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] DATA = "{\"tripId\":\"3f1c2a9e-5b7d-4e11-9c0a-2d4f6b8e1a37\",\"fareCents\":1250}"
            .getBytes(StandardCharsets.UTF_8);

    private WebhookBench() {}

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        System.out.printf("webhooks bench: %d events, %d rounds, %d/s for the isolation run, %d CPUs%n",
                events, rounds, rate, Runtime.getRuntime().availableProcessors());
        try (Receiver receiver = new Receiver()) {
            GuardedHttpClient client = GuardedHttpClient.builder().ssrfPolicy(SsrfPolicy.strict().allowing(AddressClass.LOOPBACK)).build();
            for (int w = 0; w < 2; w++) { // warm-up: the JIT needs a while for both paths
                plainPerSecond(client, receiver, events);
                webhooksPerSecond(client, receiver, events);
            }
            List<Double> plain = new ArrayList<>();
            List<Double> signed = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                plain.add(plainPerSecond(client, receiver, events));
                signed.add(webhooksPerSecond(client, receiver, events));
                System.out.printf("round %d: plain %.0f/s, signed+durable %.0f/s%n", r + 1, plain.get(r), signed.get(r));
            }
            double p = median(plain);
            double s = median(signed);
            System.out.printf("RATIO webhooks signed+durable/plain throughput=%.2f (%.0f/s vs %.0f/s; target >= 0.70)%n", s / p, s, p);

            int isolationEvents = Math.max(1_000, events / 4);
            isolation(client, receiver, isolationEvents, rate, false); // warm-up
            double[] alone = isolation(client, receiver, isolationEvents, rate, false);
            double[] withDead = isolation(client, receiver, isolationEvents, rate, true);
            System.out.printf("healthy alone:         p50 %.2f ms, p99 %.2f ms%n", alone[0], alone[1]);
            System.out.printf("healthy + dead:        p50 %.2f ms, p99 %.2f ms%n", withDead[0], withDead[1]);
            System.out.printf("RATIO webhooks dead-endpoint healthy p99 with/without=%.2f (target <= 1.10)%n", withDead[1] / alone[1]);
        }
        System.exit(0);
    }

    /** Unsigned POSTs of the same payload with the same client, 4 callers. */
    static double plainPerSecond(GuardedHttpClient client, Receiver receiver, int events) throws Exception {
        URI url = receiver.url("/plain");
        AtomicInteger left = new AtomicInteger(events);
        Map<String, String> headers = Map.of("content-type", "application/json");
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
        return events / ((System.nanoTime() - start) / 1e9);
    }

    /** Events published through Webhooks (stored, signed, delivered) until the receiver has them all. */
    static double webhooksPerSecond(GuardedHttpClient client, Receiver receiver, int events) throws Exception {
        Path dir = Files.createTempDirectory("webhooks-bench");
        try (WebhookStore store = WebhookStore.h2File(dir.resolve("q"));
             Webhooks webhooks = Webhooks.builder().store(store).httpClient(client).build()) {
            String ep = webhooks.createEndpoint(receiver.url("/signed"), Set.of("*"), "bench").endpoint().id();
            int before = receiver.count("/signed");
            AtomicInteger left = new AtomicInteger(events);
            long start = System.nanoTime();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                // 4 publishing threads, as the plain run has 4 callers
                for (int w = 0; w < 4; w++) {
                    pool.submit(() -> {
                        while (left.getAndDecrement() > 0) {
                            webhooks.publish("trips.TripCompleted", DATA);
                        }
                        return null;
                    });
                }
            }
            while (receiver.count("/signed") - before < events) {
                Thread.sleep(1);
            }
            double perSecond = events / ((System.nanoTime() - start) / 1e9);
            if (webhooks.deliveries(ep, Optional.of(DeliveryStatus.FAILED), 1).size() > 0) {
                throw new IllegalStateException("failed deliveries in the bench");
            }
            return perSecond;
        } finally {
            deleteTree(dir);
        }
    }

    /** Publishes at {@code rate}/s; returns the healthy endpoint's publish-to-receipt p50 and p99 in ms. */
    static double[] isolation(GuardedHttpClient client, Receiver receiver, int events, int rate, boolean withDead) throws Exception {
        Path dir = Files.createTempDirectory("webhooks-bench");
        try (DeadEndpoint dead = new DeadEndpoint();
             WebhookStore store = WebhookStore.h2File(dir.resolve("q"));
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
            deleteTree(dir);
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
