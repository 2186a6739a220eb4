package dev.parley.examples.taxi;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.parley.webhooks.WebhookEvent;
import dev.parley.webhooks.WebhookReceiver;
import dev.parley.webhooks.WebhookSecret;
import dev.parley.webhooks.WebhookVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The partner's side of the webhooks: a small HTTP endpoint of another organisation that
 * receives the trip events and accepts only what is signed with the secret it was given.
 * It answers 204 to a verified webhook, 401 to a bad signature or timestamp, 400 to a
 * malformed one (see {@link WebhookReceiver}).
 */
final class PartnerReceiver implements AutoCloseable {

    static final String PATH = "/webhooks/trips";

    private final HttpServer server;
    private final String host;
    private final Consumer<String> out;
    private final List<WebhookEvent<JsonNode>> received = new CopyOnWriteArrayList<>();

    private PartnerReceiver(HttpServer server, String host, Consumer<String> out) {
        this.server = server;
        this.host = host;
        this.out = out;
    }

    /** Binds the receiver; it answers 404 until {@link #accept} gives it the secret. */
    static PartnerReceiver bind(String host, int port, Consumer<String> out) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return new PartnerReceiver(server, host, out);
        } catch (IOException e) {
            throw new UncheckedIOException("partner receiver on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** The URL the notification service delivers to. */
    String url() {
        return "http://" + host + ":" + server.getAddress().getPort() + PATH;
    }

    /** Starts accepting webhooks signed with {@code secret}. */
    void accept(WebhookSecret secret) {
        WebhookVerifier verifier = WebhookVerifier.builder().secret(secret).build();
        server.createContext(PATH, WebhookReceiver.handler(verifier, JsonNode.class, 64 * 1024, event -> {
            received.add(event);
            out.accept("partner: verified webhook " + event.type() + " for " + event.data().path("tripId").asText("?"));
        }));
    }

    /** Every webhook verified so far. */
    List<WebhookEvent<JsonNode>> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
