package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks the summary of a (made-up) JMH result file. */
class SummaryTest {

    private static String sample(String method, double p50) {
        return """
                {"benchmark":"dev.parley.bench.PipelineBenchmark.%s","mode":"sample","primaryMetric":{"score":%s,"scoreUnit":"ns/op",
                 "scorePercentiles":{"0.0":1,"50.0":%s,"90.0":%s,"95.0":1,"99.0":%s,"99.9":%s,"100.0":1}}}"""
                .formatted(method, p50 + 5, p50, p50 * 2, p50 * 3, p50 * 4);
    }

    private static String avgt(String method, String codec, String size, double score) {
        return """
                {"benchmark":"dev.parley.bench.CodecBenchmark.%s","mode":"avgt","params":{"codec":"%s","size":"%s"},
                 "primaryMetric":{"score":%s,"scoreUnit":"ns/op","scorePercentiles":{"50.0":%s}}}"""
                .formatted(method, codec, size, score, score);
    }

    @Test
    void printsOneLinePerComparison() throws Exception {
        String json = "[" + String.join(",", sample("direct", 20), sample("parleyDirectByReference", 820),
                sample("parleyDefault", 6020), sample("virtualThreadHandoff", 4020), avgt("encode", "json", "small", 300.4), avgt("decode", "json", "small", 512)) + "]";
        List<String> lines = Summary.summarize(new ObjectMapper().readTree(json));
        assertThat(lines).containsSubsequence(
                "PIPELINE direct median_ns=20.0 overhead_vs_direct_ns=0 target_overhead_ns=1000 BASELINE",
                "PIPELINE parleyDirectByReference median_ns=820 overhead_vs_direct_ns=800 target_overhead_ns=1000 PASS",
                "PIPELINE virtualThreadHandoff median_ns=4020 overhead_vs_direct_ns=4000 target_overhead_ns=1000 REFERENCE",
                "PIPELINE parleyDefault median_ns=6020 overhead_vs_direct_ns=6000 target_overhead_ns=1000 MISS",
                "PIPELINE-PERCENTILES parleyDirectByReference p50_ns=820 p90_ns=1640 p99_ns=2460 p99.9_ns=3280 mean_ns=825",
                "CODEC json small encode_ns=300 decode_ns=512 bytes=" + Payloads.encodedSize("json", "small"));
    }
}
