package dev.parley.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

    @Test
    void standardIsTheSpecificationsExampleScheduleSpanningThreeDays() {
        RetrySchedule s = RetrySchedule.standard();
        // spec/standard-webhooks.md, "Deliverability and reliability", example retry schedule
        assertThat(s.delays()).containsExactly(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
                Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(14), Duration.ofHours(20),
                Duration.ofHours(24));
        assertThat(s.maxAttempts()).isEqualTo(10);
        Duration total = s.delays().stream().reduce(Duration.ZERO, Duration::plus);
        assertThat(total).isEqualTo(Duration.parse("PT75H35M5S"));
    }

    @Test
    void jitterOnlyLengthensDelaysAndVaries() {
        RetrySchedule s = RetrySchedule.standard();
        SplittableRandom random = new SplittableRandom(1);
        java.util.Set<Duration> seen = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            Duration d = s.delayAfter(1, random).orElseThrow();
            assertThat(d).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(6));
            seen.add(d);
        }
        assertThat(seen.size()).isGreaterThan(50);
        assertThat(s.delayAfter(10, random)).isEmpty();
        assertThat(s.withJitter(0).delayAfter(2, random)).contains(Duration.ofMinutes(5));
    }

    @Test
    void validatesItsSettings() {
        assertThatThrownBy(() -> RetrySchedule.of(List.of(Duration.ofSeconds(-1)))).hasMessageContaining("expected: >= 0");
        assertThatThrownBy(() -> RetrySchedule.standard().withJitter(1.5)).hasMessageContaining("jitter");
    }
}
