package dev.parley.http;

import io.netty.channel.Channel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's status resources of request/async-response calls answered {@code 202 Accepted}
 * (RFC 7240 {@code Prefer: respond-async}, or a reply not ready within {@link #GRACE}).
 *
 * <p>Bounded in time and count, so that results nobody fetches cannot pile up: an operation is
 * kept for {@link #RETENTION} after it was accepted and again after it completed, and at most
 * {@link #MAX_OPERATIONS} are kept; beyond either bound the oldest are forgotten first (a later
 * {@code GET} answers {@code 404}). An operation still running when it is forgotten is
 * cancelled, because nobody could fetch its result anymore.
 *
 * <p>Ids are 128 random bits (base64url), so the status resource's path is also the capability
 * to read the result; it is sent only to the caller. Thread-safe; every method is short and
 * runs under one lock.
 */
final class AsyncOperations {

    /** How long the server holds a request open for its reply before it answers 202 instead. */
    static final Duration GRACE = Duration.ofMillis(200);
    /** The longest {@code Prefer: wait=N} the server honours. */
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    /** How long a result (or a running operation) is kept without being fetched. */
    static final Duration RETENTION = Duration.ofMinutes(5);
    /** How many operations are kept at most. */
    static final int MAX_OPERATIONS = 10_000;
    /** {@code Retry-After} of a 202 answer: HTTP only has whole seconds. */
    static final int RETRY_AFTER_SECONDS = 1;

    private static final Logger log = LoggerFactory.getLogger(AsyncOperations.class);
    private static final SecureRandom IDS = new SecureRandom();
    // One store per server, kept on its server channel: it lives and dies with the server.
    private static final AttributeKey<AsyncOperations> STORE = AttributeKey.valueOf("parley-async-operations");

    private final LongSupplier nanoTime;
    private final long retentionNanos;
    private final int maxOperations;
    // Oldest first: accepted order, an operation moving to the end when it completes.
    private final LinkedHashMap<String, AsyncOperation> byId = new LinkedHashMap<>();

    AsyncOperations(LongSupplier nanoTime, Duration retention, int maxOperations) {
        if (retention.isZero() || retention.isNegative()) {
            throw new IllegalArgumentException("retention: " + retention + " (expected: > 0) for async operations");
        }
        if (maxOperations < 1) {
            throw new IllegalArgumentException("maxOperations: " + maxOperations + " (expected: >= 1) for async operations");
        }
        this.nanoTime = nanoTime;
        this.retentionNanos = retention.toNanos();
        this.maxOperations = maxOperations;
    }

    /** The store of the server that accepted {@code channel} (a connection or an HTTP/2 stream), created on first use. */
    static AsyncOperations of(Channel channel) {
        Attribute<AsyncOperations> store = serverChannel(channel).attr(STORE);
        AsyncOperations existing = store.get();
        if (existing != null) {
            return existing;
        }
        AsyncOperations created = new AsyncOperations(System::nanoTime, RETENTION, MAX_OPERATIONS);
        existing = store.setIfAbsent(created);
        return existing == null ? created : existing;
    }

    /** The server channel a connection or stream descends from. */
    static Channel serverChannel(Channel channel) {
        Channel c = channel;
        while (c.parent() != null) {
            c = c.parent();
        }
        return c;
    }

    /** A fresh operation id: 128 random bits, URL-safe. */
    static String newId() {
        byte[] bits = new byte[16];
        IDS.nextBytes(bits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    /** Keeps an operation that was just answered 202; may forget (and cancel) the oldest ones. */
    void register(AsyncOperation operation) {
        List<AsyncOperation> forgotten = new ArrayList<>();
        synchronized (this) {
            long now = nanoTime.getAsLong();
            expire(now, forgotten);
            operation.expiresAtNanos = now + retentionNanos;
            byId.put(operation.id(), operation);
            operation.registeredIn(this);
            Iterator<AsyncOperation> oldest = byId.values().iterator();
            while (byId.size() > maxOperations) {
                forgotten.add(oldest.next());
                oldest.remove();
            }
        }
        cancelRunning(forgotten);
    }

    /** The operation with this id served under this major version, unless unknown or expired. */
    Optional<AsyncOperation> find(int major, String id) {
        List<AsyncOperation> forgotten = new ArrayList<>();
        AsyncOperation found;
        synchronized (this) {
            expire(nanoTime.getAsLong(), forgotten);
            found = byId.get(id);
        }
        cancelRunning(forgotten);
        return Optional.ofNullable(found).filter(op -> op.major() == major);
    }

    /** Forgets the operation with this id served under this major version, and returns it. */
    Optional<AsyncOperation> remove(int major, String id) {
        Optional<AsyncOperation> found = find(major, id);
        found.ifPresent(op -> {
            synchronized (this) {
                byId.remove(op.id(), op);
            }
        });
        return found;
    }

    /** The operation finished: its result is kept for the retention period from now on. */
    synchronized void completed(AsyncOperation operation) {
        if (byId.remove(operation.id(), operation)) {
            operation.expiresAtNanos = nanoTime.getAsLong() + retentionNanos;
            byId.put(operation.id(), operation);
        }
    }

    synchronized int size() {
        return byId.size();
    }

    /** Drops expired operations from the oldest end. Caller holds the lock. */
    private void expire(long now, List<AsyncOperation> forgotten) {
        Iterator<AsyncOperation> oldest = byId.values().iterator();
        while (oldest.hasNext()) {
            AsyncOperation op = oldest.next();
            if (op.expiresAtNanos - now > 0) {
                break;
            }
            forgotten.add(op);
            oldest.remove();
        }
    }

    /** Outside the lock: cancelling makes the dispatcher reply, which completes the operation. */
    private static void cancelRunning(List<AsyncOperation> forgotten) {
        for (AsyncOperation op : forgotten) {
            if (!op.isDone()) {
                log.info("async operation {} forgotten while running (expired, or too many kept): cancelling it", op);
                op.cancel();
            }
        }
    }

    /** What a {@code Prefer} header (RFC 7240) asks of an async operation. */
    record Preference(boolean respondAsync, Optional<Duration> waitFor) {
        static final Preference NONE = new Preference(false, Optional.empty());

        /** Reads {@code respond-async} and {@code wait=N} (seconds); other preferences are ignored. */
        static Preference parse(String... headerValues) {
            boolean async = false;
            Optional<Duration> wait = Optional.empty();
            for (String value : headerValues) {
                if (value == null) {
                    continue;
                }
                for (String preference : value.split(",")) {
                    String token = preference.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
                    if (token.equals("respond-async")) {
                        async = true;
                    } else if (token.startsWith("wait=")) {
                        try {
                            long seconds = Long.parseLong(token.substring(5).replace("\"", "").trim());
                            if (seconds >= 0) {
                                wait = Optional.of(Duration.ofSeconds(Math.min(seconds, MAX_WAIT.toSeconds())));
                            }
                        } catch (NumberFormatException e) {
                            // A malformed preference is ignored, as RFC 7240 asks.
                        }
                    }
                }
            }
            return new Preference(async, wait);
        }

        /** How long the server holds the request open before answering 202. */
        Duration holdFor() {
            return respondAsync ? waitFor.orElse(Duration.ZERO) : GRACE;
        }
    }
}
