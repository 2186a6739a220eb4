package dev.parley.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {

    private static final Duration BASE = Duration.ofMillis(25);
    private static final Duration MAX = Duration.ofSeconds(1);

    private static RetryPolicy policy(int maxAttempts) {
        return new RetryPolicy(maxAttempts, BASE, MAX, 0.1, 2);
    }

    /** min(maxDelay, base * 2^(attempt-2)): the exclusive upper bound of the backoff before {@code attempt}. */
    private static long ceiling(RetryPolicy p, int attempt) {
        double uncapped = p.baseDelay().toNanos() * Math.pow(2, attempt - 2);
        return (long) Math.min(p.maxDelay().toNanos(), uncapped);
    }

    @Test
    void backoffIsZeroForRandomZero() {
        RetryPolicy p = policy(5);
        for (int attempt = 2; attempt <= 5; attempt++) {
            assertThat(p.backoffNanos(attempt, 0.0)).as("attempt %d", attempt).isZero();
        }
    }

    @Test
    void backoffApproachesButStaysBelowTheExponentialCeiling() {
        RetryPolicy p = policy(5);
        for (int attempt = 2; attempt <= 5; attempt++) {
            long ceiling = ceiling(p, attempt);
            long top = p.backoffNanos(attempt, 0.999999);
            assertThat(top).as("attempt %d", attempt).isLessThan(ceiling).isGreaterThanOrEqualTo((long) (ceiling * 0.9999));
        }
    }

    @Test
    void ceilingsDoubleFromTheBaseDelay() {
        RetryPolicy p = policy(5);
        // attempt 2 (the first retry): up to 25 ms; then 50 ms, 100 ms, 200 ms
        assertThat(p.backoffNanos(2, 0.999999)).isBetween(24_000_000L, 25_000_000L - 1);
        assertThat(p.backoffNanos(3, 0.999999)).isBetween(49_000_000L, 50_000_000L - 1);
        assertThat(p.backoffNanos(4, 0.999999)).isBetween(99_000_000L, 100_000_000L - 1);
        assertThat(p.backoffNanos(5, 0.999999)).isBetween(199_000_000L, 200_000_000L - 1);
        assertThat(p.backoffNanos(3, 0.5)).isEqualTo(25_000_000L);
    }

    @Test
    void ceilingIsCappedAtMaxDelay() {
        RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(300), Duration.ofMillis(500), 0.1, 2);

        assertThat(p.backoffNanos(2, 0.999999)).isLessThan(300_000_000L);
        assertThat(p.backoffNanos(3, 0.999999)).isLessThan(500_000_000L).isGreaterThan(499_000_000L);
        assertThat(p.backoffNanos(5, 0.999999)).isLessThan(500_000_000L).isGreaterThan(499_000_000L);
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 10, 31, 32, 33, 40, 63, 64, 65, 100, 1_000, Integer.MAX_VALUE})
    void veryLateAttemptsStayWithinMaxDelay(int attempt) {
        RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(25), Duration.ofSeconds(30), 0.1, 2);

        long ceiling = ceiling(p, attempt);
        long top = p.backoffNanos(attempt, 0.999999);

        assertThat(top).isLessThan(ceiling).isGreaterThanOrEqualTo((long) (ceiling * 0.9999));
        assertThat(top).isLessThan(Duration.ofSeconds(30).toNanos());
        assertThat(p.backoffNanos(attempt, 0.0)).isZero();
    }

    @Test
    void randomBackoffsStayInRange() {
        RetryPolicy p = policy(5);
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            int attempt = 2 + random.nextInt(4);
            long backoff = p.backoffNanos(attempt, random.nextDouble());
            assertThat(backoff).isGreaterThanOrEqualTo(0).isLessThan(ceiling(p, attempt));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void maxAttemptsFromOneToFiveAreAccepted(int maxAttempts) {
        assertThat(policy(maxAttempts).maxAttempts()).isEqualTo(maxAttempts);
        assertThat(RetryPolicy.custom().maxAttempts(maxAttempts).build().maxAttempts()).isEqualTo(maxAttempts);
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 6, 100})
    void maxAttemptsOutsideOneToFiveAreRejected(int maxAttempts) {
        assertThatThrownBy(() -> policy(maxAttempts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxAttempts")
                .hasMessageContaining(Integer.toString(maxAttempts));
        assertThatThrownBy(() -> RetryPolicy.custom().maxAttempts(maxAttempts).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void otherSettingsAreValidated() {
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ZERO, MAX, 0.1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseDelay");
        assertThatThrownBy(() -> new RetryPolicy(3, BASE, Duration.ofMillis(-1), 0.1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1), 0.1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> new RetryPolicy(3, BASE, MAX, -0.1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budgetRatio");
        assertThatThrownBy(() -> new RetryPolicy(3, BASE, MAX, 1.1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budgetRatio");
        assertThatThrownBy(() -> new RetryPolicy(3, BASE, MAX, Double.NaN, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budgetRatio");
        assertThatThrownBy(() -> new RetryPolicy(3, BASE, MAX, 0.1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minRetriesPerSecond");
    }

    @Test
    void defaultsAndNone() {
        RetryPolicy d = RetryPolicy.ofDefaults();
        assertThat(d.maxAttempts()).isEqualTo(3);
        assertThat(d.baseDelay()).isEqualTo(Duration.ofMillis(25));
        assertThat(d.maxDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
        assertThat(RetryPolicy.from(d).budgetRatio(0.5).build())
                .isEqualTo(new RetryPolicy(3, Duration.ofMillis(25), Duration.ofSeconds(1), 0.5, 2));
    }
}
