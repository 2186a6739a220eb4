package dev.parley.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.parley.discovery.RecordingWatchListener;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake of the one corner of the Kubernetes API this module uses, on a real socket (JDK
 * {@code HttpServer}): {@code GET /apis/discovery.k8s.io/v1/namespaces/<ns>/endpointslices} with
 * {@code labelSelector} (equality terms), as a list and as a watch ({@code watch=true},
 * {@code resourceVersion}, {@code timeoutSeconds}, chunked newline-delimited JSON events), resource
 * versions with a compaction horizon (410 Gone, as an HTTP status or as an ERROR event, both of
 * which real API servers send), and a bearer token check. Tests mutate slices, cut watch
 * streams, write raw lines into them, and stop and restart the server on the same port.
 *
 * <p>It is not a cluster: it implements what the Kubernetes API documentation specifies for
 * these requests, nothing else.
 */
final class FakeKubernetesApi implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/apis/discovery.k8s.io/v1/namespaces/";
    private static final String CUT = "\u0000cut";

    private final String token;
    private final Object lock = new Object();
    private final Map<String, ObjectNode> slices = new LinkedHashMap<>();
    private final List<Event> history = new ArrayList<>();
    private final List<OpenWatch> open = new CopyOnWriteArrayList<>();
    final AtomicInteger lists = new AtomicInteger();
    final AtomicInteger watches = new AtomicInteger();
    final AtomicInteger unauthorized = new AtomicInteger();
    private volatile boolean goneAsHttpStatus;
    private long resourceVersion = 1000;
    private long oldestWatchable;
    private int port;
    private HttpServer server;

    private record Event(long rv, String namespace, String type, ObjectNode object) {
    }

    private record OpenWatch(int seq, String namespace, Map<String, String> selector, LinkedBlockingQueue<String> lines) {
    }

    private final javax.net.ssl.@org.jspecify.annotations.Nullable SSLContext tls;

    private FakeKubernetesApi(String token, javax.net.ssl.@org.jspecify.annotations.Nullable SSLContext tls) {
        this.token = token;
        this.tls = tls;
    }

    static FakeKubernetesApi start(String token) {
        FakeKubernetesApi api = new FakeKubernetesApi(token, null);
        api.listen(0);
        return api;
    }

    /** Over HTTPS with the server certificate of {@code tls}, as a real API server. */
    static FakeKubernetesApi startTls(String token, javax.net.ssl.SSLContext tls) {
        FakeKubernetesApi api = new FakeKubernetesApi(token, tls);
        api.listen(0);
        return api;
    }

    String url() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    /** Answers 410 with an HTTP status instead of an ERROR event. */
    void goneAsHttpStatus(boolean value) {
        goneAsHttpStatus = value;
    }

    /** Creates or replaces a slice (ADDED or MODIFIED). */
    void apply(String namespace, ObjectNode slice) {
        synchronized (lock) {
            String name = slice.path("metadata").path("name").asText();
            ObjectNode copy = slice.deepCopy();
            ((ObjectNode) copy.path("metadata")).put("resourceVersion", Long.toString(++resourceVersion));
            String type = slices.put(namespace + "/" + name, copy) == null ? "ADDED" : "MODIFIED";
            publish(new Event(resourceVersion, namespace, type, copy));
        }
    }

    void delete(String namespace, String name) {
        synchronized (lock) {
            ObjectNode removed = slices.remove(namespace + "/" + name);
            if (removed != null) {
                ObjectNode copy = removed.deepCopy();
                ((ObjectNode) copy.path("metadata")).put("resourceVersion", Long.toString(++resourceVersion));
                publish(new Event(resourceVersion, namespace, "DELETED", copy));
            }
        }
    }

    /** Forgets the event history: every resource version seen so far is now too old to watch from. */
    void compact() {
        synchronized (lock) {
            oldestWatchable = resourceVersion + 1;
            history.clear();
        }
    }

    /** Ends every open watch stream (cleanly, as an API server restart or a load balancer would). */
    void cutWatches() {
        open.forEach(w -> w.lines().add(CUT));
    }

    /**
     * Writes {@code line} (and a newline) as is into the newest open watch stream (older ones may
     * belong to watchers that already left); its sequence number, 0 when none is open.
     */
    int sendRaw(String line) {
        return open.stream().max(java.util.Comparator.comparingInt(OpenWatch::seq)).map(w -> {
            w.lines().add(line);
            return w.seq();
        }).orElse(0);
    }

    /** Waits until a watch newer than {@code seq} is open. */
    void awaitWatchNewerThan(int seq) throws InterruptedException {
        long deadline = System.nanoTime() + RecordingWatchListener.WAIT.toNanos();
        while (open.stream().noneMatch(w -> w.seq() > seq)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no watch newer than #" + seq + " within " + RecordingWatchListener.WAIT);
            }
            Thread.sleep(10);
        }
    }

    int openWatches() {
        return open.size();
    }

    /** Stops listening and drops every connection: the API server is down. */
    void stop() {
        cutWatches();
        server.stop(0);
    }

    /** Listens again on the same port. */
    void restart() {
        listen(port);
    }

    @Override
    public void close() {
        stop();
    }

    private void publish(Event e) {
        history.add(e);
        String line = line(e.type(), e.object());
        for (OpenWatch w : open) {
            if (w.namespace().equals(e.namespace()) && matches(e.object(), w.selector())) {
                w.lines().add(line);
            }
        }
    }

    private void listen(int onPort) {
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort);
            if (tls == null) {
                server = HttpServer.create(address, 50);
            } else {
                com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(address, 50);
                https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("fake Kubernetes API: cannot listen on port " + onPort, e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("authorization"))) {
                unauthorized.incrementAndGet();
                status(exchange, 401, "Unauthorized", "Unauthorized");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("GET") || !path.startsWith(PREFIX) || !path.endsWith("/endpointslices")) {
                status(exchange, 404, "NotFound", "the server could not find the requested resource");
                return;
            }
            String namespace = path.substring(PREFIX.length(), path.length() - "/endpointslices".length());
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            Map<String, String> selector = selector(query.getOrDefault("labelSelector", ""));
            if ("true".equals(query.get("watch"))) {
                watch(exchange, namespace, selector, query);
            } else {
                list(exchange, namespace, selector, query.containsKey("limit"));
            }
        }
    }

    private void list(HttpExchange exchange, String namespace, Map<String, String> selector, boolean limited) throws IOException {
        lists.incrementAndGet();
        ObjectNode list = JSON.createObjectNode().put("kind", "EndpointSliceList").put("apiVersion", "discovery.k8s.io/v1");
        synchronized (lock) {
            list.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
            var items = list.putArray("items");
            slices.forEach((key, slice) -> {
                if (key.startsWith(namespace + "/") && matches(slice, selector) && !(limited && items.size() >= 1)) {
                    items.add(slice);
                }
            });
        }
        byte[] body = JSON.writeValueAsBytes(list);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    private void watch(HttpExchange exchange, String namespace, Map<String, String> selector, Map<String, String> query) throws IOException {
        int seq = watches.incrementAndGet();
        long from;
        try {
            from = Long.parseLong(query.getOrDefault("resourceVersion", "0"));
        } catch (NumberFormatException e) {
            status(exchange, 400, "BadRequest", "invalid resourceVersion");
            return;
        }
        long timeoutSeconds = Long.parseLong(query.getOrDefault("timeoutSeconds", "1800"));
        OpenWatch w = new OpenWatch(seq, namespace, selector, new LinkedBlockingQueue<>());
        boolean gone;
        synchronized (lock) {
            gone = from < oldestWatchable;
            if (!gone) {
                for (Event e : history) {
                    if (e.rv() > from && e.namespace().equals(namespace) && matches(e.object(), selector)) {
                        w.lines().add(line(e.type(), e.object()));
                    }
                }
                open.add(w);
            }
        }
        if (gone && goneAsHttpStatus) {
            status(exchange, 410, "Expired", "too old resource version: " + from + " (" + oldestWatchable + ")");
            return;
        }
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        out.flush(); // the headers, now: a real API server answers a watch at once
        if (gone) {
            ObjectNode status = statusObject(410, "Expired", "too old resource version: " + from + " (" + oldestWatchable + ")");
            out.write((line("ERROR", status) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try {
            while (System.nanoTime() < deadline) {
                String line = w.lines().poll(100, TimeUnit.MILLISECONDS);
                if (line == null) {
                    continue;
                }
                if (line.equals(CUT)) {
                    return;
                }
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientLeft) {
            // the watcher closed its end
        } finally {
            open.remove(w);
        }
    }

    private static String line(String type, JsonNode object) {
        ObjectNode event = JSON.createObjectNode().put("type", type);
        event.set("object", object);
        return event.toString();
    }

    private static void status(HttpExchange exchange, int code, String reason, String message) throws IOException {
        byte[] body = JSON.writeValueAsBytes(statusObject(code, reason, message));
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(code, body.length);
        exchange.getResponseBody().write(body);
    }

    private static ObjectNode statusObject(int code, String reason, String message) {
        ObjectNode status = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1");
        status.putObject("metadata");
        return status.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    }

    private static boolean matches(JsonNode slice, Map<String, String> selector) {
        JsonNode labels = slice.path("metadata").path("labels");
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.path(e.getKey()).asText(null)));
    }

    private static Map<String, String> selector(String text) {
        Map<String, String> terms = new LinkedHashMap<>();
        for (String term : text.split(",")) {
            if (term.isBlank()) {
                continue;
            }
            String[] kv = term.split("==?", 2);
            terms.put(kv[0].trim(), kv.length > 1 ? kv[1].trim() : "");
        }
        return terms;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) {
            return q;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }
}
