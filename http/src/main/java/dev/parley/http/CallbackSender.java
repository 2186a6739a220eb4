package dev.parley.http;

import dev.parley.message.Envelope;
import dev.parley.message.StandardHeaders;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the results of async operations to the callback URLs their callers named
 * ({@code parley-callback}), as {@link AsyncCallbacks} says: the URL is checked when the request
 * arrives (scheme, syntax, literal addresses) and its host's addresses again before every
 * attempt; each delivery runs on its own virtual thread, attempts spaced by a doubling backoff.
 *
 * <p>The address check duplicates, in small, {@code SsrfPolicy} of the {@code webhooks} module
 * (which http does not depend on: it brings a database and a store). Both modules depend on
 * core only, so the shared checker belongs there; that move is left for later.
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
    private static final Pattern DOTTED_DECIMAL = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern NUMERIC_LABEL = Pattern.compile("(0x[0-9a-f]*|[0-9]+)");
    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*");

    private final AsyncCallbacks settings;
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong givenUp = new AtomicLong();
    private volatile @Nullable HttpClient client;
    private volatile boolean closed;

    CallbackSender(AsyncCallbacks settings) {
        this.settings = settings;
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
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("scheme '" + scheme + "' (expected: http or https)");
        }
        if (url.getRawAuthority() == null || url.getHost() == null) {
            throw new IllegalArgumentException("no host");
        }
        if (url.getRawUserInfo() != null) {
            throw new IllegalArgumentException("user info in the URL (expected: no credentials)");
        }
        if (url.getRawFragment() != null) {
            throw new IllegalArgumentException("a fragment (expected: none)");
        }
        String host = url.getHost().toLowerCase(Locale.ROOT);
        if (host.contains("%")) {
            throw new IllegalArgumentException("percent-encoding or a zone id in the host");
        }
        if (host.startsWith("[")) {
            requireAllowed(literal(host.substring(1, host.length() - 1)));
        } else if (NUMERIC_LABEL.matcher(host.substring(host.lastIndexOf('.') + 1)).matches()) {
            if (!DOTTED_DECIMAL.matcher(host).matches()) {
                throw new IllegalArgumentException("ambiguous numeric host '" + host + "' (expected: dotted-decimal IPv4)");
            }
            requireAllowed(literal(host));
        } else if (!DNS_NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("host '" + host + "' is not a valid DNS name");
        } else if (!settings.allowPrivateNetworks() && (host.equals("localhost") || host.endsWith(".localhost"))) {
            throw new IllegalArgumentException("host '" + host + "' is loopback");
        }
        return url;
    }

    private static InetAddress literal(String host) {
        try {
            return InetAddress.getByName(host); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("malformed address '" + host + "'");
        }
    }

    /** Throws unless {@code address} may be called under these settings. */
    private void requireAllowed(InetAddress address) {
        String refused = refused(address, settings.allowPrivateNetworks());
        if (refused != null) {
            throw new IllegalArgumentException("address " + address.getHostAddress() + " is " + refused);
        }
    }

    /** Why {@code address} is refused, or null when it may be called. */
    static @Nullable String refused(InetAddress address, boolean allowPrivate) {
        byte[] a = address.getAddress();
        if (address instanceof Inet4Address) {
            int b0 = a[0] & 0xff;
            int b1 = a[1] & 0xff;
            if ((b0 == 169 && b1 == 254 && (a[2] & 0xff) == 169 && (a[3] & 0xff) == 254)
                    || (b0 == 100 && b1 == 100 && (a[2] & 0xff) == 100 && (a[3] & 0xff) == 200)) {
                return "a cloud metadata address";
            }
            if (b0 == 0 || b0 >= 224) {
                return "unspecified, multicast or reserved";
            }
            boolean privateNet = b0 == 127 || b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168)
                    || (b0 == 100 && (b1 & 0xc0) == 64) || (b0 == 169 && b1 == 254);
            return privateNet && !allowPrivate ? "loopback, private or link-local (not allowed by AsyncCallbacks)" : null;
        }
        int w0 = ((a[0] & 0xff) << 8) | (a[1] & 0xff);
        int w1 = ((a[2] & 0xff) << 8) | (a[3] & 0xff);
        if (w0 == 0xfd00 && w1 == 0x0ec2) {
            return "a cloud metadata address";
        }
        boolean zeroPrefix = true;
        for (int i = 0; i < 10; i++) {
            zeroPrefix &= a[i] == 0;
        }
        if (address.isAnyLocalAddress() || address.isMulticastAddress() || (zeroPrefix && !address.isLoopbackAddress())
                || (w0 == 0x0064 && w1 == 0xff9b) || w0 == 0x2002 || (w0 == 0x2001 && w1 == 0)) {
            return "unspecified, multicast or an IPv6 form embedding IPv4";
        }
        boolean privateNet = address.isLoopbackAddress() || (a[0] & 0xfe) == 0xfc || ((a[0] & 0xff) == 0xfe && (a[1] & 0x80) == 0x80);
        return privateNet && !allowPrivate ? "loopback, private or link-local (not allowed by AsyncCallbacks)" : null;
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
                checkResolved(url);
                HttpRequest.Builder request = HttpRequest.newBuilder(url)
                        .timeout(settings.timeout())
                        .header(OPERATION_ID, operation.id())
                        .header(REPLY_STATUS, Integer.toString(status))
                        .header("user-agent", "parley-http-callback")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                if (contentType != null) {
                    request.header("content-type", contentType);
                }
                if (parleyStatus != null) {
                    request.header(StandardHeaders.STATUS, parleyStatus);
                }
                byte[] secret = settings.signingSecret();
                if (secret != null) {
                    String timestamp = Long.toString(System.currentTimeMillis() / 1000);
                    request.header(TIMESTAMP, timestamp).header(SIGNATURE, "v1=" + sign(secret, operation.id(), timestamp, body));
                }
                HttpResponse<Void> response = client().send(request.build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    delivered.incrementAndGet();
                    log.debug("async operation {}: callback to {} answered {}", operation.id(), url, response.statusCode());
                    return;
                }
                last = "answered " + response.statusCode();
            } catch (IllegalArgumentException e) {
                // The host now resolves to a refused address: no point in trying again.
                log.warn("async operation {}: callback to {} given up: {}", operation.id(), url, e.getMessage());
                givenUp.incrementAndGet();
                return;
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                log.warn("async operation {}: callback to {} dropped, the server is closing", operation.id(), url);
                givenUp.incrementAndGet();
                return;
            }
            log.debug("async operation {}: callback attempt {} to {} failed: {}", operation.id(), attempt, url, last);
        }
        givenUp.incrementAndGet();
        log.warn("async operation {}: callback to {} given up after {} attempts (last: {}); the result stays at {}",
                operation.id(), url, settings.attempts(), last, operation.location());
    }

    /** Resolves the URL's host and checks every address (a name must not lead to a refused one). */
    private void checkResolved(URI url) throws UnknownHostException {
        String host = url.getHost();
        if (host.startsWith("[")) {
            return; // a literal, checked with the request
        }
        for (InetAddress address : InetAddress.getAllByName(host)) {
            requireAllowed(address);
        }
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

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = HttpClient.newBuilder()
                            .connectTimeout(settings.timeout())
                            .followRedirects(HttpClient.Redirect.NEVER) // a redirect would escape the address check
                            .version(HttpClient.Version.HTTP_1_1)
                            .build();
                    client = c;
                }
            }
        }
        return c;
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
        HttpClient c = client;
        if (c != null) {
            c.shutdownNow();
        }
    }
}
