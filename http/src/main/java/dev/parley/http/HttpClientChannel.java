package dev.parley.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.ErrorCode;
import dev.parley.ErrorInfo;
import dev.parley.ParleyException;
import dev.parley.RemoteException;
import dev.parley.contract.InteractionStyle;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.ClientChannel;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The client end of one contract over HTTP: maps a request envelope to the operation's route
 * (path variables and, for GET and DELETE, query parameters taken from the request record)
 * and the HTTP response back to a reply envelope, problem bodies and bare error statuses
 * becoming Parley error replies.
 *
 * <p>A request/async-response operation is sent with {@code Prefer: respond-async, wait=1}:
 * a reply ready within a second comes back directly; otherwise the server answers
 * {@code 202 Accepted} with a status resource in {@code Location}, which this channel polls
 * (after each {@code Retry-After}) until it holds the reply. The caller sees one future either
 * way; cancelling it (the deadline does) stops polling and {@code DELETE}s the status
 * resource, which cancels the work on the server.
 */
final class HttpClientChannel implements ClientChannel {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HttpClientChannel.class);
    private static final String PREFER = "prefer";
    /** The {@code Prefer: wait} an async call asks for: the server answers directly within it, else 202. */
    static final int ASYNC_WAIT_SECONDS = 1;
    private static final long MIN_POLL_MILLIS = 50;
    private static final long MAX_POLL_MILLIS = 60_000;

    private final HttpConnections connections;
    private final URI base;
    private final HttpConnections.Origin origin;
    private final String basePath;
    private final Map<String, HttpRoute> byWireName;
    private final String target;

    HttpClientChannel(HttpConnections connections, URI base, Map<String, HttpRoute> byWireName, String contractAddress) {
        this.connections = connections;
        this.base = base;
        this.origin = new HttpConnections.Origin(base.getHost(), port(base));
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.byWireName = byWireName;
        this.target = "http:" + contractAddress + "@" + origin;
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public CompletableFuture<Envelope> request(Envelope request) {
        CompletableFuture<Envelope> reply = new CompletableFuture<>();
        exchange(request, reply, false);
        return reply;
    }

    @Override
    public CompletableFuture<Void> send(Envelope message) {
        CompletableFuture<Envelope> reply = new CompletableFuture<>();
        exchange(message, reply, true);
        CompletableFuture<Void> accepted = reply.thenApply(r -> null);
        // Cancelling what the caller holds must abort the HTTP exchange too.
        accepted.whenComplete((v, e) -> {
            if (accepted.isCancelled()) {
                reply.cancel(true);
            }
        });
        return accepted;
    }

    private void exchange(Envelope message, CompletableFuture<Envelope> reply, boolean oneWay) {
        String operation = message.headers().valueOrNull(StandardHeaders.OPERATION);
        HttpRoute route = operation == null ? null : byWireName.get(operation);
        if (route == null) {
            reply.completeExceptionally(ParleyException.of(ErrorCode.UNIMPLEMENTED, target + " has no HTTP route for operation '" + operation + "'"));
            return;
        }
        FullHttpRequest request;
        try {
            request = toHttp(message, route);
        } catch (ParleyException e) {
            reply.completeExceptionally(e);
            return;
        }
        boolean async = !oneWay && route.operation().style() == InteractionStyle.REQUEST_ASYNC_RESPONSE;
        if (async) {
            // Answered directly when ready within a second, else 202 and a status resource to poll.
            request.headers().set(PREFER, "respond-async, wait=" + ASYNC_WAIT_SECONDS);
        }
        String accept = request.headers().get(HttpHeaderNames.ACCEPT);
        // The exchange in progress: the request, then each poll of the status resource.
        Runnable notStarted = () -> { };
        AtomicReference<Runnable> abort = new AtomicReference<>(notStarted);
        AtomicReference<@Nullable URI> statusResource = new AtomicReference<>();
        Runnable first = connections.exchange(origin, request, new HttpConnections.Outcome() {
            @Override
            public void response(int status, HttpHeaders headers, byte[] body) {
                if (async && status == 202 && headers.contains(HttpHeaderNames.LOCATION)) {
                    URI location = sameOrigin(headers.get(HttpHeaderNames.LOCATION));
                    if (location == null) {
                        reply.complete(errorEnvelope(ErrorCode.INVALID_REPLY, route.operation().qualifiedName()
                                + ": 202 with a Location on another origin: " + headers.get(HttpHeaderNames.LOCATION)));
                        return;
                    }
                    statusResource.set(location);
                    poll(location, retryAfterMillis(headers), accept, route, reply, abort);
                    return;
                }
                Envelope envelope = toEnvelope(status, headers, body);
                if (oneWay && !StandardHeaders.STATUS_OK.equals(envelope.headers().valueOrNull(StandardHeaders.STATUS))) {
                    ErrorInfo info = WireMapping.problemToError(status, body);
                    reply.completeExceptionally(new RemoteException(ErrorCode.parse(info.code()).orElse(ErrorCode.INTERNAL), info.message(),
                            info.details(), route.operation().contract().descriptor().address() + " " + route.operation().name()));
                    return;
                }
                reply.complete(envelope);
            }

            @Override
            public void failure(dev.parley.TransportException failure) {
                reply.completeExceptionally(failure);
            }
        });
        // Unless a poll already replaced it (a very quick 202).
        abort.compareAndSet(notStarted, first);
        reply.whenComplete((r, e) -> {
            if (reply.isCancelled()) {
                abort.get().run();
                URI location = statusResource.get();
                if (location != null) {
                    forget(location);
                }
            }
        });
    }

    /** Polls an async operation's status resource until it answers with the reply (or the call is cancelled). */
    private void poll(URI location, long delayMillis, String accept, HttpRoute route, CompletableFuture<Envelope> reply,
                      AtomicReference<Runnable> abort) {
        CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS).execute(() -> {
            if (reply.isDone()) {
                return;
            }
            FullHttpRequest get = bodiless(HttpMethod.GET, location);
            get.headers().set(HttpHeaderNames.ACCEPT, accept);
            abort.set(connections.exchange(origin, get, new HttpConnections.Outcome() {
                @Override
                public void response(int status, HttpHeaders headers, byte[] body) {
                    if (status == 202) {
                        poll(location, retryAfterMillis(headers), accept, route, reply, abort);
                    } else if (status == 404) {
                        reply.complete(errorEnvelope(ErrorCode.INTERNAL, route.operation().qualifiedName() + ": the server lost the result of "
                                + location.getRawPath() + " (expired, evicted, or the server restarted)"));
                    } else {
                        reply.complete(toEnvelope(status, headers, body));
                    }
                }

                @Override
                public void failure(dev.parley.TransportException failure) {
                    reply.completeExceptionally(failure);
                }
            }));
            if (reply.isCancelled()) {
                abort.get().run(); // cancelled while this poll was being sent
            }
        });
    }

    /** Asks the server to cancel (or forget) an operation the caller gave up on; best effort. */
    private void forget(URI location) {
        connections.exchange(origin, bodiless(HttpMethod.DELETE, location), new HttpConnections.Outcome() {
            @Override
            public void response(int status, HttpHeaders headers, byte[] body) {
                log.debug("{}: DELETE {} answered {}", target, location.getRawPath(), status);
            }

            @Override
            public void failure(dev.parley.TransportException failure) {
                log.debug("{}: DELETE {} failed: {}", target, location.getRawPath(), failure.getMessage());
            }
        });
    }

    private FullHttpRequest bodiless(HttpMethod method, URI location) {
        String path = location.getRawPath() + (location.getRawQuery() == null ? "" : "?" + location.getRawQuery());
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, origin.toString()).set(HttpHeaderNames.CONTENT_LENGTH, 0);
        return request;
    }

    /** A {@code Location} resolved against the target; null when it points at another origin (never followed). */
    private @Nullable URI sameOrigin(String location) {
        URI resolved;
        try {
            resolved = base.resolve(location);
        } catch (IllegalArgumentException e) {
            return null;
        }
        boolean same = resolved.getScheme() != null && resolved.getScheme().equalsIgnoreCase(base.getScheme())
                && origin.host().equalsIgnoreCase(resolved.getHost()) && origin.port() == port(resolved);
        return same ? resolved : null;
    }

    private static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** {@code Retry-After} in whole seconds (an HTTP date or nothing means one second), within [50 ms, 60 s]. */
    static long retryAfterMillis(HttpHeaders headers) {
        String value = headers.get(HttpHeaderNames.RETRY_AFTER);
        long millis = 1000;
        if (value != null) {
            try {
                millis = Long.parseLong(value.trim()) * 1000;
            } catch (NumberFormatException e) {
                // An HTTP-date: poll after the default interval; the deadline bounds the wait anyway.
            }
        }
        return Math.clamp(millis, MIN_POLL_MILLIS, MAX_POLL_MILLIS);
    }

    private static Envelope errorEnvelope(ErrorCode code, String message) {
        Headers headers = Headers.builder()
                .set(StandardHeaders.STATUS, code.name())
                .set(StandardHeaders.CONTENT_TYPE, WireMapping.JSON)
                .build();
        return Envelope.of(headers, WireMapping.errorBody(new ErrorInfo(code.name(), message, Map.of())));
    }

    private FullHttpRequest toHttp(Envelope message, HttpRoute route) {
        Headers h = message.headers();
        String declared = h.valueOrNull(StandardHeaders.CONTENT_TYPE);
        String contentType = declared == null ? WireMapping.JSON : WireMapping.mediaType(declared);
        byte[] body = message.body();
        boolean needsFields = !route.path().variableNames().isEmpty() || !route.queryFields().isEmpty();
        JsonNode fields = null;
        if (needsFields) {
            try {
                fields = WireMapping.readTree(contentType, body);
            } catch (IOException e) {
                throw ParleyException.of(ErrorCode.INVALID_ARGUMENT, route.operation().qualifiedName()
                        + ": the request cannot be read as " + contentType + " to fill " + route + ": " + e.getMessage());
            }
        }
        JsonNode tree = fields;
        String path;
        try {
            path = basePath + route.path().expand(name -> tree == null ? null : WireMapping.text(tree, name));
        } catch (IllegalArgumentException e) {
            throw ParleyException.of(ErrorCode.INVALID_ARGUMENT, route.operation().qualifiedName() + ": " + e.getMessage()
                    + " (a path variable must be a non-null scalar field of the request)");
        }
        StringBuilder uri = new StringBuilder(path);
        if (!route.hasBody() && tree != null) {
            char separator = '?';
            for (String field : route.queryFields()) {
                JsonNode value = tree.get(field);
                if (value == null || value.isNull() || value.isMissingNode()) {
                    continue;
                }
                for (JsonNode element : value.isArray() ? value : java.util.List.of(value)) {
                    uri.append(separator).append(encode(field)).append('=').append(encode(element.asText()));
                    separator = '&';
                }
            }
        }
        byte[] content = route.hasBody() ? body : new byte[0];
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(route.verb()), uri.toString(),
                Unpooled.wrappedBuffer(content));
        HttpHeaders headers = request.headers();
        h.forEach((name, value) -> {
            if (!name.equals(StandardHeaders.CONTENT_TYPE)) {
                headers.set(name, value);
            }
        });
        headers.set(HttpHeaderNames.HOST, origin.toString());
        headers.set(HttpHeaderNames.ACCEPT, contentType.equals(WireMapping.CBOR) ? WireMapping.CBOR : WireMapping.JSON);
        if (content.length > 0) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        headers.set(HttpHeaderNames.CONTENT_LENGTH, content.length);
        return request;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Envelope toEnvelope(int status, HttpHeaders httpHeaders, byte[] body) {
        Headers.Builder headers = Headers.builder();
        for (Map.Entry<String, String> e : httpHeaders) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("parley-") || name.equals(StandardHeaders.TRACEPARENT) || name.equals(StandardHeaders.TRACESTATE)) {
                try {
                    headers.set(name, e.getValue());
                } catch (IllegalArgumentException invalid) {
                    // A header Parley cannot carry (too long, control characters) is not part of the call.
                    log.debug("{}: reply header dropped: {}", target, invalid.getMessage());
                }
            }
        }
        String declared = httpHeaders.get(HttpHeaderNames.CONTENT_TYPE);
        String contentType = declared == null ? WireMapping.JSON : WireMapping.mediaType(declared);
        if (status >= 200 && status < 300) {
            headers.set(StandardHeaders.STATUS, StandardHeaders.STATUS_OK);
            headers.set(StandardHeaders.CONTENT_TYPE, contentType);
            return Envelope.of(headers.build(), status == 204 || status == 202 ? new byte[0] : body);
        }
        ErrorInfo info;
        if (contentType.equals(WireMapping.PROBLEM_JSON)) {
            info = WireMapping.problemToError(status, body);
        } else {
            ErrorCode code = WireMapping.codeForStatus(status);
            String text = new String(body, StandardCharsets.UTF_8).strip();
            info = new ErrorInfo(code.name(), "HTTP " + status + " from " + base
                    + (text.isEmpty() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text)), Map.of());
        }
        headers.set(StandardHeaders.STATUS, info.code());
        headers.set(StandardHeaders.CONTENT_TYPE, WireMapping.JSON);
        return Envelope.of(headers.build(), WireMapping.errorBody(info));
    }

    @Override
    public String toString() {
        return target;
    }
}
