package dev.parley;

import dev.parley.resilience.BreakerPolicy;
import dev.parley.resilience.BulkheadPolicy;
import dev.parley.resilience.RetryBudget;
import dev.parley.resilience.RetryPolicy;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The resilience state shared by every call to one target (a contract on one transport
 * endpoint): its circuit breaker, bulkhead and retry budget. Breakers and bulkheads live in
 * the runtime's Resilience4j registries under the target's name, so they can be observed.
 */
final class ClientTarget {

    private final String name;
    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;
    private final RetryBudget retryBudget;

    private ClientTarget(String name, CircuitBreaker breaker, Bulkhead bulkhead, RetryBudget retryBudget) {
        this.name = name;
        this.breaker = breaker;
        this.bulkhead = bulkhead;
        this.retryBudget = retryBudget;
    }

    static ClientTarget create(String name, ClientOptions options, ParleyClock clock,
                               CircuitBreakerRegistry breakers, BulkheadRegistry bulkheads) {
        CircuitBreaker breaker = null;
        BreakerPolicy bp = options.circuitBreaker();
        if (bp.enabled()) {
            CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                    .failureRateThreshold(bp.failureRateThreshold())
                    .slowCallRateThreshold(bp.slowCallRateThreshold())
                    .slowCallDurationThreshold(bp.slowCallDuration())
                    .minimumNumberOfCalls(bp.minimumCalls())
                    .slidingWindow((int) Math.max(1, bp.window().toSeconds()), bp.minimumCalls(),
                            CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                    .waitDurationInOpenState(bp.waitInOpen())
                    .permittedNumberOfCallsInHalfOpenState(bp.halfOpenCalls())
                    .writableStackTraceEnabled(false)
                    .clock(clock.asJavaClock())
                    .currentTimestampFunction(c -> clock.nanoTime(), TimeUnit.NANOSECONDS)
                    .build();
            breaker = breakers.circuitBreaker(name, config);
        }
        Bulkhead bulkhead = null;
        BulkheadPolicy bh = options.bulkhead();
        if (bh.enabled()) {
            bulkhead = bulkheads.bulkhead(name, BulkheadConfig.custom()
                    .maxConcurrentCalls(bh.maxConcurrentCalls())
                    .maxWaitDuration(Duration.ZERO)
                    .writableStackTraceEnabled(false)
                    .build());
        }
        RetryPolicy retry = options.retry();
        return new ClientTarget(name, breaker, bulkhead, new RetryBudget(clock, retry.budgetRatio(), retry.minRetriesPerSecond()));
    }

    String name() {
        return name;
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    RetryBudget retryBudget() {
        return retryBudget;
    }

    boolean tryAcquireBulkhead() {
        return bulkhead == null || bulkhead.tryAcquirePermission();
    }

    void releaseBulkhead() {
        if (bulkhead != null) {
            bulkhead.onComplete();
        }
    }

    CallRejectedException bulkheadFull() {
        return new CallRejectedException(ErrorCode.RESOURCE_EXHAUSTED, "bulkhead full for " + name + ": "
                + bulkhead.getBulkheadConfig().getMaxConcurrentCalls() + " calls already in flight", "bulkhead-full");
    }

    CallRejectedException circuitOpen() {
        // The state is read after the refusal and may have moved on (a probe closed it meanwhile): say what refused.
        var state = breaker.getState();
        String why = state == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.HALF_OPEN ? "is HALF_OPEN with every probe call taken"
                : state == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED ? "was OPEN (it has just closed)" : "is " + state;
        return new CallRejectedException(ErrorCode.UNAVAILABLE, "circuit breaker " + name + " " + why
                + ": calls are refused until it recovers", "circuit-open");
    }

    /** Whether a failure counts against the breaker: the dependency's fault, not an application answer. */
    static boolean countsAsFailure(ParleyException failure) {
        return !(failure instanceof CallRejectedException) && failure.code().isDependencyFailure();
    }
}
