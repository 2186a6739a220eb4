package dev.parley.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.parley.Authenticator;
import dev.parley.CallerIdentity;
import dev.parley.ErrorCode;
import dev.parley.ParleyException;
import dev.parley.message.Headers;
import dev.parley.net.UnsafeTargetException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscription management REST API of a {@link Webhooks} instance, on the JDK's HTTP server.
 * Every request must carry credentials the {@link Authenticator} accepts (normally
 * {@code authorization: Bearer <token>}, e.g. with the JWT module's authenticator) and the
 * {@link Builder#requiredScope required scope} ({@code webhooks:admin} by default): 401
 * without valid credentials, 403 without the scope.
 *
 * <pre>
 * GET    /webhooks/endpoints                                   list
 * POST   /webhooks/endpoints              {url, eventTypes, description}  create (201, shows the secret once)
 * GET    /webhooks/endpoints/{id}                              one
 * DELETE /webhooks/endpoints/{id}                              delete (204)
 * POST   /webhooks/endpoints/{id}/pause                        pause
 * POST   /webhooks/endpoints/{id}/resume                       resume (also re-enables a disabled one)
 * POST   /webhooks/endpoints/{id}/rotate-secret                new secret; the old one signs for the overlap
 * GET    /webhooks/endpoints/{id}/deliveries?status=&amp;limit=    delivery log with attempts, newest first
 * POST   /webhooks/endpoints/{id}/deliveries/{msg}/replay      send one message again (202)
 * POST   /webhooks/endpoints/{id}/replay-failed                send every failed message again (202)
 * </pre>
 *
 * <p>Errors are {@code application/problem+json} ({@code status}, {@code title}, {@code detail}).
 * Bind it to an internal interface or put it behind TLS termination: it hands out secrets.
 */
public final class WebhookAdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookAdminServer.class);
    private static final int MAX_BODY = 64 * 1024;

    private final Webhooks webhooks;
    private final Authenticator authenticator;
    private final String requiredScope;
    private final String base;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    private WebhookAdminServer(Builder b) throws IOException {
        this.webhooks = b.webhooks;
        this.authenticator = b.authenticator;
        this.requiredScope = b.requiredScope;
        this.base = b.basePath;
        this.server = HttpServer.create(new InetSocketAddress(b.host, b.port), 100);
        server.setExecutor(executor);
        server.createContext(base + "/", this::handle);
        server.start();
    }

    /** An admin API for {@code webhooks}, checking callers with {@code authenticator}. */
    public static Builder builder(Webhooks webhooks, Authenticator authenticator) {
        return new Builder(webhooks, authenticator);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                authorize(exchange);
                route(exchange);
            } catch (ApiError e) {
                problem(exchange, e.status, e.getMessage());
            } catch (UnknownEndpointException e) {
                problem(exchange, 404, e.getMessage());
            } catch (IllegalArgumentException e) { // UnsafeTargetException included
                problem(exchange, 400, e.getMessage());
            } catch (RuntimeException e) {
                log.error("webhooks admin: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                problem(exchange, 500, "internal error");
            }
        }
    }

    private void authorize(HttpExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst("authorization");
        Headers headers = auth == null ? Headers.empty() : Headers.builder().set("authorization", auth).build();
        CallerIdentity caller;
        try {
            caller = authenticator.authenticate(headers);
        } catch (ParleyException e) {
            if (e.code() == ErrorCode.PERMISSION_DENIED) {
                throw new ApiError(403, "permission denied");
            }
            exchange.getResponseHeaders().set("www-authenticate", "Bearer");
            throw new ApiError(401, "authentication required");
        }
        if (!caller.scopes().contains(requiredScope)) {
            throw new ApiError(403, "scope " + requiredScope + " required");
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath().substring(base.length());
        String[] parts = path.replaceAll("/+$", "").split("/");
        // parts[0] is "" (the path starts with '/'), parts[1] is "endpoints"
        if (parts.length < 2 || !parts[1].equals("endpoints")) {
            throw new ApiError(404, "no such resource: " + path);
        }
        if (parts.length == 2) {
            switch (method) {
                case "GET" -> json(exchange, 200, Json.MAPPER.valueToTree(webhooks.endpoints()));
                case "POST" -> json(exchange, 201, create(readJson(exchange)));
                default -> throw methodNotAllowed(method, path);
            }
            return;
        }
        String id = decode(parts[2]);
        if (parts.length == 3) {
            switch (method) {
                case "GET" -> json(exchange, 200, Json.MAPPER.valueToTree(
                        webhooks.endpoint(id).orElseThrow(() -> new UnknownEndpointException(id))));
                case "DELETE" -> {
                    if (!webhooks.delete(id)) {
                        throw new UnknownEndpointException(id);
                    }
                    exchange.sendResponseHeaders(204, -1);
                }
                default -> throw methodNotAllowed(method, path);
            }
            return;
        }
        String action = parts[3];
        if (parts.length == 4 && action.equals("deliveries") && method.equals("GET")) {
            Map<String, String> query = query(exchange.getRequestURI());
            Optional<DeliveryStatus> status = Optional.ofNullable(query.get("status")).map(s -> parseStatus(s));
            int limit = Optional.ofNullable(query.get("limit")).map(WebhookAdminServer::parseLimit).orElse(50);
            json(exchange, 200, Json.MAPPER.valueToTree(webhooks.deliveries(id, status, limit)));
            return;
        }
        if (!method.equals("POST")) {
            throw methodNotAllowed(method, path);
        }
        if (parts.length == 4) {
            switch (action) {
                case "pause" -> json(exchange, 200, Json.MAPPER.valueToTree(webhooks.pause(id)));
                case "resume" -> json(exchange, 200, Json.MAPPER.valueToTree(webhooks.resume(id)));
                case "rotate-secret" -> json(exchange, 200, secretJson(webhooks.rotateSecret(id)));
                case "replay-failed" -> json(exchange, 202, Json.MAPPER.createObjectNode().put("replayed", webhooks.replayFailed(id)));
                default -> throw new ApiError(404, "no such resource: " + path);
            }
            return;
        }
        if (parts.length == 6 && action.equals("deliveries") && parts[5].equals("replay")) {
            String messageId = decode(parts[4]);
            if (!webhooks.replay(id, messageId)) {
                throw new ApiError(404, "message " + messageId + ": never queued for endpoint " + id);
            }
            json(exchange, 202, Json.MAPPER.createObjectNode().put("replayed", 1));
            return;
        }
        throw new ApiError(404, "no such resource: " + path);
    }

    private JsonNode create(JsonNode body) {
        JsonNode url = body.get("url");
        if (url == null || !url.isTextual()) {
            throw new ApiError(400, "url: missing (expected: the http(s) URL to POST webhooks to)");
        }
        URI uri;
        try {
            uri = new URI(url.asText());
        } catch (java.net.URISyntaxException e) {
            throw new ApiError(400, "url: '" + url.asText() + "' is not a URI");
        }
        Set<String> types = new LinkedHashSet<>();
        JsonNode t = body.get("eventTypes");
        if (t == null || !t.isArray()) {
            throw new ApiError(400, "eventTypes: missing (expected: an array of event types, or [\"*\"])");
        }
        t.forEach(n -> types.add(n.asText()));
        String description = body.hasNonNull("description") ? body.get("description").asText() : "";
        return secretJson(webhooks.createEndpoint(uri, types, description));
    }

    private static JsonNode secretJson(NewSecret created) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("endpoint", Json.MAPPER.valueToTree(created.endpoint()));
        out.put("secret", created.secret().serialized());
        created.previousValidUntil().ifPresent(until -> out.put("previousSecretValidUntil", until.toString()));
        return out;
    }

    private static DeliveryStatus parseStatus(String s) {
        try {
            return DeliveryStatus.valueOf(s.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "status: '" + s + "' (expected: one of " + List.of(DeliveryStatus.values()) + ")");
        }
    }

    private static int parseLimit(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new ApiError(400, "limit: '" + s + "' (expected: 1..1000)");
        }
    }

    private static JsonNode readJson(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            throw new ApiError(413, "body over " + MAX_BODY + " bytes");
        }
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new ApiError(400, "body: expected a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiError(400, "body: not JSON");
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
                }
            }
        }
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static ApiError methodNotAllowed(String method, String path) {
        return new ApiError(405, method + " not allowed on " + path);
    }

    private static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void problem(HttpExchange exchange, int status, @Nullable String detail) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("status", status)
                .put("title", switch (status) {
                    case 400 -> "Bad Request";
                    case 401 -> "Unauthorized";
                    case 403 -> "Forbidden";
                    case 404 -> "Not Found";
                    case 405 -> "Method Not Allowed";
                    case 413 -> "Content Too Large";
                    default -> "Internal Server Error";
                })
                .put("detail", detail == null ? "" : detail);
        byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("content-type", "application/problem+json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Stops the server; the {@link Webhooks} instance stays open. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** An HTTP answer other than success, raised inside a route. */
    private static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        ApiError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** Settings of a {@link WebhookAdminServer}. */
    public static final class Builder {
        private final Webhooks webhooks;
        private final Authenticator authenticator;
        private String requiredScope = "webhooks:admin";
        private String host = "127.0.0.1";
        private int port = 0;
        private String basePath = "/webhooks";

        private Builder(Webhooks webhooks, Authenticator authenticator) {
            this.webhooks = webhooks;
            this.authenticator = authenticator;
        }

        /** The scope a caller needs. Default {@code webhooks:admin}. */
        public Builder requiredScope(String value) {
            this.requiredScope = value;
            return this;
        }

        /** Where to listen. Default 127.0.0.1 on a free port ({@link #port()} tells which). */
        public Builder bind(String hostValue, int portValue) {
            if (portValue < 0 || portValue > 65535) {
                throw new IllegalArgumentException("port: " + portValue + " (expected: 0..65535)");
            }
            this.host = hostValue;
            this.port = portValue;
            return this;
        }

        /** The path prefix. Default {@code /webhooks}. */
        public Builder basePath(String value) {
            if (!value.matches("(/[A-Za-z0-9._-]+)+")) {
                throw new IllegalArgumentException("basePath: '" + value + "' (expected: like /webhooks, no trailing slash)");
            }
            this.basePath = value;
            return this;
        }

        /** Starts the server. */
        public WebhookAdminServer start() {
            try {
                return new WebhookAdminServer(this);
            } catch (IOException e) {
                throw new WebhookException("webhooks admin: cannot listen on " + host + ":" + port, e);
            }
        }
    }
}
