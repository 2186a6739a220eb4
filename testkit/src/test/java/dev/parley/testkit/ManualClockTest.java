package dev.parley.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ParleyClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualClockTest {

    @Test
    void timeMovesOnlyWhenAdvancedAndDueTasksRunInOrder() {
        ManualClock clock = ManualClock.create();
        List<String> ran = new ArrayList<>();
        clock.schedule(Duration.ofSeconds(3), () -> ran.add("3s"));
        clock.schedule(Duration.ofSeconds(1), () -> ran.add("1s"));
        clock.schedule(Duration.ofSeconds(1), () -> ran.add("1s-second"));

        assertThat(clock.nanoTime()).isZero();
        clock.advance(Duration.ofMillis(999));
        assertThat(ran).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        assertThat(ran).containsExactly("1s", "1s-second");
        clock.advance(Duration.ofMillis(1));

        assertThat(ran).containsExactly("1s", "1s-second", "3s");
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:03Z"));
        assertThat(clock.pendingTasks()).isZero();
    }

    @Test
    void tasksScheduledByTasksRunWhenTheyFallDueWithinTheSameAdvance() {
        ManualClock clock = ManualClock.create();
        List<Long> ranAt = new ArrayList<>();
        clock.schedule(Duration.ofSeconds(1), () -> {
            ranAt.add(clock.nanoTime());
            clock.schedule(Duration.ofSeconds(1), () -> ranAt.add(clock.nanoTime()));
        });

        clock.advance(Duration.ofSeconds(5));

        assertThat(ranAt).containsExactly(1_000_000_000L, 2_000_000_000L);
        assertThat(clock.nanoTime()).isEqualTo(5_000_000_000L);
    }

    @Test
    void cancelledTasksNeverRun() {
        ManualClock clock = ManualClock.create();
        List<String> ran = new ArrayList<>();
        ParleyClock.Cancellable handle = clock.schedule(Duration.ofSeconds(1), () -> ran.add("x"));

        assertThat(handle.cancel()).isTrue();
        assertThat(handle.cancel()).isFalse();
        clock.advance(Duration.ofSeconds(2));

        assertThat(ran).isEmpty();
    }

    @Test
    void timeDoesNotGoBack() {
        assertThatThrownBy(() -> ManualClock.create().advance(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("time does not go back");
    }

    @Test
    void itServesAsAJavaClockForResilience4j() {
        ManualClock clock = ManualClock.create();
        clock.advance(Duration.ofMinutes(1));
        assertThat(clock.asJavaClock().instant()).isEqualTo(Instant.parse("2026-01-01T00:01:00Z"));
    }
}
