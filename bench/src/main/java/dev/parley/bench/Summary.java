package dev.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads JMH's JSON results ({@code -rf json -rff FILE}) and prints one line per comparison:
 *
 * <pre>
 * PIPELINE &lt;benchmark&gt; median_ns=&lt;x&gt; overhead_vs_direct_ns=&lt;y&gt; target_overhead_ns=1000 &lt;PASS|MISS&gt;
 *     (BASELINE for direct, REFERENCE for the non-Parley virtualThreadHandoff)
 * PIPELINE-PERCENTILES &lt;benchmark&gt; p50_ns=.. p90_ns=.. p99_ns=.. p99.9_ns=.. mean_ns=..
 * CODEC &lt;codec&gt; &lt;size&gt; encode_ns=&lt;a&gt; decode_ns=&lt;b&gt; bytes=&lt;n&gt;
 * </pre>
 *
 * The pipeline overhead is the median of a Parley benchmark minus the median of {@code direct}
 * (SampleTime percentiles); the target is an overhead under 1 µs. Codec figures are the
 * JMH scores (average ns/op), or medians if the run used SampleTime. Usage: {@code Summary FILE}.
 */
public final class Summary {

    /** The target: median pipeline overhead under 1 µs per request/response call. */
    public static final double TARGET_OVERHEAD_NS = 1_000;

    static final List<String> PIPELINE_ORDER = List.of("direct", "parleyDirectByReference", "parleyDirectJson", "virtualThreadHandoff", "parleyDefault");

    private Summary() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Summary JMH_RESULT.json");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            System.err.println("Summary: no JMH results in " + file + " (did the run produce any?)");
            System.exit(1);
        }
        for (String line : summarize(new ObjectMapper().readTree(file.toFile()))) {
            System.out.println(line);
        }
    }

    /** Statistics of one benchmark, in ns. */
    record Result(String mode, double score, double p50, double p90, double p99, double p999) {
        /** The median for SampleTime runs, otherwise the score (average time). */
        double typical() {
            return "sample".equals(mode) ? p50 : score;
        }
    }

    static List<String> summarize(JsonNode root) {
        Map<String, Result> pipeline = new LinkedHashMap<>();
        Map<String, Map<String, Result>> codec = new LinkedHashMap<>(); // "json small" -> op -> result
        for (JsonNode run : root) {
            String benchmark = run.path("benchmark").asText();
            int dot = benchmark.lastIndexOf('.');
            String method = benchmark.substring(dot + 1);
            String cls = benchmark.substring(0, Math.max(0, dot));
            Result r = result(run);
            if (cls.endsWith(".PipelineBenchmark")) {
                pipeline.put(method, r);
            } else if (cls.endsWith(".CodecBenchmark")) {
                JsonNode params = run.path("params");
                String key = params.path("codec").asText() + " " + params.path("size").asText();
                codec.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(method, r);
            }
        }
        List<String> lines = new ArrayList<>();
        Result direct = pipeline.get("direct");
        List<String> order = new ArrayList<>(PIPELINE_ORDER);
        pipeline.keySet().stream().filter(k -> !order.contains(k)).forEach(order::add);
        for (String name : order) {
            Result r = pipeline.get(name);
            if (r == null) {
                continue;
            }
            if (name.equals("direct")) {
                lines.add(String.format(Locale.ROOT, "PIPELINE direct median_ns=%s overhead_vs_direct_ns=0 target_overhead_ns=%d BASELINE",
                        ns(r.typical()), (long) TARGET_OVERHEAD_NS));
            } else if (!name.startsWith("parley")) {
                // A reference measurement (e.g. the bare virtual-thread hand-off), not a Parley configuration.
                lines.add(String.format(Locale.ROOT, "PIPELINE %s median_ns=%s overhead_vs_direct_ns=%s target_overhead_ns=%d REFERENCE",
                        name, ns(r.typical()), direct == null ? "n/a" : ns(r.typical() - direct.typical()), (long) TARGET_OVERHEAD_NS));
            } else if (direct == null) {
                lines.add(String.format(Locale.ROOT, "PIPELINE %s median_ns=%s overhead_vs_direct_ns=n/a target_overhead_ns=%d "
                        + "UNKNOWN (run direct too)", name, ns(r.typical()), (long) TARGET_OVERHEAD_NS));
            } else {
                double overhead = r.typical() - direct.typical();
                lines.add(String.format(Locale.ROOT, "PIPELINE %s median_ns=%s overhead_vs_direct_ns=%s target_overhead_ns=%d %s",
                        name, ns(r.typical()), ns(overhead), (long) TARGET_OVERHEAD_NS, overhead < TARGET_OVERHEAD_NS ? "PASS" : "MISS"));
            }
        }
        for (String name : order) {
            Result r = pipeline.get(name);
            if (r != null && "sample".equals(r.mode())) {
                lines.add(String.format(Locale.ROOT, "PIPELINE-PERCENTILES %s p50_ns=%s p90_ns=%s p99_ns=%s p99.9_ns=%s mean_ns=%s",
                        name, ns(r.p50()), ns(r.p90()), ns(r.p99()), ns(r.p999()), ns(r.score())));
            }
        }
        for (Map.Entry<String, Map<String, Result>> e : codec.entrySet()) {
            String[] key = e.getKey().split(" ");
            Result enc = e.getValue().get("encode");
            Result dec = e.getValue().get("decode");
            String bytes;
            try {
                bytes = Integer.toString(Payloads.encodedSize(key[0], key[1]));
            } catch (RuntimeException ex) {
                bytes = "n/a";
            }
            lines.add(String.format(Locale.ROOT, "CODEC %s %s encode_ns=%s decode_ns=%s bytes=%s", key[0], key[1],
                    enc == null ? "n/a" : ns(enc.typical()), dec == null ? "n/a" : ns(dec.typical()), bytes));
        }
        return lines;
    }

    private static Result result(JsonNode run) {
        JsonNode metric = run.path("primaryMetric");
        double scale = toNanos(metric.path("scoreUnit").asText("ns/op"));
        JsonNode pct = metric.path("scorePercentiles");
        return new Result(run.path("mode").asText(), metric.path("score").asDouble() * scale,
                pct.path("50.0").asDouble(Double.NaN) * scale, pct.path("90.0").asDouble(Double.NaN) * scale,
                pct.path("99.0").asDouble(Double.NaN) * scale, pct.path("99.9").asDouble(Double.NaN) * scale);
    }

    private static double toNanos(String unit) {
        return switch (unit) {
            case "ns/op" -> 1;
            case "us/op" -> 1e3;
            case "ms/op" -> 1e6;
            case "s/op" -> 1e9;
            default -> throw new IllegalArgumentException("unsupported JMH score unit '" + unit
                    + "' (expected a time per operation: run with the benchmarks' default modes)");
        };
    }

    private static String ns(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : "%.1f", value);
    }
}
