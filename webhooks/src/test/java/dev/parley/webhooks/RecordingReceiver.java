package dev.parley.webhooks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real local HTTP receiver for tests: records every request (headers, raw body) and answers
 * what {@link #respondWith} says. {@link #stop()} closes the port (connections are refused);
 * {@link #start()} opens it again on the same port.
 */
final class RecordingReceiver implements AutoCloseable {

    /** What the receiver answers. */
    record Answer(int status, Map<String, String> headers, String body) {
        static Answer of(int status) {
            return new Answer(status, Map.of(), "");
        }

        static Answer of(int status, String header, String value) {
            return new Answer(status, Map.of(header, value), "");
        }
    }

    /** A request as received. */
    record Received(String path, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Function<Received, Answer> responder = r -> Answer.of(204);
    private int port;
    private HttpServer server;

    private RecordingReceiver() {}

    static RecordingReceiver start204() throws IOException {
        RecordingReceiver r = new RecordingReceiver();
        r.start();
        return r;
    }

    synchronized void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        port = server.getAddress().getPort();
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                Map<String, String> headers = new HashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
                byte[] body = exchange.getRequestBody().readAllBytes();
                Received r = new Received(exchange.getRequestURI().toString(), headers, body);
                received.add(r);
                Answer a = responder.apply(r);
                a.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
                byte[] out = a.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
                if (out.length > 0) {
                    exchange.getResponseBody().write(out);
                }
            }
        });
        server.start();
    }

    synchronized void stop() {
        server.stop(0);
    }

    void respondWith(Function<Received, Answer> value) {
        this.responder = value;
    }

    void respondWith(int status) {
        this.responder = r -> Answer.of(status);
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    int port() {
        return port;
    }

    List<Received> received() {
        return new ArrayList<>(received);
    }

    /** Forgets what was received so far. */
    void clear() {
        received.clear();
    }

    List<Received> received(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
        stop();
    }
}
