package dev.parley.micrometer;

import dev.parley.CallEvent;
import dev.parley.CallListener;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.contract.InteractionStyle;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer metrics for a Parley runtime: a {@link CallListener} that records every finished
 * call, and {@link #bindResilience} for the runtime's circuit breakers and bulkheads.
 *
 * <pre>{@code
 * MeterRegistry registry = ...;
 * Parley parley = Parley.builder()
 *         .service("dispatcher")
 *         .listener(ParleyMetrics.of(registry))
 *         .build();
 * ParleyMetrics.bindResilience(parley, registry);
 * }</pre>
 *
 * <p>Meters:
 * <table>
 * <caption>Meters recorded by ParleyMetrics</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@value #CALLS}</td><td>timer</td>
 *     <td>side, contract, operation, style, target, outcome</td>
 *     <td>every finished call, client and server side, from its start to the end of its last attempt</td></tr>
 * <tr><td>{@value #FALLBACKS}</td><td>counter</td>
 *     <td>contract, operation, target, outcome</td>
 *     <td>client calls answered by a fallback; {@code outcome} is the failure the fallback replaced</td></tr>
 * <tr><td>{@value #RETRIES}</td><td>counter</td>
 *     <td>contract, operation, target</td>
 *     <td>attempts beyond the first of client calls</td></tr>
 * </table>
 *
 * <p>Tag values: {@code side} is {@code client} or {@code server}; {@code contract} is the
 * contract's address, e.g. {@code trips/v1}; {@code style} is the interaction style in lower
 * case, e.g. {@code request_response}; {@code target} is the transport target on the client
 * side (e.g. {@code in-process:trips/v1}) and the serving instance ({@code service/instance}) on
 * the server side; {@code outcome} is {@code ok} or the {@link ErrorCode} name, e.g.
 * {@code NOT_FOUND}. A call answered by a fallback is recorded in {@value #CALLS} with the
 * outcome of the failure it replaced. Percentiles and histograms are off by default; turn them
 * on with a {@link io.micrometer.core.instrument.config.MeterFilter} for {@value #CALLS}.
 *
 * <p>The listener is thread-safe, cheap on the hot path (meters are looked up once per tag
 * combination) and never throws into Parley. One instance may be shared by several runtimes.
 */
public final class ParleyMetrics implements CallListener {

    /** The timer of every finished call. */
    public static final String CALLS = "parley.calls";
    /** The counter of client calls answered by a fallback. */
    public static final String FALLBACKS = "parley.fallbacks";
    /** The counter of retries (attempts beyond the first) of client calls. */
    public static final String RETRIES = "parley.retries";

    /** The {@code outcome} tag of a successful call. */
    public static final String OUTCOME_OK = "ok";

    private static final Logger log = LoggerFactory.getLogger(ParleyMetrics.class);
    private static final String UNKNOWN = "unknown";

    private final MeterRegistry registry;
    private final ConcurrentMap<Key, Meters> meters = new ConcurrentHashMap<>();
    private final AtomicBoolean warned = new AtomicBoolean();

    private ParleyMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * A listener recording into {@code registry}; pass it to
     * {@link Parley.Builder#listener(CallListener)}.
     *
     * @param registry where the meters are registered
     * @return a listener that records every call event it sees into {@code registry}
     */
    public static ParleyMetrics of(MeterRegistry registry) {
        return new ParleyMetrics(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * Binds Resilience4j's tagged metrics for the circuit breakers and bulkheads of
     * {@code parley} to {@code registry}: those that exist now and those created later (one per
     * client target, when the first client for it is created). Each meter is tagged
     * {@code name} with the target, e.g. {@code in-process:trips/v1}. Among them:
     * {@code resilience4j.circuitbreaker.state} (one gauge per state, 1 for the current one,
     * tagged {@code state}), {@code resilience4j.circuitbreaker.failure.rate},
     * {@code resilience4j.circuitbreaker.slow.call.rate}, {@code resilience4j.circuitbreaker.calls},
     * {@code resilience4j.circuitbreaker.not.permitted.calls},
     * {@code resilience4j.bulkhead.available.concurrent.calls} and
     * {@code resilience4j.bulkhead.max.allowed.concurrent.calls}.
     *
     * <p>Call it once per runtime and registry.
     *
     * @param parley   the runtime whose {@link Parley#circuitBreakers()} and {@link Parley#bulkheads()} to observe
     * @param registry where the gauges and counters are registered
     */
    public static void bindResilience(Parley parley, MeterRegistry registry) {
        Objects.requireNonNull(parley, "parley");
        Objects.requireNonNull(registry, "registry");
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(parley.circuitBreakers()).bindTo(registry);
        TaggedBulkheadMetrics.ofBulkheadRegistry(parley.bulkheads()).bindTo(registry);
    }

    @Override
    public void onCall(CallEvent event) {
        try {
            record(event);
        } catch (RuntimeException e) {
            // A listener must never fail a call; a broken registry costs metrics, not traffic.
            if (warned.compareAndSet(false, true)) {
                log.warn("cannot record Parley call metrics for {} (further failures are logged at debug level)", event, e);
            } else {
                log.debug("cannot record Parley call metrics for {}", event, e);
            }
        }
    }

    private void record(CallEvent event) {
        boolean client = event.side() != CallEvent.Side.SERVER;
        String outcome = event.error() == null ? OUTCOME_OK : event.error().map(ErrorCode::name).orElse(OUTCOME_OK);
        Key key = new Key(client, text(event.contract()), text(event.operation()), style(event.style()), text(event.target()), outcome);
        Meters m = meters.get(key);
        if (m == null) {
            m = meters.computeIfAbsent(key, this::register);
        }
        m.calls.record(Math.max(0, event.durationNanos()), TimeUnit.NANOSECONDS);
        if (m.retries != null && event.attempts() > 1) {
            m.retries.increment(event.attempts() - 1);
        }
        if (client && event.fallbackUsed()) {
            // rare: looked up in the registry each time rather than cached
            Counter.builder(FALLBACKS)
                    .description("Parley client calls answered by a fallback, by the failure it replaced")
                    .tags(Tags.of("contract", key.contract, "operation", key.operation, "target", key.target, "outcome", outcome))
                    .register(registry)
                    .increment();
        }
    }

    private Meters register(Key key) {
        Timer calls = Timer.builder(CALLS)
                .description("Parley calls by side, contract, operation, interaction style, target and outcome")
                .tags(Tags.of(
                        "side", key.client ? "client" : "server",
                        "contract", key.contract,
                        "operation", key.operation,
                        "style", key.style,
                        "target", key.target,
                        "outcome", key.outcome))
                .register(registry);
        if (!key.client) {
            return new Meters(calls, null);
        }
        Counter retries = Counter.builder(RETRIES)
                .description("Retries (attempts beyond the first) of Parley client calls")
                .tags(Tags.of("contract", key.contract, "operation", key.operation, "target", key.target))
                .register(registry);
        return new Meters(calls, retries);
    }

    private static String text(String value) {
        return value == null || value.isEmpty() ? UNKNOWN : value;
    }

    private static String style(InteractionStyle style) {
        return style == null ? UNKNOWN : style.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "ParleyMetrics(" + registry.getClass().getSimpleName() + ")";
    }

    private record Key(boolean client, String contract, String operation, String style, String target, String outcome) {}

    private record Meters(Timer calls, Counter retries) {}
}
