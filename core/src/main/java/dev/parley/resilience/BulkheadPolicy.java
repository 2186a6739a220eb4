package dev.parley.resilience;

/**
 * An upper bound on the calls outstanding to one target. A call beyond it fails at once with
 * a {@link dev.parley.CallRejectedException} ({@code RESOURCE_EXHAUSTED}, reason
 * {@code bulkhead-full}) instead of queueing, so one slow dependency cannot absorb every
 * thread of the caller.
 */
public record BulkheadPolicy(boolean enabled, int maxConcurrentCalls) {

    public static final int DEFAULT_MAX_CONCURRENT_CALLS = 512;

    public BulkheadPolicy {
        if (maxConcurrentCalls < 1) {
            throw new IllegalArgumentException("maxConcurrentCalls: " + maxConcurrentCalls + " (expected: >= 1)");
        }
    }

    public static BulkheadPolicy ofDefaults() {
        return new BulkheadPolicy(true, DEFAULT_MAX_CONCURRENT_CALLS);
    }

    public static BulkheadPolicy maxConcurrentCalls(int max) {
        return new BulkheadPolicy(true, max);
    }

    public static BulkheadPolicy disabled() {
        return new BulkheadPolicy(false, DEFAULT_MAX_CONCURRENT_CALLS);
    }
}
