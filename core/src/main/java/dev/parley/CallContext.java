package dev.parley;

import org.jspecify.annotations.Nullable;
import dev.parley.internal.Checks;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import java.time.Duration;
import java.util.Optional;

/**
 * What a call carries across services: its deadline, trace context, token and custom headers,
 * and whether it was cancelled.
 *
 * <p>Inside a handler, {@link #current()} is the inbound call; outbound calls made from the
 * handler's thread inherit its deadline (never more than the time left), trace and token, so
 * a deadline set at the edge bounds the whole call tree. A caller can tighten the deadline for
 * the calls in a block:
 *
 * <pre>{@code
 * try (CallContext.Scope scope = CallContext.withDeadline(Duration.ofMillis(200))) {
 *     trips.create(request);   // at most 200 ms, or less if the inbound call has less left
 * }
 * }</pre>
 *
 * <p>Custom headers travel the same way: {@link #withHeader} adds one to every outbound call
 * made in the scope, and the callee reads it with {@link #header(String)}.
 */
public final class CallContext {

    private static final ThreadLocal<CallContext> CURRENT = new ThreadLocal<>();
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    /** What {@link #remaining()} says when there is no deadline. */
    private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L);

    private final ParleyClock clock;
    private final long deadlineNanos;
    private final Headers headers;
    private final Headers outbound;
    private final @Nullable CallerIdentity identity;
    private volatile boolean cancelled;

    CallContext(ParleyClock clock, long deadlineNanos, Headers headers, @Nullable CallerIdentity identity) {
        this(clock, deadlineNanos, headers, Headers.empty(), identity);
    }

    private CallContext(ParleyClock clock, long deadlineNanos, Headers headers, Headers outbound, @Nullable CallerIdentity identity) {
        this.clock = clock;
        this.deadlineNanos = deadlineNanos;
        this.headers = headers;
        this.outbound = outbound;
        this.identity = identity;
    }

    /** The call the current thread is handling or scoped in, if any. */
    public static Optional<CallContext> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    static @Nullable CallContext currentOrNull() {
        return CURRENT.get();
    }

    /**
     * Limits outbound calls made on this thread until the scope closes to {@code timeout} from
     * now, or to the enclosing call's remaining time if that is shorter.
     */
    public static Scope withDeadline(Duration timeout) {
        Checks.requirePositive("timeout", timeout);
        CallContext parent = CURRENT.get();
        ParleyClock clock = parent != null ? parent.clock : ParleyClock.system();
        long deadline = saturatedAdd(clock.nanoTime(), timeout.toNanos());
        if (parent != null && parent.deadlineNanos < deadline) {
            deadline = parent.deadlineNanos;
        }
        return enter(new CallContext(clock, deadline, parent != null ? parent.headers : Headers.empty(),
                parent != null ? parent.outbound : Headers.empty(), parent != null ? parent.identity : null));
    }

    /**
     * Adds a custom header to every outbound call made on this thread until the scope closes
     * (nested scopes add up; the same name replaces). Parley's own headers ({@code parley-*},
     * {@code content-type}, {@code traceparent}) cannot be set this way.
     *
     * <pre>{@code
     * try (CallContext.Scope scope = CallContext.withHeader("x-tenant", "acme")) {
     *     trips.create(request);   // the handler sees CallContext.current().get().header("x-tenant")
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException for a reserved or malformed name, or a malformed value
     */
    public static Scope withHeader(String name, String value) {
        if (name.startsWith("parley-") || name.equals(StandardHeaders.CONTENT_TYPE) || name.equals(StandardHeaders.TRACEPARENT)) {
            throw new IllegalArgumentException("header " + name + " is set by Parley itself (expected: a custom header name)");
        }
        CallContext parent = CURRENT.get();
        Headers added = (parent != null ? parent.outbound : Headers.empty()).toBuilder().set(name, value).build();
        if (parent == null) {
            return enter(new CallContext(ParleyClock.system(), NO_DEADLINE, Headers.empty(), added, null));
        }
        return enter(new CallContext(parent.clock, parent.deadlineNanos, parent.headers, added, parent.identity));
    }

    /** The custom headers that outbound calls made in this context carry. */
    Headers outbound() {
        return outbound;
    }

    /** Makes {@code context} current on this thread until the returned scope closes. */
    static Scope enter(CallContext context) {
        CallContext previous = CURRENT.get();
        CURRENT.set(context);
        return new Scope(previous);
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** The time left before the deadline; {@link Duration#ZERO} once it has passed. */
    public Duration remaining() {
        if (deadlineNanos == NO_DEADLINE) {
            return FOREVER;
        }
        long left = deadlineNanos - clock.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    /**
     * The deadline of this context expressed on {@code other}'s time line: the same instant when
     * both share a clock, else now-on-other plus the time this context has left.
     */
    long deadlineOn(ParleyClock other, long otherNow) {
        if (deadlineNanos == NO_DEADLINE) {
            return NO_DEADLINE;
        }
        if (other == clock) {
            return deadlineNanos;
        }
        return saturatedAdd(otherNow, Math.max(0, deadlineNanos - clock.nanoTime()));
    }

    ParleyClock clock() {
        return clock;
    }

    /** Whether the caller cancelled the call or its deadline passed; long-running handlers should check it. */
    public boolean isCancelled() {
        return cancelled || (deadlineNanos != NO_DEADLINE && clock.nanoTime() - deadlineNanos >= 0);
    }

    void cancel() {
        cancelled = true;
    }

    /** All headers of the inbound message. */
    public Headers headers() {
        return headers;
    }

    public Optional<String> header(String name) {
        return headers.get(name);
    }

    /** The caller's bearer token, without the {@code Bearer } prefix. */
    public Optional<String> bearerToken() {
        return headers.get(StandardHeaders.AUTHORIZATION)
                .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(v -> v.substring(7).trim());
    }

    /** The caller as the service's {@link Authenticator} established it; empty for anonymous calls. */
    public Optional<CallerIdentity> caller() {
        return Optional.ofNullable(identity);
    }

    public Optional<String> traceparent() {
        return headers.get(StandardHeaders.TRACEPARENT);
    }

    /** Restores the previous context when closed. Close it on the thread that opened it. */
    public static final class Scope implements AutoCloseable {
        private final @Nullable CallContext previous;

        private Scope(@Nullable CallContext previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            // set(null) rather than remove(): the next call on this thread reuses the map entry.
            CURRENT.set(previous);
        }
    }
}
