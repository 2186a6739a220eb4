package dev.parley.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code parley bench <benchmark> [arguments...]}: runs one of the side-by-side benchmarks of a
 * Parley source checkout ({@code bench/<benchmark>.sh}, or JMH through {@code bench/run.sh} for
 * {@code jmh}), passing the arguments on and returning the script's exit code. The benchmarks
 * need the checkout (they build the benchmark jar and start servers and brokers as
 * docs/benchmarks.md describes), so this command finds them there rather than shipping them.
 */
@Command(name = "bench",
        description = "Runs a benchmark of a Parley checkout: 'parley bench list' names them; 'parley bench jmh <regex>' runs JMH benchmarks.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the benchmark ran (or the list was printed)",
            "2:bad input: no checkout at --repo, or no such benchmark",
            "3:internal error",
            "other:the benchmark script's own exit code"})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--repo", paramLabel = "<dir>", defaultValue = ".",
            description = "The Parley checkout holding bench/ (default: the current directory).")
    Path repo;

    @Parameters(index = "0", paramLabel = "<benchmark>", description = "list, jmh, or a script name of bench/ such as http, rpc, messaging.")
    String benchmark;

    @Parameters(index = "1..*", paramLabel = "<argument>", description = "Passed to the benchmark as they are.")
    List<String> arguments = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path bench = repo.resolve("bench");
        if (!Files.isRegularFile(bench.resolve("run.sh"))) {
            throw new InputException("--repo " + repo.toAbsolutePath().normalize()
                    + " is not a Parley checkout (expected: a directory holding bench/run.sh)");
        }
        List<String> names = benchmarks(bench);
        if (benchmark.equals("list")) {
            PrintWriter out = spec.commandLine().getOut();
            names.forEach(out::println);
            out.flush();
            return 0;
        }
        if (!names.contains(benchmark)) {
            throw new InputException("benchmark '" + benchmark + "' (expected one of: " + String.join(", ", names) + ")");
        }
        Path script = bench.resolve(benchmark.equals("jmh") ? "run.sh" : benchmark + ".sh");
        List<String> command = new ArrayList<>(List.of("bash", script.toAbsolutePath().toString()));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).directory(repo.toFile()).inheritIO().start();
        try {
            return process.waitFor();
        } finally {
            process.destroy();
        }
    }

    /** jmh plus every script of bench/ but the helpers it sources and run.sh itself. */
    private static List<String> benchmarks(Path bench) throws IOException {
        List<String> names = new ArrayList<>(List.of("jmh"));
        try (Stream<Path> files = Files.list(bench)) {
            files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".sh") && !n.equals("run.sh") && !n.equals("jdk.sh"))
                    .map(n -> n.substring(0, n.length() - ".sh".length()))
                    .sorted()
                    .forEach(names::add);
        }
        return names;
    }
}
