package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks the report of a (made-up) HTTP comparison run. */
class HttpReportTest {

    @Test
    void resultLinesRoundTrip() {
        LoadResult r = new LoadResult("netty", 123456.4, 450.25, 1900.5, 4000, 9000, 2469128, 0);
        assertThat(r.line()).isEqualTo("RESULT netty 123456 450.3 1900.5 4000.0 9000.0 2469128 0");
        assertThat(LoadResult.parse(r.line()).p99Micros()).isEqualTo(1900.5);
        assertThatThrownBy(() -> LoadResult.parse("RESULT netty 1 2"))
                .hasMessageContaining("RESULT netty 1 2").hasMessageContaining("expected");
    }

    @Test
    void ratiosAreOfTheMeansOverRoundsWithEachRoundShown() {
        List<String> report = HttpReport.report(List.of(
                "ROUND 1",
                "RESULT netty 200000 300 500 900 2000 4000000 0",
                "RESULT vertx 100000 600 2000 3000 5000 2000000 0",
                "RESULT parley 160000 400 1500 2000 4000 3200000 0",
                "RESULT client-jdk 10000 6000 20000 30000 40000 200000 0",
                "RESULT client-parley 30000 2000 8000 9000 10000 600000 0",
                "ROUND 2",
                "RESULT netty 200000 300 500 900 2000 4000000 0",
                "RESULT vertx 100000 600 2000 3000 5000 2000000 0",
                "RESULT parley 200000 400 2500 2000 4000 4000000 0",
                "RESULT client-jdk 10000 6000 20000 30000 40000 200000 0",
                "RESULT client-parley 10000 2000 8000 9000 10000 200000 0"));
        assertThat(report).contains(
                "| parley | 2 | 200000 | 0.40 | 2.50 | 2.00 | 0 |",
                "RATIO http parley/netty throughput=0.90 p99=4.00 (rounds: 0.80 1.00) target throughput>=0.90 PASS",
                "RATIO http parley/vertx throughput=1.80 p99=1.00 (rounds: 1.60 2.00) target throughput>=1.00 PASS p99<=1.00 PASS",
                "RATIO http-client parley/jdk throughput=2.00 p99=0.40 (rounds: 3.00 1.00) target throughput>=1.50 PASS");
        // parley-direct was not run: no line for it.
        assertThat(report).noneMatch(line -> line.contains("parley-direct"));
    }
}
