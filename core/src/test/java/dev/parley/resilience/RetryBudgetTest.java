package dev.parley.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryBudgetTest {

    private static final long SECOND = 1_000_000_000L;

    private final FakeClock clock = new FakeClock(1_000 * SECOND);

    private static void recordCalls(RetryBudget budget, int n) {
        for (int i = 0; i < n; i++) {
            budget.recordCall();
        }
    }

    /** Takes retries until the budget says no (at most {@code cap}); returns how many were granted. */
    private static int drain(RetryBudget budget, int cap) {
        int granted = 0;
        while (granted < cap && budget.tryRetry()) {
            granted++;
        }
        return granted;
    }

    @Test
    void tenPercentOfOneHundredCallsIsTenRetries() {
        RetryBudget budget = new RetryBudget(clock, 0.1, 0);
        recordCalls(budget, 100);

        assertThat(drain(budget, 1_000)).isEqualTo(10);
        assertThat(budget.tryRetry()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 20, 50, 100, 250, 1_000})
    void retriesAreTheRatioOfCalls(int calls) {
        RetryBudget budget = new RetryBudget(clock, 0.1, 0);
        recordCalls(budget, calls);

        assertThat(drain(budget, 10_000)).isEqualTo(calls / 10);
    }

    @Test
    void noCallsAndNoMinimumMeansNoRetries() {
        RetryBudget budget = new RetryBudget(clock, 0.1, 0);

        assertThat(budget.tryRetry()).isFalse();
    }

    @Test
    void moreCallsRefillTheBudget() {
        RetryBudget budget = new RetryBudget(clock, 0.1, 0);
        recordCalls(budget, 100);
        assertThat(drain(budget, 1_000)).isEqualTo(10);

        recordCalls(budget, 30);

        assertThat(drain(budget, 1_000)).isEqualTo(3);
    }

    @Test
    void callsSpreadOverTheWindowAllCount() {
        RetryBudget budget = new RetryBudget(clock, 0.1, 0);
        for (int second = 0; second < 10; second++) {
            recordCalls(budget, 10);
            clock.advance(Duration.ofMillis(999));
        }

        // ~9 s after the first calls: all 100 still in the window
        assertThat(drain(budget, 1_000)).isEqualTo(10);
    }

    @Test
    void callsOlderThanTenSecondsAreForgotten() {
        RetryBudget budget = new RetryBudget(clock, 0.1, 0);
        recordCalls(budget, 100);

        clock.advance(Duration.ofMillis(9_500));
        assertThat(budget.tryRetry()).as("9.5 s later the calls still count").isTrue();

        clock.advance(Duration.ofMillis(1_000));
        assertThat(budget.tryRetry()).as("10.5 s later they are forgotten").isFalse();
    }

    @Test
    void retriesOlderThanTenSecondsAreForgottenToo() {
        RetryBudget budget = new RetryBudget(clock, 0.1, 0);
        recordCalls(budget, 100);
        assertThat(drain(budget, 1_000)).isEqualTo(10);

        clock.advance(Duration.ofSeconds(5));
        recordCalls(budget, 100);
        assertThat(budget.tryRetry()).as("200 calls, 10 retries: room for more").isTrue();

        clock.advance(Duration.ofSeconds(5));
        // the first 100 calls and their 10 retries left the window; 100 calls and 1 retry remain
        assertThat(drain(budget, 1_000)).isEqualTo(9);
    }

    @Test
    void aLongPauseForgetsEverything() {
        RetryBudget budget = new RetryBudget(clock, 0.1, 0);
        recordCalls(budget, 1_000);
        assertThat(drain(budget, 10)).isEqualTo(10);

        clock.advance(Duration.ofHours(1)); // lands on the same bucket index as before

        assertThat(budget.tryRetry()).isFalse();
        recordCalls(budget, 20);
        assertThat(drain(budget, 1_000)).isEqualTo(2);
    }

    @Test
    void minimumRetriesPerSecondAllowRetriesWithoutCalls() {
        RetryBudget budget = new RetryBudget(clock, 0.1, 2);

        // minRetriesPerSecond * 10 in the ten-second window
        assertThat(drain(budget, 1_000)).isEqualTo(20);
        assertThat(budget.tryRetry()).isFalse();
    }

    @Test
    void minimumAddsToTheRatio() {
        RetryBudget budget = new RetryBudget(clock, 0.1, 1);
        recordCalls(budget, 50);

        assertThat(drain(budget, 1_000)).isEqualTo(5 + 10);
    }

    @Test
    void minimumRecoversAsTheWindowMoves() {
        RetryBudget budget = new RetryBudget(clock, 0.1, 1);
        assertThat(drain(budget, 1_000)).isEqualTo(10);

        clock.advance(Duration.ofSeconds(10));

        assertThat(drain(budget, 1_000)).isEqualTo(10);
    }

    @Test
    void ratioZeroWithMinimumZeroNeverRetries() {
        RetryBudget budget = new RetryBudget(clock, 0.0, 0);
        recordCalls(budget, 10_000);

        assertThat(budget.tryRetry()).isFalse();
    }

    @Test
    void ratioOneAllowsARetryPerCall() {
        RetryBudget budget = new RetryBudget(clock, 1.0, 0);
        recordCalls(budget, 7);

        assertThat(drain(budget, 1_000)).isEqualTo(7);
    }

    @Test
    void worksWithAClockThatStartsAtZero() {
        FakeClock zero = new FakeClock(0);
        RetryBudget budget = new RetryBudget(zero, 0.1, 0);
        recordCalls(budget, 100);

        assertThat(drain(budget, 1_000)).isEqualTo(10);
        zero.advance(Duration.ofSeconds(11));
        assertThat(budget.tryRetry()).isFalse();
    }
}
