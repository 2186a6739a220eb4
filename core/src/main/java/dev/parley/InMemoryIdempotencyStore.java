package dev.parley;

import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * {@link IdempotencyStore#inMemory}: a map of claimed ids, and a queue in claim order that
 * forgets the ids older than the window or beyond the size bound. Claiming costs a map insert
 * and a queue append; forgetting is done by the claiming threads, a few entries at a time.
 */
final class InMemoryIdempotencyStore implements IdempotencyStore {

    private record Claim(String key, long at) {}

    private final long windowNanos;
    private final int maxEntries;
    private final LongSupplier nanoTime;
    private final Map<String, Long> claimed = new ConcurrentHashMap<>();
    private final Queue<Claim> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final LongAdder duplicates = new LongAdder();

    InMemoryIdempotencyStore(Duration window, int maxEntries, LongSupplier nanoTime) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window: " + window + " (expected: > 0)");
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
        }
        this.windowNanos = window.toNanos();
        this.maxEntries = maxEntries;
        this.nanoTime = nanoTime;
    }

    @Override
    public boolean claim(String scope, String messageId) {
        long now = nanoTime.getAsLong();
        evict(now);
        String key = scope + '\u0000' + messageId;
        Long previous = claimed.putIfAbsent(key, now);
        if (previous != null) {
            if (now - previous < windowNanos) {
                duplicates.increment();
                return false;
            }
            // Seen before the window: a new message as far as this store can tell.
            claimed.put(key, now);
        }
        order.add(new Claim(key, now));
        size.incrementAndGet();
        return true;
    }

    @Override
    public void release(String scope, String messageId) {
        claimed.remove(scope + '\u0000' + messageId);
    }

    @Override
    public long duplicates() {
        return duplicates.sum();
    }

    /** Ids currently remembered. */
    int size() {
        return claimed.size();
    }

    private void evict(long now) {
        Claim head;
        while ((head = order.peek()) != null && (now - head.at() >= windowNanos || size.get() >= maxEntries)) {
            if (order.remove(head)) {
                size.decrementAndGet();
                // Only if the map still holds this claim, not a newer claim of the same id.
                claimed.remove(head.key(), head.at());
            }
        }
    }

    @Override
    public String toString() {
        return "IdempotencyStore.inMemory(window=" + Duration.ofNanos(windowNanos) + ", maxEntries=" + maxEntries + ")";
    }
}
