package dev.parley.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PublishDeadlinesTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void anUnconfirmedPublishFailsWithATimeoutSoonAfterItsDeadline() throws Exception {
        PublishDeadlines deadlines = new PublishDeadlines(timer, Duration.ofMillis(200));
        CompletableFuture<Void> sent = new CompletableFuture<>();
        long start = System.nanoTime();

        deadlines.watch(sent);

        assertThatThrownBy(() -> sent.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMillis).as("failed after the timeout, within a few ticks of 10 ms").isBetween(200L, 1_000L);
        assertThat(deadlines.size()).isZero();
    }

    @Test
    void confirmedPublishesAreForgottenAndNotFailed() throws Exception {
        PublishDeadlines deadlines = new PublishDeadlines(timer, Duration.ofMillis(100));
        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        deadlines.watch(confirmed);
        deadlines.watch(CompletableFuture.completedFuture(null)); // already done: not even queued
        assertThat(deadlines.size()).isEqualTo(1);

        confirmed.complete(null);
        Thread.sleep(300);

        assertThat(confirmed).isCompletedWithValue(null);
        assertThat(deadlines.size()).isZero();
    }

    @Test
    void aLaterPublishWaitsForItsOwnDeadline() throws Exception {
        PublishDeadlines deadlines = new PublishDeadlines(timer, Duration.ofMillis(400));
        CompletableFuture<Void> first = new CompletableFuture<>();
        deadlines.watch(first);
        Thread.sleep(250);
        CompletableFuture<Void> second = new CompletableFuture<>();
        deadlines.watch(second);

        assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);

        assertThat(second).as("150 ms after the first failed, the second is not due yet").isNotDone();
        assertThatThrownBy(() -> second.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);
    }

    @Test
    void closingFailsWhatIsStillWaiting() {
        PublishDeadlines deadlines = new PublishDeadlines(timer, Duration.ofSeconds(30));
        CompletableFuture<Void> waiting = new CompletableFuture<>();
        deadlines.watch(waiting);

        deadlines.failAll(() -> new IllegalStateException("closed"));

        assertThat(waiting).isCompletedExceptionally();
        assertThatThrownBy(waiting::join).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(deadlines.size()).isZero();
    }
}
