package dev.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {

    /** The checkout this module lives in: cli/ is run by Maven with its own directory as the working directory. */
    private static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void listsTheBenchmarksOfTheCheckout() {
        CliRun run = CliRun.of("bench", "--repo", CHECKOUT.toString(), "list");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).contains("jmh", "http", "rpc", "messaging").doesNotContain("run", "jdk");
    }

    @Test
    void runsTheScriptWithTheArgumentsAndReturnsItsExitCode() throws Exception {
        Path bench = Files.createDirectories(dir.resolve("bench"));
        Files.writeString(bench.resolve("run.sh"), "echo \"$@\" > jmh-args.txt\n");
        Files.writeString(bench.resolve("smoke.sh"), "echo \"$@\" > smoke-args.txt\nexit 7\n");

        CliRun smoke = CliRun.of("bench", "--repo", dir.toString(), "smoke", "5", "10", "--flag");
        CliRun jmh = CliRun.of("bench", "--repo", dir.toString(), "jmh", "PipelineBenchmark", "-prof", "gc");

        assertThat(smoke.exitCode()).isEqualTo(7);
        assertThat(Files.readAllLines(dir.resolve("smoke-args.txt"))).isEqualTo(List.of("5 10 --flag"));
        assertThat(jmh.exitCode()).isZero();
        assertThat(Files.readAllLines(dir.resolve("jmh-args.txt"))).isEqualTo(List.of("PipelineBenchmark -prof gc"));
    }

    @Test
    void anUnknownBenchmarkExitsTwoListingTheKnownOnes() {
        CliRun run = CliRun.of("bench", "--repo", CHECKOUT.toString(), "kafka-streams");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("benchmark 'kafka-streams' (expected one of: jmh, ").contains("rpc");
    }

    @Test
    void aDirectoryThatIsNoCheckoutExitsTwo() {
        CliRun run = CliRun.of("bench", "--repo", dir.toString(), "list");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("is not a Parley checkout (expected: a directory holding bench/run.sh)");
    }
}
