package dev.parley.webhooks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A receiving endpoint for the JDK's built-in HTTP server ({@code com.sun.net.httpserver}):
 * reads the raw body (up to a limit), verifies it with a {@link WebhookVerifier}, decodes the
 * payload and hands the typed {@link WebhookEvent} to the handler.
 *
 * <p>Answers: 204 when the handler returned; 200 without calling the handler for a replayed
 * {@code webhook-id} (the sender retried a webhook already processed: acknowledge it so it
 * stops); 401 for a bad signature or timestamp; 400 for a missing header or malformed payload;
 * 413 for a body over the limit; 405 for anything but POST; 500 when the handler threw, after
 * forgetting the id so the sender's retry is processed.
 */
public final class WebhookReceiver {

    private static final Logger log = LoggerFactory.getLogger(WebhookReceiver.class);

    /** The default body limit: the specification recommends payloads well under 20 kB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

    private WebhookReceiver() {}

    public static <T> HttpHandler handler(WebhookVerifier verifier, Class<T> dataType, Consumer<WebhookEvent<T>> handler) {
        return handler(verifier, dataType, DEFAULT_MAX_BODY_BYTES, handler);
    }

    public static <T> HttpHandler handler(WebhookVerifier verifier, Class<T> dataType, int maxBodyBytes,
                                          Consumer<WebhookEvent<T>> handler) {
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: >= 1)");
        }
        return exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("POST")) {
                    respond(exchange, 405, "POST only");
                    return;
                }
                byte[] body = readBody(exchange.getRequestBody(), maxBodyBytes);
                if (body == null) {
                    respond(exchange, 413, "body over " + maxBodyBytes + " bytes");
                    return;
                }
                WebhookEvent<T> event;
                try {
                    VerifiedWebhook verified = verifier.verify(
                            name -> Optional.ofNullable(exchange.getRequestHeaders().getFirst(name)), body);
                    event = WebhookVerifier.decode(verified, dataType);
                } catch (WebhookVerificationException e) {
                    switch (e.reason()) {
                        case REPLAYED -> respond(exchange, 200, "already received");
                        case MISSING_HEADER, MALFORMED_TIMESTAMP, MALFORMED_PAYLOAD -> respond(exchange, 400, e.getMessage());
                        default -> respond(exchange, 401, e.getMessage());
                    }
                    return;
                }
                try {
                    handler.accept(event);
                } catch (RuntimeException e) {
                    verifier.forget(event.id());
                    log.warn("webhook {} ({}): handler failed; the sender will retry", event.id(), event.type(), e);
                    respond(exchange, 500, "handler failed");
                    return;
                }
                exchange.sendResponseHeaders(204, -1);
            }
        };
    }

    private static byte @org.jspecify.annotations.Nullable [] readBody(InputStream in, int max) throws IOException {
        byte[] body = in.readNBytes(max + 1);
        return body.length > max ? null : body;
    }

    private static void respond(HttpExchange exchange, int status, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
