package dev.parley.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.CallEvent;
import dev.parley.ClientOptions;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.ParleyClock;
import dev.parley.ParleyException;
import dev.parley.contract.Contract;
import dev.parley.contract.Idempotent;
import dev.parley.contract.InteractionStyle;
import dev.parley.resilience.BreakerPolicy;
import dev.parley.resilience.BulkheadPolicy;
import dev.parley.resilience.Fallback;
import dev.parley.transport.InProcessTransport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ParleyMetrics} against a real in-process Parley: a client runtime calling a server runtime. */
class ParleyMetricsTest {

    record Hello(String name) {}

    record Greeting(String text) {}

    @Contract(name = "greeter", version = "1.0")
    interface Greeter {
        Greeting greet(Hello hello);

        @Idempotent
        Greeting lookup(Hello hello);
    }

    static final String CONTRACT = "greeter/v1";
    static final String TARGET = "in-process:greeter/v1";
    static final String SERVER = "greeter-service/s1";

    /** Answers "hello NAME"; "nobody" is NOT_FOUND, "down" UNAVAILABLE; lookup fails its first attempt per name. */
    static final class GreeterImpl implements Greeter {
        final AtomicInteger lookups = new AtomicInteger();
        volatile CountDownLatch entered = new CountDownLatch(0);
        volatile CountDownLatch release = new CountDownLatch(0);

        @Override
        public Greeting greet(Hello hello) {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return switch (hello.name()) {
                case "nobody" -> throw ParleyException.of(ErrorCode.NOT_FOUND, "no such person: nobody");
                case "down" -> throw ParleyException.of(ErrorCode.UNAVAILABLE, "greeter is down");
                default -> new Greeting("hello " + hello.name());
            };
        }

        @Override
        public Greeting lookup(Hello hello) {
            if (lookups.getAndIncrement() == 0) {
                throw ParleyException.of(ErrorCode.UNAVAILABLE, "warming up");
            }
            return new Greeting("found " + hello.name());
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final GreeterImpl impl = new GreeterImpl();
    private InProcessTransport transport;
    private Parley server;
    private Parley app;

    @BeforeEach
    void start() {
        transport = InProcessTransport.create();
        server = Parley.builder()
                .service("greeter-service")
                .instanceId("s1")
                .transport(transport)
                .clock(ParleyClock.system())
                .listener(ParleyMetrics.of(registry))
                .build();
        server.serve(Greeter.class, impl);
        app = Parley.builder()
                .service("app")
                .transport(transport)
                .clock(ParleyClock.system())
                .listener(ParleyMetrics.of(registry))
                .build();
    }

    @AfterEach
    void stop() {
        app.close();
        server.close();
        transport.close();
    }

    private RequiredSearch calls(String side, String operation, String outcome) {
        return registry.get(ParleyMetrics.CALLS)
                .tag("side", side)
                .tag("contract", CONTRACT)
                .tag("operation", operation)
                .tag("style", "request_response")
                .tag("outcome", outcome);
    }

    private long callCount(String side, String operation, String outcome) {
        Timer timer = registry.find(ParleyMetrics.CALLS)
                .tag("side", side).tag("operation", operation).tag("outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }

    private double counterCount(String name, String operation, String outcome) {
        var search = registry.find(name).tag("operation", operation);
        Counter counter = (outcome == null ? search : search.tag("outcome", outcome)).counter();
        return counter == null ? 0 : counter.count();
    }

    /**
     * Listeners run just after the caller got its reply (client side) or the reply was sent
     * (server side), so a test waits for the last event to be recorded.
     */
    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }

    // ---- call timer ----------------------------------------------------------------------------

    @Test
    void successfulCallsAreTimedOnBothSidesWithOutcomeOk() throws Exception {
        Greeter greeter = app.client(Greeter.class);
        int n = 7;
        for (int i = 0; i < n; i++) {
            assertThat(greeter.greet(new Hello("p" + i))).isEqualTo(new Greeting("hello p" + i));
        }

        await(() -> callCount("client", "greet", "ok") == n);
        Timer client = calls("client", "greet", "ok").tag("target", TARGET).timer();
        assertThat(client.count()).isEqualTo(n);
        assertThat(client.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        await(() -> callCount("server", "greet", "ok") == n);
        Timer serverTimer = calls("server", "greet", "ok").tag("target", SERVER).timer();
        assertThat(serverTimer.count()).isEqualTo(n);
        assertThat(registry.find(ParleyMetrics.CALLS).tag("outcome", "NOT_FOUND").timers()).isEmpty();
    }

    @Test
    void notFoundFromTheHandlerIsRecordedAsItsErrorCode() throws Exception {
        Greeter greeter = app.client(Greeter.class);
        greeter.greet(new Hello("someone"));

        assertThatThrownBy(() -> greeter.greet(new Hello("nobody")))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));

        await(() -> callCount("client", "greet", "NOT_FOUND") == 1 && callCount("client", "greet", "ok") == 1);
        assertThat(calls("client", "greet", "NOT_FOUND").tag("target", TARGET).timer().count()).isEqualTo(1);
        assertThat(calls("client", "greet", "ok").timer().count()).isEqualTo(1);
        await(() -> callCount("server", "greet", "NOT_FOUND") == 1);
        assertThat(calls("server", "greet", "NOT_FOUND").tag("target", SERVER).timer().count()).isEqualTo(1);
        assertThat(registry.find(ParleyMetrics.FALLBACKS).counters()).isEmpty();
    }

    @Test
    void fallbackAnswersAreCountedWithTheFailureTheyReplaced() throws Exception {
        Greeting degraded = new Greeting("hello, whoever you are");
        Greeter greeter = app.client(Greeter.class, ClientOptions.custom()
                .method("greet", m -> m.fallback(Fallback.value(degraded)))
                .build());

        assertThat(greeter.greet(new Hello("down"))).isEqualTo(degraded);
        assertThat(greeter.greet(new Hello("down"))).isEqualTo(degraded);
        assertThatThrownBy(() -> greeter.greet(new Hello("nobody"))).isInstanceOf(ParleyException.class);

        await(() -> callCount("client", "greet", "NOT_FOUND") == 1);
        await(() -> counterCount(ParleyMetrics.FALLBACKS, "greet", "UNAVAILABLE") == 2.0);
        Counter fallbacks = registry.get(ParleyMetrics.FALLBACKS)
                .tag("contract", CONTRACT).tag("operation", "greet").tag("target", TARGET).tag("outcome", "UNAVAILABLE")
                .counter();
        assertThat(fallbacks.count()).isEqualTo(2.0);
        assertThat(registry.find(ParleyMetrics.FALLBACKS).tag("outcome", "NOT_FOUND").counter()).isNull();
        assertThat(calls("client", "greet", "UNAVAILABLE").timer().count()).isEqualTo(2);
        await(() -> callCount("server", "greet", "UNAVAILABLE") == 2);
    }

    @Test
    void retriesOfIdempotentCallsAreCounted() throws Exception {
        Greeter greeter = app.client(Greeter.class);

        assertThat(greeter.lookup(new Hello("ada"))).isEqualTo(new Greeting("found ada"));
        assertThat(greeter.lookup(new Hello("bob"))).isEqualTo(new Greeting("found bob"));

        await(() -> callCount("client", "lookup", "ok") == 2);
        Counter retries = registry.get(ParleyMetrics.RETRIES)
                .tag("contract", CONTRACT).tag("operation", "lookup").tag("target", TARGET).counter();
        assertThat(retries.count()).isEqualTo(1.0);
        assertThat(calls("client", "lookup", "ok").timer().count()).isEqualTo(2);
        assertThat(registry.get(ParleyMetrics.RETRIES).tag("operation", "lookup").counters()).hasSize(1);
    }

    @Test
    void callsWithoutRetriesLeaveTheRetryCounterAtZero() throws Exception {
        Greeter greeter = app.client(Greeter.class);
        greeter.greet(new Hello("x"));
        await(() -> callCount("client", "greet", "ok") == 1);

        assertThat(registry.get(ParleyMetrics.RETRIES).tag("operation", "greet").counter().count()).isZero();
    }

    // ---- resilience gauges ---------------------------------------------------------------------

    @Test
    void breakerStateGaugeExistsForTheClientTarget() {
        Greeter greeter = app.client(Greeter.class);

        ParleyMetrics.bindResilience(app, registry);
        greeter.greet(new Hello("x"));

        Gauge closed = registry.get("resilience4j.circuitbreaker.state").tag("name", TARGET).tag("state", "closed").gauge();
        assertThat(closed.value()).isEqualTo(1.0);
        assertThat(registry.get("resilience4j.circuitbreaker.state").tag("name", TARGET).tag("state", "open").gauge().value())
                .isZero();
        assertThat(registry.get("resilience4j.circuitbreaker.failure.rate").tag("name", TARGET).gauge()).isNotNull();
    }

    @Test
    void breakerGaugesFollowTheBreakerWhenItOpens() throws Exception {
        ParleyMetrics.bindResilience(app, registry); // before the target exists: picked up when it is created
        Greeter greeter = app.client(Greeter.class, ClientOptions.custom()
                .circuitBreaker(BreakerPolicy.custom().minimumCalls(4).failureRateThreshold(50).waitInOpen(Duration.ofMinutes(5)).build())
                .build());

        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> greeter.greet(new Hello("down"))).isInstanceOf(ParleyException.class);
        }
        assertThatThrownBy(() -> greeter.greet(new Hello("x")))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));

        assertThat(registry.get("resilience4j.circuitbreaker.state").tag("name", TARGET).tag("state", "open").gauge().value())
                .isEqualTo(1.0);
        assertThat(registry.get("resilience4j.circuitbreaker.state").tag("name", TARGET).tag("state", "closed").gauge().value())
                .isZero();
        assertThat(registry.get("resilience4j.circuitbreaker.failure.rate").tag("name", TARGET).gauge().value())
                .isEqualTo(100.0);
        assertThat(registry.get("resilience4j.circuitbreaker.not.permitted.calls").tag("name", TARGET).counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void bulkheadGaugesReflectTheConfiguredMaximumAndCallsInFlight() throws Exception {
        Greeter greeter = app.client(Greeter.class, ClientOptions.custom().bulkhead(BulkheadPolicy.maxConcurrentCalls(7)).build());
        ParleyMetrics.bindResilience(app, registry);

        Gauge available = registry.get("resilience4j.bulkhead.available.concurrent.calls").tag("name", TARGET).gauge();
        Gauge max = registry.get("resilience4j.bulkhead.max.allowed.concurrent.calls").tag("name", TARGET).gauge();
        assertThat(available.value()).isEqualTo(7.0);
        assertThat(max.value()).isEqualTo(7.0);

        impl.entered = new CountDownLatch(2);
        impl.release = new CountDownLatch(1);
        CompletableFuture<Greeting> first = CompletableFuture.supplyAsync(() -> greeter.greet(new Hello("a")));
        CompletableFuture<Greeting> second = CompletableFuture.supplyAsync(() -> greeter.greet(new Hello("b")));
        assertThat(impl.entered.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(available.value()).isEqualTo(5.0);
        assertThat(max.value()).isEqualTo(7.0);

        impl.release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(new Greeting("hello a"));
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(new Greeting("hello b"));
        assertThat(available.value()).isEqualTo(7.0);
    }

    @Test
    void resilienceMetricsAreTaggedPerTarget() {
        app.client(Greeter.class);
        ParleyMetrics.bindResilience(app, registry);

        assertThat(registry.find("resilience4j.circuitbreaker.state").meters())
                .extracting(m -> m.getId().getTag("name"))
                .containsOnly(TARGET);
        assertThat(registry.find("resilience4j.bulkhead.available.concurrent.calls").meters())
                .extracting(m -> m.getId().getTag("name"))
                .containsOnly(TARGET);
    }

    // ---- the listener on its own ---------------------------------------------------------------

    @Test
    void listenerRecordsAnyEventShape() {
        ParleyMetrics metrics = ParleyMetrics.of(registry);

        metrics.onCall(new CallEvent(CallEvent.Side.CLIENT, "trips/v2", "completed", InteractionStyle.PUBLISH_SUBSCRIBE,
                "kafka:trips.v2.events", Optional.empty(), 1_500_000, 3, false));
        metrics.onCall(new CallEvent(CallEvent.Side.SERVER, "trips/v2", "create", InteractionStyle.ONE_WAY,
                "trips/abc", Optional.of(ErrorCode.INTERNAL), 2_000_000, 1, false));

        Timer publish = registry.get(ParleyMetrics.CALLS).tags("side", "client", "contract", "trips/v2", "operation", "completed",
                "style", "publish_subscribe", "target", "kafka:trips.v2.events", "outcome", "ok").timer();
        assertThat(publish.count()).isEqualTo(1);
        assertThat(publish.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1.5);
        assertThat(registry.get(ParleyMetrics.RETRIES).tag("operation", "completed").counter().count()).isEqualTo(2.0);
        assertThat(registry.get(ParleyMetrics.CALLS).tags("side", "server", "style", "one_way", "outcome", "INTERNAL")
                .timer().count()).isEqualTo(1);
        assertThat(registry.find(ParleyMetrics.RETRIES).tag("operation", "create").counter())
                .as("no retry counter for the server side").isNull();
    }

    @Test
    void listenerNeverThrowsEvenForIncompleteEvents() {
        ParleyMetrics metrics = ParleyMetrics.of(registry);

        metrics.onCall(new CallEvent(CallEvent.Side.CLIENT, null, null, null, null, Optional.empty(), -5, 0, false));

        Meter meter = registry.get(ParleyMetrics.CALLS).tag("contract", "unknown").tag("style", "unknown").timer();
        assertThat(meter).isNotNull();
    }

    @Test
    void listenerNeverThrowsWhenTheRegistryFails() {
        MeterRegistry closed = new SimpleMeterRegistry();
        closed.config().onMeterAdded(m -> {
            throw new IllegalStateException("registry is broken");
        });
        ParleyMetrics metrics = ParleyMetrics.of(closed);

        metrics.onCall(new CallEvent(CallEvent.Side.CLIENT, "c/v1", "op", InteractionStyle.REQUEST_RESPONSE, "t",
                Optional.empty(), 1, 1, false));
    }

    @Test
    void nullArgumentsAreRejectedUpFront() {
        assertThatThrownBy(() -> ParleyMetrics.of(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ParleyMetrics.bindResilience(null, registry)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ParleyMetrics.bindResilience(app, null)).isInstanceOf(NullPointerException.class);
    }
}
