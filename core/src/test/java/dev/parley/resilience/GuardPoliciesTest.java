package dev.parley.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link BreakerPolicy} and {@link BulkheadPolicy}: defaults and validation. */
class GuardPoliciesTest {

    @Test
    void breakerDefaultsTripOnLowTraffic() {
        BreakerPolicy d = BreakerPolicy.ofDefaults();

        assertThat(d.enabled()).isTrue();
        assertThat(d.failureRateThreshold()).isEqualTo(50f);
        assertThat(d.minimumCalls()).isEqualTo(5);
        assertThat(d.window()).isEqualTo(Duration.ofSeconds(10));
        assertThat(BreakerPolicy.disabled().enabled()).isFalse();
        assertThat(BreakerPolicy.disabled().minimumCalls()).isEqualTo(5);
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, -1f, 100.01f, 150f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY})
    void failureRateThresholdOutsideZeroToHundredIsRejected(float percent) {
        assertThatThrownBy(() -> BreakerPolicy.custom().failureRateThreshold(percent).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failureRateThreshold");
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, -1f, 101f})
    void slowCallRateThresholdOutsideZeroToHundredIsRejected(float percent) {
        assertThatThrownBy(() -> BreakerPolicy.custom().slowCallRateThreshold(percent).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slowCallRateThreshold");
    }

    @Test
    void nanThresholdsAreRejected() {
        assertThatThrownBy(() -> BreakerPolicy.custom().failureRateThreshold(Float.NaN).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failureRateThreshold");
        assertThatThrownBy(() -> BreakerPolicy.custom().slowCallRateThreshold(Float.NaN).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slowCallRateThreshold");
    }

    @Test
    void thresholdsAtTheBoundsAreAccepted() {
        BreakerPolicy p = BreakerPolicy.custom().failureRateThreshold(100).slowCallRateThreshold(0.1f).build();

        assertThat(p.failureRateThreshold()).isEqualTo(100f);
    }

    @Test
    void breakerDurationsAndCountsAreValidated() {
        assertThatThrownBy(() -> BreakerPolicy.custom().window(Duration.ofMillis(999)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
        assertThatThrownBy(() -> BreakerPolicy.custom().waitInOpen(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("waitInOpen");
        assertThatThrownBy(() -> BreakerPolicy.custom().slowCallDuration(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slowCallDuration");
        assertThatThrownBy(() -> BreakerPolicy.custom().minimumCalls(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minimumCalls");
        assertThatThrownBy(() -> BreakerPolicy.custom().halfOpenCalls(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("halfOpenCalls");
    }

    @Test
    void breakerFromKeepsUnsetValues() {
        BreakerPolicy base = BreakerPolicy.custom().minimumCalls(9).build();

        BreakerPolicy derived = BreakerPolicy.from(base).halfOpenCalls(4).build();

        assertThat(derived.minimumCalls()).isEqualTo(9);
        assertThat(derived.halfOpenCalls()).isEqualTo(4);
        assertThat(derived.waitInOpen()).isEqualTo(base.waitInOpen());
    }

    @Test
    void bulkheadPolicies() {
        assertThat(BulkheadPolicy.ofDefaults()).isEqualTo(new BulkheadPolicy(true, 512));
        assertThat(BulkheadPolicy.maxConcurrentCalls(7)).isEqualTo(new BulkheadPolicy(true, 7));
        assertThat(BulkheadPolicy.disabled().enabled()).isFalse();
        assertThatThrownBy(() -> BulkheadPolicy.maxConcurrentCalls(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrentCalls");
    }
}
