package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InMemoryIdempotencyStoreTest {

    private final AtomicLong now = new AtomicLong();

    private InMemoryIdempotencyStore store(Duration window, int max) {
        return new InMemoryIdempotencyStore(window, max, now::get);
    }

    @Test
    void aSecondClaimIsADuplicateWithinItsScope() {
        InMemoryIdempotencyStore store = store(Duration.ofMinutes(1), 100);

        assertThat(store.claim("a", "m-1")).isTrue();
        assertThat(store.claim("a", "m-1")).isFalse();
        assertThat(store.claim("b", "m-1")).isTrue();
        assertThat(store.duplicates()).isEqualTo(1);
    }

    @Test
    void releaseLetsTheRedeliveryThrough() {
        InMemoryIdempotencyStore store = store(Duration.ofMinutes(1), 100);
        store.claim("a", "m-1");

        store.release("a", "m-1");

        assertThat(store.claim("a", "m-1")).isTrue();
    }

    @Test
    void idsAreForgottenAfterTheWindow() {
        InMemoryIdempotencyStore store = store(Duration.ofSeconds(10), 100);
        store.claim("a", "m-1");
        now.addAndGet(Duration.ofSeconds(11).toNanos());

        assertThat(store.claim("a", "m-1")).isTrue();
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void theSizeIsBoundedByForgettingTheOldest() {
        InMemoryIdempotencyStore store = store(Duration.ofHours(1), 3);
        for (int i = 0; i < 10; i++) {
            store.claim("a", "m-" + i);
            now.incrementAndGet();
        }

        assertThat(store.size()).isLessThanOrEqualTo(3);
        assertThat(store.claim("a", "m-9")).isFalse();
        assertThat(store.claim("a", "m-0")).as("forgotten: the oldest went first").isTrue();
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> IdempotencyStore.inMemory(Duration.ZERO, 1)).hasMessage("window: PT0S (expected: > 0)");
        assertThatThrownBy(() -> IdempotencyStore.inMemory(Duration.ofSeconds(1), 0)).hasMessage("maxEntries: 0 (expected: >= 1)");
        assertThat(IdempotencyStore.none().claim("a", "b")).isTrue();
        assertThat(IdempotencyStore.none().claim("a", "b")).isTrue();
    }
}
