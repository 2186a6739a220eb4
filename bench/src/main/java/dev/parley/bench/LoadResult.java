package dev.parley.bench;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What one measured window of the HTTP comparison saw, as the one line the load generators print
 * and {@link HttpReport} reads:
 * {@code RESULT <label> <requests/s> <p50 µs> <p99 µs> <p99.9 µs> <max µs> <requests> <errors>}.
 */
public record LoadResult(String label, double throughput, double p50Micros, double p99Micros, double p999Micros,
                         double maxMicros, long requests, long errors) {

    public static LoadResult of(String label, Histogram nanos, long elapsedNanos, long errors) {
        long count = nanos.getTotalCount();
        return new LoadResult(label, count * 1e9 / elapsedNanos,
                nanos.getValueAtPercentile(50) / 1e3, nanos.getValueAtPercentile(99) / 1e3,
                nanos.getValueAtPercentile(99.9) / 1e3, nanos.getMaxValue() / 1e3, count, errors);
    }

    public String line() {
        return String.format(Locale.ROOT, "RESULT %s %.0f %.1f %.1f %.1f %.1f %d %d",
                label, throughput, p50Micros, p99Micros, p999Micros, maxMicros, requests, errors);
    }

    /** Parses a {@link #line()}. */
    public static LoadResult parse(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length != 9 || !f[0].equals("RESULT")) {
            throw new IllegalArgumentException("result line: '" + line + "' (expected: RESULT label rps p50 p99 p999 max requests errors)");
        }
        return new LoadResult(f[1], Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                Double.parseDouble(f[5]), Double.parseDouble(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]));
    }
}
