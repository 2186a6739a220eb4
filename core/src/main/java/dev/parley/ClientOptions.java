package dev.parley;

import dev.parley.internal.Checks;
import dev.parley.codec.Codec;
import dev.parley.resilience.BreakerPolicy;
import dev.parley.resilience.BulkheadPolicy;
import dev.parley.resilience.Fallback;
import dev.parley.resilience.RetryPolicy;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * How a client calls one contract: deadline, bulkhead, circuit breaker, retries, fallbacks and
 * codec, for the whole contract and per method. Immutable; derive variants with
 * {@link #from(ClientOptions)}.
 *
 * <pre>{@code
 * ClientOptions options = ClientOptions.custom()
 *         .deadline(Duration.ofSeconds(2))
 *         .bulkhead(BulkheadPolicy.maxConcurrentCalls(64))
 *         .method("quote", m -> m.deadline(Duration.ofMillis(300)).fallback(Fallback.value(Quote.NONE)))
 *         .build();
 * }</pre>
 *
 * <p>The deadline of a call is the first of: the per-call {@link CallContext#withDeadline scope},
 * the method's option, the contract's option, the method's {@code @Deadline}, the contract's
 * {@code @Contract(deadline)}, and {@link #DEFAULT_DEADLINE}; and never more than an inbound
 * call's remaining time.
 *
 * <p>Every setting can also come from a properties file with the same names
 * ({@link #fromProperties(Properties, String)}).
 */
public final class ClientOptions {

    /** The deadline of a call when nothing else sets one. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    private static final ClientOptions DEFAULTS = new Builder().build();

    private final Optional<Duration> deadline;
    private final BulkheadPolicy bulkhead;
    private final BreakerPolicy circuitBreaker;
    private final RetryPolicy retry;
    private final Optional<Codec> codec;
    private final Map<String, MethodOptions> methods;

    private ClientOptions(Builder b) {
        this.deadline = b.deadline;
        this.bulkhead = b.bulkhead;
        this.circuitBreaker = b.circuitBreaker;
        this.retry = b.retry;
        this.codec = b.codec;
        Map<String, MethodOptions> m = new LinkedHashMap<>();
        b.methods.forEach((name, mb) -> m.put(name, mb.build()));
        this.methods = Map.copyOf(m);
    }

    public static ClientOptions ofDefaults() {
        return DEFAULTS;
    }

    public static Builder custom() {
        return new Builder();
    }

    public static Builder from(ClientOptions base) {
        Builder b = new Builder();
        b.deadline = base.deadline;
        b.bulkhead = base.bulkhead;
        b.circuitBreaker = base.circuitBreaker;
        b.retry = base.retry;
        b.codec = base.codec;
        base.methods.forEach((name, mo) -> b.methods.put(name, MethodOptions.Builder.from(mo)));
        return b;
    }

    /**
     * Reads options from properties whose keys start with {@code prefix} (e.g. {@code parley.client.trips.}):
     * <pre>
     * deadline=PT2S
     * bulkhead.maxConcurrentCalls=64            (bulkhead.enabled=false turns it off)
     * circuitBreaker.failureRateThreshold=50    (also slowCallRateThreshold, slowCallDuration, minimumCalls,
     *                                            window, waitInOpen, halfOpenCalls, enabled)
     * retry.maxAttempts=3                       (also baseDelay, maxDelay, budgetRatio, minRetriesPerSecond)
     * codec=application/cbor                    (or application/json)
     * method.quote.deadline=PT0.3S              (also method.NAME.retry.*, starting from the retry.* above)
     * </pre>
     * Unknown keys under the prefix and malformed values fail with an {@link IllegalArgumentException}
     * naming the key, the value and what was expected.
     */
    public static ClientOptions fromProperties(Properties properties, String prefix) {
        return OptionsProperties.read(properties, prefix);
    }

    public Optional<Duration> deadline() {
        return deadline;
    }

    public BulkheadPolicy bulkhead() {
        return bulkhead;
    }

    public BreakerPolicy circuitBreaker() {
        return circuitBreaker;
    }

    public RetryPolicy retry() {
        return retry;
    }

    public Optional<Codec> codec() {
        return codec;
    }

    public Map<String, MethodOptions> methods() {
        return methods;
    }

    /** Builds {@link ClientOptions}. */
    public static final class Builder {
        private Optional<Duration> deadline = Optional.empty();
        private BulkheadPolicy bulkhead = BulkheadPolicy.ofDefaults();
        private BreakerPolicy circuitBreaker = BreakerPolicy.ofDefaults();
        private RetryPolicy retry = RetryPolicy.ofDefaults();
        private Optional<Codec> codec = Optional.empty();
        private final Map<String, MethodOptions.Builder> methods = new HashMap<>();

        private Builder() {}

        public Builder deadline(Duration value) {
            Checks.requirePositive("deadline", value);
            deadline = Optional.of(value);
            return this;
        }

        public Builder bulkhead(BulkheadPolicy value) {
            bulkhead = value;
            return this;
        }

        public Builder circuitBreaker(BreakerPolicy value) {
            circuitBreaker = value;
            return this;
        }

        public Builder retry(RetryPolicy value) {
            retry = value;
            return this;
        }

        /** The codec for requests; replies come back in the same one. Defaults to the runtime's codec. */
        public Builder codec(Codec value) {
            codec = Optional.of(value);
            return this;
        }

        /** Settings for one method, by name; an unknown name fails when the client is created. */
        public Builder method(String name, Consumer<MethodOptions.Builder> settings) {
            settings.accept(methods.computeIfAbsent(name, n -> new MethodOptions.Builder()));
            return this;
        }

        public ClientOptions build() {
            return new ClientOptions(this);
        }
    }

    /** Per-method settings: deadline, retries, fallback. */
    public record MethodOptions(Optional<Duration> deadline, Optional<RetryPolicy> retry, Optional<Fallback> fallback) {

        /** Builds {@link MethodOptions}. */
        public static final class Builder {
            private Optional<Duration> deadline = Optional.empty();
            private Optional<RetryPolicy> retry = Optional.empty();
            private Optional<Fallback> fallback = Optional.empty();

            Builder() {}

            static Builder from(MethodOptions base) {
                Builder b = new Builder();
                b.deadline = base.deadline;
                b.retry = base.retry;
                b.fallback = base.fallback;
                return b;
            }

            public Builder deadline(Duration value) {
                Checks.requirePositive("deadline", value);
                deadline = Optional.of(value);
                return this;
            }

            public Builder retry(RetryPolicy value) {
                retry = Optional.of(value);
                return this;
            }

            public Builder fallback(Fallback value) {
                fallback = Optional.of(value);
                return this;
            }

            MethodOptions build() {
                return new MethodOptions(deadline, retry, fallback);
            }
        }
    }

    static Duration parseDuration(String key, String text) {
        try {
            Duration d = Duration.parse(text.trim());
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(key + ": '" + text + "' (expected: > 0)");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + ": '" + text + "' (expected: an ISO-8601 duration such as PT2S or PT0.25S)");
        }
    }
}
