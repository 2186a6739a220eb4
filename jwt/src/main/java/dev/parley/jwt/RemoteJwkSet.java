package dev.parley.jwt;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import dev.parley.ParleyClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JWK set fetched over HTTP(S) and cached. It is fetched again when the cache is older than
 * the refresh interval, and early when a token names an unknown key id, but never twice within
 * the minimum interval, so a flood of tokens with made-up key ids costs at most one fetch per
 * interval. A failed fetch keeps the last good keys. Fetches happen under the lock, on the
 * calling thread: callers wait at most the request timeout.
 */
final class RemoteJwkSet extends KeySource {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteJwkSet.class);
    private static final int MAX_BODY_CHARS = 1 << 20;

    private final URI uri;
    private final HttpClient http;
    private final Duration timeout;
    private final long refreshNanos;
    private final long minRefreshNanos;
    private final ParleyClock clock;

    private @Nullable JWKSet keys;
    private long fetchedAt;
    private long attemptedAt;
    private boolean attempted;

    RemoteJwkSet(URI uri, Duration timeout, Duration refresh, Duration minRefresh, ParleyClock clock) {
        this.uri = uri;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = timeout;
        this.refreshNanos = refresh.toNanos();
        this.minRefreshNanos = minRefresh.toNanos();
        this.clock = clock;
    }

    @Override
    synchronized JWKSet keys() throws KeySourceException {
        long now = clock.nanoTime();
        boolean stale = keys == null || now - fetchedAt >= refreshNanos;
        if (stale && mayAttempt(now)) {
            fetch(now);
        }
        if (keys == null) {
            throw new KeySourceException("no JWK set could be fetched from " + uri + " yet");
        }
        return keys;
    }

    @Override
    synchronized boolean refreshForUnknownKey() {
        long now = clock.nanoTime();
        if (!mayAttempt(now)) {
            return false;
        }
        fetch(now);
        return true;
    }

    private boolean mayAttempt(long now) {
        return !attempted || now - attemptedAt >= minRefreshNanos;
    }

    private void fetch(long now) {
        attempted = true;
        attemptedAt = now;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("accept", "application/jwk-set+json, application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                LOG.warn("JWK set {}: HTTP {} (expected: 200); keeping the last good keys", uri, response.statusCode());
                return;
            }
            if (response.body().length() > MAX_BODY_CHARS) {
                LOG.warn("JWK set {}: {} characters (limit: {}); keeping the last good keys", uri, response.body().length(),
                        MAX_BODY_CHARS);
                return;
            }
            keys = JWKSet.parse(response.body()).toPublicJWKSet();
            fetchedAt = now;
            LOG.debug("JWK set {}: fetched {} keys", uri, keys.size());
        } catch (IOException | ParseException e) {
            LOG.warn("JWK set {}: fetch failed ({}); keeping the last good keys", uri, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("JWK set {}: interrupted while fetching; keeping the last good keys", uri);
        }
    }

    @Override
    public String toString() {
        return "JWK set at " + uri;
    }
}
