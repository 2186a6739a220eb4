package dev.parley.jwt;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server on 127.0.0.1 that publishes a JWK set and counts how often it was fetched. */
final class JwksServer implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile String jwks = "{\"keys\":[]}";

    private JwksServer(HttpServer server) {
        this.server = server;
    }

    static JwksServer start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        JwksServer s = new JwksServer(http);
        http.createContext("/jwks.json", exchange -> {
            s.fetches.incrementAndGet();
            byte[] body = s.jwks.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("content-type", "application/jwk-set+json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        return s;
    }

    void publish(String jwkSet) {
        this.jwks = jwkSet;
    }

    int fetches() {
        return fetches.get();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
