package dev.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ParleyCommandTest {

    @Test
    void anUnknownSubcommandIsAUsageError() {
        CliRun run = CliRun.of("frobnicate", "a.json");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("Unmatched argument").contains("'frobnicate'");
    }

    @Test
    void noSubcommandIsAUsageError() {
        CliRun run = CliRun.of();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required subcommand").contains("compat").contains("describe");
    }

    @Test
    void helpListsTheSubcommands() {
        CliRun run = CliRun.of("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: parley").contains("compat").contains("describe");
    }

    @Test
    void compatHelpDocumentsTheExitCodes() {
        CliRun run = CliRun.of("help", "compat");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Exit codes:").containsPattern("1\\s+breaking changes");
    }

    @Test
    void versionIsPrinted() {
        CliRun run = CliRun.of("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("parley ");
    }
}
