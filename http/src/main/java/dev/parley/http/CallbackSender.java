package dev.parley.http;

import dev.parley.message.Envelope;
import dev.parley.message.StandardHeaders;
import dev.parley.net.GuardedHttpClient;
import dev.parley.net.HttpResult;
import dev.parley.net.UnsafeTargetException;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the results of async operations to the callback URLs their callers named
 * ({@code parley-callback}), as {@link AsyncCallbacks} says: the URL is checked when the request
 * arrives (scheme, syntax, literal addresses) against the callbacks' {@link dev.parley.net.SsrfPolicy},
 * and every attempt goes through core's {@link GuardedHttpClient}, which resolves the host once,
 * checks every address and connects to the checked one (no DNS-rebinding window); each delivery
 * runs on its own virtual thread, attempts spaced by a doubling backoff.
 */
final class CallbackSender implements AutoCloseable {

    /** The request header naming the callback URL. */
    static final String HEADER = "parley-callback";
    static final String OPERATION_ID = "parley-operation-id";
    static final String REPLY_STATUS = "parley-reply-status";
    static final String TIMESTAMP = "parley-callback-timestamp";
    static final String SIGNATURE = "parley-callback-signature";
    static final int MAX_URL_LENGTH = 2048;

    private static final Logger log = LoggerFactory.getLogger(CallbackSender.class);

    private final AsyncCallbacks settings;
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong givenUp = new AtomicLong();
    private final GuardedHttpClient client;
    private volatile boolean closed;

    CallbackSender(AsyncCallbacks settings) {
        this.settings = settings;
        this.client = GuardedHttpClient.builder()
                .ssrfPolicy(settings.ssrfPolicy())
                .resolver(settings.resolver())
                .connectTimeout(settings.timeout())
                .requestTimeout(settings.timeout())
                .snippetBytes(0) // the answer's status is all a callback needs
                .build();
    }

    /**
     * Checks a {@code parley-callback} value without resolving names (this runs on an event loop).
     *
     * @throws IllegalArgumentException saying why the URL is refused
     */
    URI check(String value) {
        if (value.length() > MAX_URL_LENGTH) {
            throw new IllegalArgumentException("longer than " + MAX_URL_LENGTH + " characters");
        }
        URI url;
        try {
            url = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL (" + e.getReason() + ")");
        }
        if (url.getRawFragment() != null) {
            throw new IllegalArgumentException("a fragment (expected: none)");
        }
        try {
            settings.ssrfPolicy().checkWithoutResolving(url); // names are resolved and checked on every attempt
        } catch (UnsafeTargetException e) {
            throw new IllegalArgumentException(e.reason(), e);
        }
        return url;
    }

    /** Sends the rendered result of {@code operation} to {@code url}, on a virtual thread of its own. */
    void deliver(AsyncOperation operation, URI url, Envelope reply) {
        if (closed) {
            log.warn("async operation {}: callback to {} not sent, the server is closing", operation.id(), url);
            return;
        }
        Thread.ofVirtual().name("parley-http-callback-" + operation.id()).start(() -> {
            running.add(Thread.currentThread());
            try {
                send(operation, url, reply);
            } catch (RuntimeException e) {
                givenUp.incrementAndGet();
                log.error("async operation {}: callback to {} failed", operation.id(), url, e);
            } finally {
                running.remove(Thread.currentThread());
            }
        });
    }

    private void send(AsyncOperation operation, URI url, Envelope reply) {
        FullHttpResponse rendered = ReplyRendering.render(reply, operation.route(), operation.accept(), HttpVersion.HTTP_1_1);
        byte[] body;
        int status;
        String contentType;
        String parleyStatus;
        try {
            body = ByteBufUtil.getBytes(rendered.content());
            status = rendered.status().code();
            contentType = rendered.headers().get(HttpHeaderNames.CONTENT_TYPE);
            parleyStatus = rendered.headers().get(StandardHeaders.STATUS);
        } finally {
            rendered.release();
        }
        String last = "not tried";
        Duration wait = settings.backoff();
        for (int attempt = 1; attempt <= settings.attempts(); attempt++) {
            if (attempt > 1) {
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    log.warn("async operation {}: callback to {} dropped after {} attempts, the server is closing ({})",
                            operation.id(), url, attempt - 1, last);
                    givenUp.incrementAndGet();
                    return;
                }
                wait = wait.multipliedBy(2);
            }
            try {
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put(OPERATION_ID, operation.id());
                headers.put(REPLY_STATUS, Integer.toString(status));
                headers.put("user-agent", "parley-http-callback");
                if (contentType != null) {
                    headers.put("content-type", contentType);
                }
                if (parleyStatus != null) {
                    headers.put(StandardHeaders.STATUS, parleyStatus);
                }
                byte[] secret = settings.signingSecret();
                if (secret != null) {
                    String timestamp = Long.toString(System.currentTimeMillis() / 1000);
                    headers.put(TIMESTAMP, timestamp);
                    headers.put(SIGNATURE, "v1=" + sign(secret, operation.id(), timestamp, body));
                }
                HttpResult response = client.post(url, headers, body);
                if (response.isSuccess()) {
                    delivered.incrementAndGet();
                    log.debug("async operation {}: callback to {} answered {}", operation.id(), url, response.status());
                    return;
                }
                last = "answered " + response.status();
            } catch (UnsafeTargetException e) {
                // The host now resolves to a refused address (or not at all): no point in trying again.
                log.warn("async operation {}: callback to {} given up: {}", operation.id(), url, e.getMessage());
                givenUp.incrementAndGet();
                return;
            } catch (IOException e) {
                if (closed) {
                    log.warn("async operation {}: callback to {} dropped, the server is closing", operation.id(), url);
                    givenUp.incrementAndGet();
                    return;
                }
                last = e.toString();
            }
            log.debug("async operation {}: callback attempt {} to {} failed: {}", operation.id(), attempt, url, last);
        }
        givenUp.incrementAndGet();
        log.warn("async operation {}: callback to {} given up after {} attempts (last: {}); the result stays at {}",
                operation.id(), url, settings.attempts(), last, operation.location());
    }

    static String sign(byte[] secret, String operationId, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((operationId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always available", e);
        }
    }

    long delivered() {
        return delivered.get();
    }

    long givenUp() {
        return givenUp.get();
    }

    /** Stops the deliveries in progress (each logs what it dropped). */
    @Override
    public void close() {
        closed = true;
        running.forEach(Thread::interrupt);
    }
}
