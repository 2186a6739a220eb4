package dev.parley.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Turns the result lines of an HTTP comparison run ({@code ROUND n} lines, then one
 * {@link LoadResult} line per system) into a table and the {@code RATIO} lines with the issue's
 * targets:
 *
 * <pre>
 * RATIO http parley/netty throughput=0.81 p99=1.30 target throughput&gt;=0.90 MISS
 * RATIO http parley/vertx throughput=1.02 p99=0.95 target throughput&gt;=1.00 PASS p99&lt;=1.00 PASS
 * RATIO http-client parley/jdk throughput=1.70 p99=0.60 target throughput&gt;=1.50 PASS
 * </pre>
 *
 * Ratios are of the systems' means over the rounds; each round's own ratio follows in brackets,
 * so drift between rounds shows.
 */
public final class HttpReport {

    /** One comparison line: numerator label, denominator label and the targets. */
    record Comparison(String kind, String name, String numerator, String denominator,
                      double minThroughput, double maxP99) {}

    static final List<Comparison> COMPARISONS = List.of(
            new Comparison("http", "parley/netty", "parley", "netty", 0.9, Double.NaN),
            new Comparison("http", "parley/vertx", "parley", "vertx", 1.0, 1.0),
            new Comparison("http", "parley-direct/netty", "parley-direct", "netty", 0.9, Double.NaN),
            new Comparison("http", "parley-direct/vertx", "parley-direct", "vertx", 1.0, 1.0),
            new Comparison("http-client", "parley/jdk", "client-parley", "client-jdk", 1.5, Double.NaN));

    private HttpReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: HttpReport <results file>");
            System.exit(2);
        }
        report(Files.readAllLines(Path.of(args[0]))).forEach(System.out::println);
    }

    /** The table and the ratio lines for the lines of a results file. */
    static List<String> report(List<String> lines) {
        // rounds.get(i): label -> result of round i + 1
        List<Map<String, LoadResult>> rounds = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("ROUND")) {
                rounds.add(new LinkedHashMap<>());
            } else if (line.startsWith("RESULT")) {
                if (rounds.isEmpty()) {
                    rounds.add(new LinkedHashMap<>());
                }
                LoadResult r = LoadResult.parse(line);
                rounds.getLast().put(r.label(), r);
            }
        }
        List<String> out = new ArrayList<>();
        out.add("| system | round | req/s | p50 (ms) | p99 (ms) | p99.9 (ms) | errors |");
        out.add("|---|---|---|---|---|---|---|");
        Map<String, Boolean> labels = new LinkedHashMap<>();
        rounds.forEach(round -> round.keySet().forEach(l -> labels.put(l, true)));
        for (String label : labels.keySet()) {
            for (int i = 0; i < rounds.size(); i++) {
                LoadResult r = rounds.get(i).get(label);
                if (r != null) {
                    out.add(String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.2f | %d |",
                            label, i + 1, r.throughput(), r.p50Micros() / 1e3, r.p99Micros() / 1e3, r.p999Micros() / 1e3, r.errors()));
                }
            }
        }
        out.add("");
        for (Comparison c : COMPARISONS) {
            ratioLine(c, rounds).ifPresent(out::add);
        }
        return out;
    }

    private static Optional<String> ratioLine(Comparison c, List<Map<String, LoadResult>> rounds) {
        List<Double> perRound = new ArrayList<>();
        List<LoadResult> nums = new ArrayList<>();
        List<LoadResult> dens = new ArrayList<>();
        for (Map<String, LoadResult> round : rounds) {
            LoadResult n = round.get(c.numerator());
            LoadResult d = round.get(c.denominator());
            if (n != null && d != null) {
                nums.add(n);
                dens.add(d);
                perRound.add(n.throughput() / d.throughput());
            }
        }
        if (nums.isEmpty()) {
            return Optional.empty();
        }
        double throughput = mean(nums, LoadResult::throughput) / mean(dens, LoadResult::throughput);
        double p99 = mean(nums, LoadResult::p99Micros) / mean(dens, LoadResult::p99Micros);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "RATIO %s %s throughput=%.2f p99=%.2f", c.kind(), c.name(), throughput, p99));
        s.append(" (rounds:");
        perRound.forEach(r -> s.append(String.format(Locale.ROOT, " %.2f", r)));
        s.append(')');
        s.append(String.format(Locale.ROOT, " target throughput>=%.2f %s", c.minThroughput(), throughput >= c.minThroughput() ? "PASS" : "MISS"));
        if (!Double.isNaN(c.maxP99())) {
            s.append(String.format(Locale.ROOT, " p99<=%.2f %s", c.maxP99(), p99 <= c.maxP99() ? "PASS" : "MISS"));
        }
        return Optional.of(s.toString());
    }

    private static double mean(List<LoadResult> results, ToDoubleFunction<LoadResult> f) {
        return results.stream().mapToDouble(f).average().orElseThrow();
    }
}
