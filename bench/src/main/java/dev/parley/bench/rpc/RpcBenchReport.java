package dev.parley.bench.rpc;

import dev.parley.bench.LoadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Summarizes bench/rpc.sh's results: a table per system and calls in flight (mean over rounds),
 * then one line per comparison with the issue's targets:
 *
 * <pre>
 * RATIO parley/grpc in_flight=64 throughput=1.72 p99=0.61 (target: throughput >= 2, p99 <= 1)
 * </pre>
 */
public final class RpcBenchReport {

    private RpcBenchReport() {}

    public static void main(String[] args) throws IOException {
        Map<String, List<LoadResult>> byLabel = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (line.startsWith("RESULT ")) {
                LoadResult r = LoadResult.parse(line);
                byLabel.computeIfAbsent(r.label(), k -> new ArrayList<>()).add(r);
            }
        }
        Map<String, double[]> mean = new TreeMap<>();
        System.out.printf(Locale.ROOT, "%-28s %12s %10s %10s %8s%n", "system@in_flight", "calls/s", "p50 µs", "p99 µs", "errors");
        byLabel.forEach((label, results) -> {
            double rps = results.stream().mapToDouble(LoadResult::throughput).average().orElse(0);
            double p50 = results.stream().mapToDouble(LoadResult::p50Micros).average().orElse(0);
            double p99 = results.stream().mapToDouble(LoadResult::p99Micros).average().orElse(0);
            long errors = results.stream().mapToLong(LoadResult::errors).sum();
            mean.put(label, new double[] {rps, p99});
            System.out.printf(Locale.ROOT, "%-28s %12.0f %10.1f %10.1f %8d%n", label, rps, p50, p99, errors);
        });
        System.out.println();
        for (String inFlight : List.of("1", "16", "64", "256")) {
            ratio(mean, "parley", "grpc", inFlight, "throughput >= 2 at 64 and 256, p99 <= 1");
            ratio(mean, "parley-direct", "grpc-direct", inFlight, "throughput >= 2 at 64 and 256, p99 <= 1");
            ratio(mean, "parley", "netty", inFlight, "throughput >= 0.25 at 64");
            ratio(mean, "parley-direct", "netty", inFlight, "throughput >= 0.25 at 64");
            ratio(mean, "parley-oneway", "netty-oneway", inFlight, "reported");
        }
    }

    private static void ratio(Map<String, double[]> mean, String a, String b, String inFlight, String target) {
        double[] x = mean.get(a + "@" + inFlight);
        double[] y = mean.get(b + "@" + inFlight);
        if (x == null || y == null || y[0] == 0 || y[1] == 0) {
            return;
        }
        System.out.printf(Locale.ROOT, "RATIO %s/%s in_flight=%s throughput=%.2f p99=%.2f (target: %s)%n", a, b, inFlight,
                x[0] / y[0], x[1] / y[1], target);
    }
}
