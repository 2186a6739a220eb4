package dev.parley.console;

/**
 * The recent history of one interaction, in one-second slots of a ring: calls, errors,
 * fallbacks, rejections and a latency histogram per second. The ring covers
 * {@link #HISTORY_SECONDS}; headline numbers are read over a shorter stats window.
 *
 * <p>Latencies go into exponential buckets (1 µs × 1.2<sup>i</sup>), so a percentile is read
 * as the upper bound of its bucket: at most 20% above the true value, in constant memory
 * whatever the call rate. Guarded by its own monitor: one short critical section per call.
 */
final class InteractionWindow {

    static final int HISTORY_SECONDS = 60;
    static final int LATENCY_BUCKETS = 100;
    private static final double BUCKET_FACTOR = 1.2;
    private static final double LOG_FACTOR = Math.log(BUCKET_FACTOR);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long[] slotSecond = new long[HISTORY_SECONDS];
    private final int[] calls = new int[HISTORY_SECONDS];
    private final int[] errors = new int[HISTORY_SECONDS];
    private final int[] fallbacks = new int[HISTORY_SECONDS];
    private final int[] rejected = new int[HISTORY_SECONDS];
    private final int[][] latency = new int[HISTORY_SECONDS][LATENCY_BUCKETS];
    private long firstNanos = -1;
    private long totalCalls;
    private long totalErrors;
    private String lastError = "";

    InteractionWindow() {
        java.util.Arrays.fill(slotSecond, -1);
    }

    /** Records one call that ended at {@code nowNanos} (nanoseconds since the console's origin). */
    synchronized void record(long nowNanos, long durationNanos, String errorCode, boolean fallback, boolean wasRejected) {
        int slot = slot(nowNanos / NANOS_PER_SECOND);
        if (firstNanos < 0) {
            firstNanos = nowNanos;
        }
        calls[slot]++;
        totalCalls++;
        if (!errorCode.isEmpty()) {
            errors[slot]++;
            totalErrors++;
            lastError = errorCode;
        }
        if (fallback) {
            fallbacks[slot]++;
        }
        if (wasRejected) {
            rejected[slot]++;
        }
        latency[slot][bucket(durationNanos)]++;
    }

    /** The numbers as of {@code nowNanos}, headline figures over the last {@code statsSeconds}. */
    synchronized View view(long nowNanos, int statsSeconds) {
        long nowSecond = nowNanos / NANOS_PER_SECOND;
        int[] rateHistory = new int[HISTORY_SECONDS];
        int[] errorHistory = new int[HISTORY_SECONDS];
        double[] p99History = new double[HISTORY_SECONDS];
        int[] merged = new int[LATENCY_BUCKETS];
        long windowCalls = 0;
        long windowErrors = 0;
        long windowFallbacks = 0;
        long windowRejected = 0;
        for (int i = 0; i < HISTORY_SECONDS; i++) {
            long second = nowSecond - (HISTORY_SECONDS - 1) + i;
            if (second < 0) {
                continue;
            }
            int slot = (int) Math.floorMod(second, (long) HISTORY_SECONDS);
            if (slotSecond[slot] != second) {
                continue;
            }
            rateHistory[i] = calls[slot];
            errorHistory[i] = errors[slot];
            p99History[i] = percentileMillis(latency[slot], calls[slot], 0.99);
            if (second > nowSecond - statsSeconds) {
                windowCalls += calls[slot];
                windowErrors += errors[slot];
                windowFallbacks += fallbacks[slot];
                windowRejected += rejected[slot];
                for (int b = 0; b < LATENCY_BUCKETS; b++) {
                    merged[b] += latency[slot][b];
                }
            }
        }
        // The window starts at a second boundary and ends now; a console that just started
        // (or an interaction first seen a moment ago) divides by the time actually observed,
        // never by less than a second.
        long windowStart = Math.max((nowSecond - statsSeconds + 1) * NANOS_PER_SECOND, firstNanos < 0 ? nowNanos : firstNanos);
        double seconds = Math.max(1.0, (nowNanos - windowStart) / (double) NANOS_PER_SECOND);
        return new View(
                windowCalls / seconds,
                windowCalls,
                windowErrors,
                windowCalls == 0 ? 0 : windowErrors / (double) windowCalls,
                percentileMillis(merged, windowCalls, 0.50),
                percentileMillis(merged, windowCalls, 0.99),
                windowFallbacks,
                windowRejected,
                totalCalls,
                totalErrors,
                lastError,
                rateHistory,
                errorHistory,
                p99History);
    }

    private int slot(long second) {
        int slot = (int) Math.floorMod(second, (long) HISTORY_SECONDS);
        if (slotSecond[slot] != second) {
            slotSecond[slot] = second;
            calls[slot] = 0;
            errors[slot] = 0;
            fallbacks[slot] = 0;
            rejected[slot] = 0;
            java.util.Arrays.fill(latency[slot], 0);
        }
        return slot;
    }

    static int bucket(long durationNanos) {
        if (durationNanos <= 1_000) {
            return 0;
        }
        int index = (int) Math.ceil(Math.log(durationNanos / 1_000.0) / LOG_FACTOR - 1e-9);
        return Math.min(index, LATENCY_BUCKETS - 1);
    }

    static double upperBoundMillis(int bucket) {
        return Math.pow(BUCKET_FACTOR, bucket) / 1_000.0;
    }

    private static double percentileMillis(int[] histogram, long count, double quantile) {
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * count));
        long seen = 0;
        for (int b = 0; b < histogram.length; b++) {
            seen += histogram[b];
            if (seen >= rank) {
                return upperBoundMillis(b);
            }
        }
        return upperBoundMillis(histogram.length - 1);
    }

    /** What the page shows for one interaction; histories are oldest first, one entry per second. */
    record View(
            double ratePerSecond,
            long calls,
            long errors,
            double errorRate,
            double p50Millis,
            double p99Millis,
            long fallbacks,
            long rejected,
            long totalCalls,
            long totalErrors,
            String lastError,
            int[] rateHistory,
            int[] errorHistory,
            double[] p99History) {}
}
