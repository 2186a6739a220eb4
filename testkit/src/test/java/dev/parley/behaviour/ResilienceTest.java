package dev.parley.behaviour;

import static dev.parley.behaviour.InteractionStylesTest.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.CallContext;
import dev.parley.CallEvent;
import dev.parley.CallRejectedException;
import dev.parley.ClientOptions;
import dev.parley.DeadlineExceededException;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.ParleyException;
import dev.parley.RemoteException;
import dev.parley.TransportException;
import dev.parley.behaviour.InteractionStylesTest.TripService;
import dev.parley.behaviour.TaxiContracts.Authorize;
import dev.parley.behaviour.TaxiContracts.CreateTrip;
import dev.parley.behaviour.TaxiContracts.Payment;
import dev.parley.behaviour.TaxiContracts.Pricing;
import dev.parley.behaviour.TaxiContracts.Quote;
import dev.parley.behaviour.TaxiContracts.QuoteRequest;
import dev.parley.behaviour.TaxiContracts.TripId;
import dev.parley.behaviour.TaxiContracts.TripView;
import dev.parley.behaviour.TaxiContracts.Trips;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.resilience.BreakerPolicy;
import dev.parley.resilience.BulkheadPolicy;
import dev.parley.resilience.Fallback;
import dev.parley.resilience.RetryPolicy;
import dev.parley.testkit.ParleyExtension;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Deadlines, cancellation, circuit breakers, bulkheads, retries with budget and fallbacks, on the manual clock. */
class ResilienceTest {

    @RegisterExtension
    final ParleyExtension parley = ParleyExtension.create();

    private static <T> CompletableFuture<T> inBackground(Callable<T> call) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(call.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** Advances the manual clock in steps until the future completes (retries wait on it). */
    private <T> T pumpClock(CompletableFuture<T> f) throws Exception {
        for (int i = 0; i < 10_000 && !f.isDone(); i++) {
            parley.clock().advance(Duration.ofMillis(50));
            Thread.sleep(1);
        }
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, got " + f.get());
    }

    // ---- deadlines and cancellation ----------------------------------------------------------

    @Test
    void anExpiringDeadlineFailsTheCallAndInterruptsTheHandler() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        parley.service("trip-management").serve(Trips.class, new TripService() {
            @Override
            public TripView slowLookup(TripId id) {
                started.countDown();
                try {
                    Thread.sleep(Duration.ofMinutes(5));
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    Thread.currentThread().interrupt();
                }
                return new TripView(id.id(), "p", "LATE", 0);
            }
        });
        Trips trips = parley.service("app").client(Trips.class);

        CompletableFuture<TripView> call = inBackground(() -> trips.slowLookup(new TripId("t-1"))); // @Deadline("PT1S")
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        parley.clock().advance(Duration.ofMillis(999));
        Thread.sleep(20);
        assertThat(call).isNotDone();

        parley.clock().advance(Duration.ofMillis(1));

        assertThat(failureOf(call)).isInstanceOf(DeadlineExceededException.class).hasMessageContaining("Trips.slowLookup");
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("handler interrupted").isTrue();
    }

    @Test
    void aDroppedReplyEndsInADeadlineAfterTheServiceDidTheWorkOnce() throws Exception {
        TripService service = new TripService();
        parley.service("trip-management").serve(Trips.class, service);
        Trips trips = parley.service("app").client(Trips.class, ClientOptions.custom().deadline(Duration.ofSeconds(2)).build());
        parley.faults().on("trips/v1", "create").times(1).dropReply();

        CompletableFuture<TripView> call = inBackground(() -> trips.create(new CreateTrip("p", "a", "b")));
        awaitTrue(() -> service.calls.get() == 1);
        Thread.sleep(20);
        assertThat(call).as("the reply was lost; the caller waits for its deadline").isNotDone();

        parley.clock().advance(Duration.ofSeconds(2));

        assertThat(failureOf(call)).isInstanceOf(DeadlineExceededException.class);
        assertThat(service.calls).hasValue(1);
    }

    @Test
    void theDeadlineIsOverriddenPerMethodAndPerCall() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        parley.service("trip-management").serve(Trips.class, new TripService() {
            @Override
            public TripView create(CreateTrip request) {
                started.countDown();
                try {
                    Thread.sleep(Duration.ofMinutes(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }
        });
        Trips trips = parley.service("app").client(Trips.class, ClientOptions.custom()
                .deadline(Duration.ofSeconds(30))
                .method("create", m -> m.deadline(Duration.ofSeconds(3)))
                .build());

        CompletableFuture<TripView> methodLevel = inBackground(() -> trips.create(new CreateTrip("p", "a", "b")));
        CompletableFuture<TripView> callLevel = inBackground(() -> {
            try (CallContext.Scope scope = CallContext.withDeadline(Duration.ofSeconds(1))) {
                return trips.create(new CreateTrip("p", "a", "b"));
            }
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        parley.clock().advance(Duration.ofSeconds(1));
        assertThat(failureOf(callLevel)).isInstanceOf(DeadlineExceededException.class);
        Thread.sleep(20);
        assertThat(methodLevel).isNotDone();
        parley.clock().advance(Duration.ofSeconds(2));
        assertThat(failureOf(methodLevel)).isInstanceOf(DeadlineExceededException.class);
    }

    /**
     * The deadlines of an operation's calls in flight share one timer (docs/architecture.md): each
     * call still fails at its own deadline, whether it came in deadline order, with a shorter
     * deadline than the calls before it, or after the calls before it finished. Replies are
     * dropped, so only the client's deadline can end these calls.
     */
    @Test
    void everyCallInFlightFailsAtItsOwnDeadline() throws Exception {
        TripService service = new TripService();
        parley.service("trip-management").serve(Trips.class, service);
        Trips trips = parley.service("app").client(Trips.class, ClientOptions.custom().deadline(Duration.ofSeconds(2)).build());
        parley.faults().on("trips/v1", "create").times(3).dropReply();
        CreateTrip request = new CreateTrip("p", "a", "b");

        CompletableFuture<TripView> first = inBackground(() -> trips.create(request)); // deadline at 2 s
        awaitTrue(() -> service.calls.get() == 1);
        parley.clock().advance(Duration.ofSeconds(1));
        CompletableFuture<TripView> second = inBackground(() -> trips.create(request)); // at 3 s
        awaitTrue(() -> service.calls.get() == 2);
        parley.clock().advance(Duration.ofMillis(999));
        Thread.sleep(20);
        assertThat(first).isNotDone();
        parley.clock().advance(Duration.ofMillis(1));
        assertThat(failureOf(first)).isInstanceOf(DeadlineExceededException.class);
        assertThat(second).isNotDone();

        // Shorter than the call before it: at about 2.5 s (the scope counts real time too), before the second call's 3 s.
        CompletableFuture<TripView> shorter = inBackground(() -> {
            try (CallContext.Scope scope = CallContext.withDeadline(Duration.ofMillis(500))) {
                return trips.create(request);
            }
        });
        awaitTrue(() -> service.calls.get() == 3);
        parley.clock().advance(Duration.ofMillis(500));
        assertThat(failureOf(shorter)).isInstanceOf(DeadlineExceededException.class);
        Thread.sleep(20);
        assertThat(second).isNotDone();
        parley.clock().advance(Duration.ofMillis(500));
        assertThat(failureOf(second)).isInstanceOf(DeadlineExceededException.class);

        // A call that finished left its timer behind (for 5 s): a later call with a shorter deadline still fails on time.
        assertThat(trips.create(request).status()).isEqualTo("CREATED");
        parley.faults().on("trips/v1", "create").times(1).dropReply();
        CompletableFuture<TripView> afterEmpty = inBackground(() -> {
            try (CallContext.Scope scope = CallContext.withDeadline(Duration.ofSeconds(1))) {
                return trips.create(request); // at about 4 s
            }
        });
        awaitTrue(() -> service.calls.get() == 5);
        Thread.sleep(20);
        assertThat(afterEmpty).isNotDone();
        parley.clock().advance(Duration.ofSeconds(1));
        assertThat(failureOf(afterEmpty)).isInstanceOf(DeadlineExceededException.class);
        assertThat(service.calls).hasValue(5);
    }

    @Test
    void theDeadlineTokenAndTracePropagateToDownstreamCallsAsRemainingTime() throws Exception {
        Parley pricingService = parley.service("pricing");
        pricingService.serve(Pricing.class, request -> {
            CallContext ctx = CallContext.current().orElseThrow();
            return new Quote(1250, ctx.traceparent().orElse(""), ctx.remaining().toMillis(), ctx.bearerToken().orElse(""));
        });
        Parley tripService = parley.service("trip-management");
        Pricing pricing = tripService.client(Pricing.class);
        AtomicReference<Quote> seen = new AtomicReference<>();
        AtomicReference<String> inboundTrace = new AtomicReference<>();
        tripService.serve(Trips.class, new TripService() {
            @Override
            public TripView create(CreateTrip request) {
                inboundTrace.set(CallContext.current().orElseThrow().traceparent().orElseThrow());
                parley.clock().advance(Duration.ofMillis(100)); // work before the downstream call
                Quote quote = pricing.quote(new QuoteRequest(request.from(), request.to()));
                seen.set(quote);
                return new TripView("t-1", request.passengerId(), "CREATED", quote.fareCents());
            }
        });
        Trips trips = parley.service("app").client(Trips.class);

        TripView trip = inBackground(() -> {
            try (CallContext.Scope s = CallContext.withDeadline(Duration.ofMillis(300))) {
                return trips.create(new CreateTrip("p-1", "a", "b"));
            }
        }).get(5, TimeUnit.SECONDS);

        assertThat(trip.fareCents()).isEqualTo(1250);
        assertThat(seen.get().remainingMillis()).as("pricing saw the remaining budget").isBetween(150L, 200L);
        String traceId = inboundTrace.get().substring(3, 35);
        assertThat(seen.get().traceparent()).startsWith("00-" + traceId + "-").isNotEqualTo(inboundTrace.get());
    }

    @Test
    void theCallersTokenTravelsToTheServiceAndOnward() throws Exception {
        Parley pricingService = parley.service("pricing");
        pricingService.serve(Pricing.class, request -> new Quote(1, "", 0,
                CallContext.current().orElseThrow().bearerToken().orElse("none")));
        Parley tripService = parley.service("trip-management");
        Pricing pricing = tripService.client(Pricing.class);
        tripService.serve(Trips.class, new TripService() {
            @Override
            public TripView create(CreateTrip request) {
                return new TripView(pricing.quote(new QuoteRequest("a", "b")).token(), "p", "CREATED", 0);
            }
        });
        // The in-process transport carries whatever headers the envelope has: send one with a token directly.
        var channel = parley.transport().connect(Trips.class);
        var body = dev.parley.codec.Codec.json().forType(CreateTrip.class).encode(new CreateTrip("p", "a", "b"));
        var reply = channel.request(dev.parley.message.Envelope.of(Headers.builder()
                .set(StandardHeaders.OPERATION, "create")
                .set(StandardHeaders.MESSAGE_ID, "m-1")
                .set(StandardHeaders.DEADLINE, "5000")
                .set(StandardHeaders.AUTHORIZATION, "Bearer eyJ.token.sig")
                .build(), body)).get(5, TimeUnit.SECONDS);

        dev.parley.codec.TypedCodec<TripView> replyCodec = dev.parley.codec.Codec.json().forType(TripView.class);
        assertThat(replyCodec.decode(reply.body()).id()).as("the token pricing saw, two hops down").isEqualTo("eyJ.token.sig");
    }

    @Test
    void customHeadersSetInAScopeReachTheHandler() {
        parley.service("pricing").serve(Pricing.class, request -> new Quote(0, "", 0,
                CallContext.current().orElseThrow().header("x-tenant").orElse("none")));
        Pricing pricing = parley.service("app").client(Pricing.class);

        try (CallContext.Scope tenant = CallContext.withHeader("x-tenant", "acme");
             CallContext.Scope deadline = CallContext.withDeadline(Duration.ofSeconds(1))) {
            assertThat(pricing.quote(new QuoteRequest("a", "b")).token()).isEqualTo("acme");
        }
        assertThat(pricing.quote(new QuoteRequest("a", "b")).token()).as("scope closed").isEqualTo("none");
        assertThatThrownBy(() -> CallContext.withHeader("parley-deadline", "1")).hasMessageContaining("set by Parley itself");
        assertThatThrownBy(() -> CallContext.withHeader("X-Tenant", "acme")).hasMessageContaining("header name");
    }

    @Test
    void cancellingAnAsyncCallCancelsTheServicesWork() throws Exception {
        TripService service = new TripService();
        parley.service("payments").serve(Trips.class, service);
        Trips trips = parley.service("app").client(Trips.class);

        CompletionStage<Payment> stage = trips.authorize(new Authorize("t-1", 100));
        awaitTrue(() -> service.pendingPayments.containsKey("t-1"));
        stage.toCompletableFuture().cancel(true);

        awaitTrue(() -> service.pendingPayments.get("t-1").isCancelled());
    }

    @Test
    void interruptingABlockedCallerCancelsTheCallAndTheHandler() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        parley.service("trip-management").serve(Trips.class, new TripService() {
            @Override
            public TripView create(CreateTrip request) {
                started.countDown();
                try {
                    Thread.sleep(Duration.ofMinutes(5));
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
                return null;
            }
        });
        Trips trips = parley.service("app").client(Trips.class);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                trips.create(new CreateTrip("p", "a", "b"));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        caller.interrupt();
        caller.join(5000);

        assertThat(failure.get()).isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }

    // ---- circuit breaker -----------------------------------------------------------------------

    @Test
    void theBreakerOpensAfterFiveFailuresFailsFastAndRecoversThroughHalfOpen() throws Exception {
        TripService service = new TripService();
        parley.service("trip-management").serve(Trips.class, service);
        Parley app = parley.service("app");
        Trips trips = app.client(Trips.class); // default policy: 5 calls, 50% failures, 5 s open
        parley.faults().on("trips/v1").always().disconnect();

        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> trips.create(new CreateTrip("p", "a", "b"))).isInstanceOf(TransportException.class);
        }
        CircuitBreaker breaker = app.circuitBreakers().circuitBreaker("in-process:trips/v1");
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);

        assertThatThrownBy(() -> trips.create(new CreateTrip("p", "a", "b")))
                .isInstanceOfSatisfying(CallRejectedException.class, e -> {
                    assertThat(e.reason()).isEqualTo("circuit-open");
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getStackTrace()).as("no stack trace on the hot path").isEmpty();
                });
        assertThat(parley.faults().injectedCount()).as("rejected calls never reach the transport").isEqualTo(5);

        parley.faults().clear();
        parley.clock().advance(Duration.ofSeconds(4));
        assertThatThrownBy(() -> trips.create(new CreateTrip("p", "a", "b"))).isInstanceOf(CallRejectedException.class);
        parley.clock().advance(Duration.ofMillis(1001));

        assertThat(trips.create(new CreateTrip("p", "a", "b")).status()).isEqualTo("CREATED");
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(trips.create(new CreateTrip("p", "a", "b")).status()).isEqualTo("CREATED");
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void theBreakerOpensOnSlowCalls() throws Exception {
        parley.service("payments").serve(Trips.class, new TripService() {
            @Override
            public CompletionStage<Payment> authorize(Authorize request) {
                return CompletableFuture.completedFuture(new Payment(request.tripId(), true));
            }
        });
        Parley app = parley.service("app");
        Trips trips = app.client(Trips.class, ClientOptions.custom()
                .circuitBreaker(BreakerPolicy.custom().slowCallDuration(Duration.ofSeconds(1)).slowCallRateThreshold(60).build())
                .build());
        parley.faults().on("trips/v1", "authorize").always().latency(Duration.ofSeconds(2));

        List<CompletableFuture<Payment>> calls = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(trips.authorize(new Authorize("t-" + i, 1)).toCompletableFuture());
        }
        parley.clock().advance(Duration.ofSeconds(2));
        for (CompletableFuture<Payment> call : calls) {
            assertThat(call.get(5, TimeUnit.SECONDS).approved()).as("slow, but successful").isTrue();
        }

        assertThat(app.circuitBreakers().circuitBreaker("in-process:trips/v1").getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(failureOf(trips.authorize(new Authorize("t-x", 1)).toCompletableFuture())).isInstanceOf(CallRejectedException.class);
    }

    @Test
    void applicationErrorsDoNotOpenTheBreaker() {
        parley.service("trip-management").serve(Trips.class, new TripService());
        Parley app = parley.service("app");
        Trips trips = app.client(Trips.class);

        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> trips.get(new TripId("missing"))).isInstanceOf(RemoteException.class);
        }

        assertThat(app.circuitBreakers().circuitBreaker("in-process:trips/v1").getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    // ---- bulkhead --------------------------------------------------------------------------------

    @Test
    void aFullBulkheadRejectsImmediately() throws Exception {
        TripService service = new TripService();
        parley.service("payments").serve(Trips.class, service);
        Trips trips = parley.service("app").client(Trips.class, ClientOptions.custom().bulkhead(BulkheadPolicy.maxConcurrentCalls(2)).build());

        CompletableFuture<Payment> first = trips.authorize(new Authorize("t-1", 1)).toCompletableFuture();
        CompletableFuture<Payment> second = trips.authorize(new Authorize("t-2", 1)).toCompletableFuture();
        CompletableFuture<Payment> third = trips.authorize(new Authorize("t-3", 1)).toCompletableFuture();

        assertThat(third).as("rejected without waiting").isCompletedExceptionally();
        assertThat(failureOf(third)).isInstanceOfSatisfying(CallRejectedException.class, e -> {
            assertThat(e.reason()).isEqualTo("bulkhead-full");
            assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
        });
        awaitTrue(() -> service.pendingPayments.size() == 2);
        assertThat(service.pendingPayments).doesNotContainKey("t-3");

        service.pendingPayments.get("t-1").complete(new Payment("t-1", true));
        assertThat(first.get(5, TimeUnit.SECONDS).approved()).isTrue();
        CompletableFuture<Payment> fourth = trips.authorize(new Authorize("t-4", 1)).toCompletableFuture();
        awaitTrue(() -> service.pendingPayments.containsKey("t-4"));
        assertThat(fourth).isNotDone();
        assertThat(second).isNotDone();
    }

    // ---- retries -------------------------------------------------------------------------------

    @Test
    void idempotentCallsAreRetriedWithBackoffUntilTheySucceed() throws Exception {
        TripService service = new TripService();
        parley.service("trip-management").serve(Trips.class, service);
        Trips trips = parley.service("app").client(Trips.class);
        parley.faults().on("trips/v1", "get").times(2).disconnect();

        TripView view = pumpClock(inBackground(() -> trips.get(new TripId("t-1"))));

        assertThat(view.id()).isEqualTo("t-1");
        assertThat(parley.faults().injectedCount()).isEqualTo(2);
        assertThat(service.calls).hasValue(1);
    }

    @Test
    void nonIdempotentCallsAreNeverRetried() {
        parley.service("trip-management").serve(Trips.class, new TripService());
        Trips trips = parley.service("app").client(Trips.class);
        parley.faults().on("trips/v1", "create").times(1).disconnect();

        assertThatThrownBy(() -> trips.create(new CreateTrip("p", "a", "b"))).isInstanceOf(TransportException.class);
        assertThat(parley.faults().injectedCount()).isEqualTo(1);
    }

    @Test
    void retriesStopAtMaxAttemptsAndApplicationErrorsAreNotRetried() throws Exception {
        TripService service = new TripService();
        parley.service("trip-management").serve(Trips.class, service);
        Trips trips = parley.service("app").client(Trips.class, ClientOptions.custom()
                .circuitBreaker(BreakerPolicy.disabled())
                .method("get", m -> m.retry(RetryPolicy.custom().maxAttempts(5).build()))
                .build());

        assertThatThrownBy(() -> trips.get(new TripId("missing"))).isInstanceOf(RemoteException.class);
        assertThat(service.calls).hasValue(1);

        parley.faults().on("trips/v1", "get").always().disconnect();
        assertThatThrownBy(() -> pumpClock(inBackground(() -> trips.get(new TripId("t-1"))))).isInstanceOf(TransportException.class);
        assertThat(parley.faults().injectedCount()).isEqualTo(5);
    }

    @Test
    void theRetryBudgetKeepsRetriesASmallShareOfCallsDuringAnOutage() throws Exception {
        parley.service("trip-management").serve(Trips.class, new TripService());
        Trips trips = parley.service("app").client(Trips.class, ClientOptions.custom()
                .circuitBreaker(BreakerPolicy.disabled()) // let every call through to measure retries alone
                .retry(RetryPolicy.custom().maxAttempts(3).budgetRatio(0.1).minRetriesPerSecond(0).build())
                .build());
        parley.faults().on("trips/v1", "get").always().disconnect();

        int calls = 100;
        for (int i = 0; i < calls; i++) {
            assertThatThrownBy(() -> pumpClock(inBackground(() -> trips.get(new TripId("t"))))).isInstanceOf(TransportException.class);
        }

        int retries = parley.faults().injectedCount() - calls;
        // The budget is 10% of the calls of the last ten seconds; the backoffs (random, full jitter)
        // move the clock, so the run can span more than one window and earn a little more.
        assertThat(retries).as("retries with a 10%% budget, instead of %d without", 2 * calls).isBetween(1, calls * 15 / 100);
    }

    // ---- fallbacks -------------------------------------------------------------------------------

    @Test
    void aFallbackValueAnswersWhenTheDependencyFails() {
        parley.service("pricing").serve(Pricing.class, request -> new Quote(1000, "", 0, ""));
        List<CallEvent> events = new CopyOnWriteArrayList<>();
        Pricing pricing = parley.service("app", b -> b.listener(events::add)).client(Pricing.class, ClientOptions.custom()
                .retry(RetryPolicy.none())
                .method("quote", m -> m.fallback(Fallback.value(new Quote(-1, "", 0, "fallback"))))
                .build());
        parley.faults().on("pricing/v1").always().disconnect();

        Quote quote = pricing.quote(new QuoteRequest("a", "b"));

        assertThat(quote.token()).isEqualTo("fallback");
        assertThat(events).filteredOn(e -> e.side() == CallEvent.Side.CLIENT).singleElement()
                .satisfies(e -> {
                    assertThat(e.fallbackUsed()).isTrue();
                    assertThat(e.error()).contains(ErrorCode.UNAVAILABLE);
                });
    }

    @Test
    void aCachedFallbackReturnsTheLastGoodReplyForTheSameRequest() {
        parley.service("pricing").serve(Pricing.class, request -> new Quote(request.to().length() * 100L, "", 0, "live"));
        Pricing pricing = parley.service("app").client(Pricing.class, ClientOptions.custom()
                .retry(RetryPolicy.none())
                .method("quote", m -> m.fallback(Fallback.cached()))
                .build());
        assertThat(pricing.quote(new QuoteRequest("a", "airport")).fareCents()).isEqualTo(700);

        parley.faults().on("pricing/v1").always().disconnect();

        assertThat(pricing.quote(new QuoteRequest("a", "airport")).fareCents()).isEqualTo(700);
        assertThatThrownBy(() -> pricing.quote(new QuoteRequest("a", "station"))).isInstanceOf(TransportException.class);
    }

    @Test
    void aFallbackCallAnswersWhileTheBreakerIsOpenButNotForApplicationErrors() {
        parley.service("trip-management").serve(Trips.class, new TripService());
        Trips trips = parley.service("app").client(Trips.class, ClientOptions.custom()
                .method("get", m -> m.retry(RetryPolicy.none())
                        .fallback(Fallback.call((request, failure) -> new TripView(((TripId) request).id(), "?", "UNKNOWN:" + failure.code(), 0))))
                .build());

        assertThatThrownBy(() -> trips.get(new TripId("missing"))).isInstanceOfSatisfying(RemoteException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));

        parley.faults().on("trips/v1").always().disconnect();
        for (int i = 0; i < 5; i++) {
            assertThat(trips.get(new TripId("t-" + i)).status()).isEqualTo("UNKNOWN:UNAVAILABLE");
        }
        assertThat(trips.get(new TripId("t-9")).status()).as("circuit open, still answered").isEqualTo("UNKNOWN:UNAVAILABLE");
        // One success (NOT_FOUND is an answer) and four failures: 80% of 5 calls, so the fifth failure never happens.
        assertThat(parley.faults().injectedCount()).isEqualTo(4);
    }

    @Test
    void clientOptionsNamingAnUnknownMethodFailAtCreation() {
        Parley app = parley.service("app");
        assertThatThrownBy(() -> app.client(Trips.class, ClientOptions.custom().method("crate", m -> m.deadline(Duration.ofSeconds(1))).build()))
                .hasMessageContaining("trips/v1").hasMessageContaining("'crate'");
    }

}
