package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The bounds of the server's async operation store, on a fake clock. */
class AsyncOperationsTest {

    private static final HttpRoute ROUTE = HttpRoute.of(Waiting.class).get(0);

    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicInteger cancelled = new AtomicInteger();

    private AsyncOperation operation() {
        return new AsyncOperation(AsyncOperations.newId(), 1, ROUTE, WireMapping.JSON, cancelled::incrementAndGet);
    }

    private static Envelope ok() {
        return Envelope.of(Headers.builder().set(StandardHeaders.STATUS, StandardHeaders.STATUS_OK).build(), new byte[0]);
    }

    @Test
    void keepsAtMostTheCountBoundForgettingTheOldestAndCancellingItIfRunning() {
        AsyncOperations store = new AsyncOperations(now::get, Duration.ofMinutes(5), 3);
        List<AsyncOperation> ops = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            AsyncOperation op = operation();
            if (i == 1) {
                op.complete(ok());
            }
            store.register(op);
            ops.add(op);
        }
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.find(1, ops.get(0).id())).isEmpty();
        assertThat(store.find(1, ops.get(1).id())).isEmpty();
        assertThat(store.find(1, ops.get(2).id())).contains(ops.get(2));
        assertThat(store.find(1, ops.get(4).id())).contains(ops.get(4));
        // The running one was cancelled; the completed one only forgotten.
        assertThat(cancelled).hasValue(1);
    }

    @Test
    void forgetsOperationsAfterTheRetentionCountedAgainFromCompletion() {
        AsyncOperations store = new AsyncOperations(now::get, Duration.ofSeconds(10), 100);
        AsyncOperation finishesLate = operation();
        AsyncOperation neverFetched = operation();
        store.register(finishesLate);
        store.register(neverFetched);
        now.addAndGet(Duration.ofSeconds(8).toNanos());
        finishesLate.complete(ok());
        now.addAndGet(Duration.ofSeconds(3).toNanos());

        assertThat(store.find(1, neverFetched.id())).isEmpty();
        assertThat(cancelled).as("the expired running operation is cancelled").hasValue(1);
        assertThat(store.find(1, finishesLate.id())).contains(finishesLate);

        now.addAndGet(Duration.ofSeconds(8).toNanos());
        assertThat(store.find(1, finishesLate.id())).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    void anOperationIsFoundOnlyUnderItsMajorVersionAndRemovedOnce() {
        AsyncOperations store = new AsyncOperations(now::get, Duration.ofMinutes(5), 100);
        AsyncOperation op = operation();
        store.register(op);
        assertThat(store.find(2, op.id())).isEmpty();
        assertThat(store.remove(1, op.id())).contains(op);
        assertThat(store.remove(1, op.id())).isEmpty();
        assertThat(op.location()).isEqualTo("/v1/operations/" + op.id());
    }

    @Test
    void idsAre128RandomBitsUrlSafe() {
        String id = AsyncOperations.newId();
        assertThat(id).matches("[A-Za-z0-9_-]{22}").isNotEqualTo(AsyncOperations.newId());
    }

    @Test
    void preferHeaderIsReadAsRfc7240Asks() {
        assertThat(AsyncOperations.Preference.parse((String) null).holdFor()).isEqualTo(AsyncOperations.GRACE);
        assertThat(AsyncOperations.Preference.parse("respond-async").holdFor()).isEqualTo(Duration.ZERO);
        assertThat(AsyncOperations.Preference.parse("return=minimal, Respond-Async; x=1, wait=3"))
                .isEqualTo(new AsyncOperations.Preference(true, Optional.of(Duration.ofSeconds(3))));
        assertThat(AsyncOperations.Preference.parse("respond-async", "wait=9999").holdFor()).isEqualTo(AsyncOperations.MAX_WAIT);
        assertThat(AsyncOperations.Preference.parse("respond-async, wait=soon").waitFor()).isEmpty();
        assertThat(AsyncOperations.Preference.parse("wait=5").respondAsync()).isFalse();
    }
}
