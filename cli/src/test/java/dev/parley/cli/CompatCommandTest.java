package dev.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.dispatch.DispatchContracts;
import dev.parley.contract.ContractDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompatCommandTest {

    @TempDir
    Path dir;

    @Test
    void compatibleDescriptorsExitZeroAndPrintTheReport() throws IOException {
        CliRun run = CliRun.of("compat", descriptor(DispatchContracts.DispatchV1_0.class), descriptor(DispatchContracts.DispatchV1_1.class));

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Contract dispatch 1.0 -> 1.1: 0 breaking changes, 1 compatible change")
                .contains("COMPATIBLE  method remind: new ONE_WAY method");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void identicalDescriptorsExitZero() throws IOException {
        String file = descriptor(DispatchContracts.DispatchV1_1.class);

        CliRun run = CliRun.of("compat", file, file);

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("no changes");
    }

    @Test
    void breakingChangesExitOneAndNameTheChange() throws IOException {
        CliRun run = CliRun.of("compat", descriptor(DispatchContracts.DispatchV1_1.class), descriptor(DispatchContracts.DispatchV1_2.class));

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.BREAKING).isEqualTo(1);
        assertThat(run.out()).startsWith("Contract dispatch 1.1 -> 1.2: 1 breaking change")
                .contains("BREAKING    method cancel: removed");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void malformedJsonExitsTwoWithOneClearLine() throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"name\": \"dispatch\", \"version\": ");

        CliRun run = CliRun.of("compat", broken.toString(), descriptor(DispatchContracts.DispatchV1_1.class));

        assertThat(run.exitCode()).isEqualTo(ParleyCommand.BAD_INPUT).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).singleElement().asString()
                .startsWith("parley compat: previous descriptor " + broken + ": contract descriptor: not valid JSON: ");
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void jsonThatIsNotADescriptorExitsTwo() throws IOException {
        Path notADescriptor = Files.writeString(dir.resolve("other.json"), "{\"hello\": \"world\"}");

        CliRun run = CliRun.of("compat", descriptor(DispatchContracts.DispatchV1_0.class), notADescriptor.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).singleElement().asString()
                .startsWith("parley compat: current descriptor " + notADescriptor)
                .contains("'name', 'version' and a non-empty 'methods' are required");
    }

    @Test
    void aMissingFileExitsTwoNamingIt() throws IOException {
        Path missing = dir.resolve("missing.json");

        CliRun run = CliRun.of("compat", descriptor(DispatchContracts.DispatchV1_0.class), missing.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualToIgnoringNewLines("parley compat: current descriptor " + missing + " does not exist");
    }

    @Test
    void aMissingArgumentIsAUsageError() throws IOException {
        CliRun run = CliRun.of("compat", descriptor(DispatchContracts.DispatchV1_0.class));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required parameter: '<current.json>'").contains("Usage: parley compat");
    }

    private String descriptor(Class<?> contract) throws IOException {
        Path file = dir.resolve(contract.getSimpleName() + ".json");
        Files.writeString(file, ContractDescriptor.of(contract).toJson());
        return file.toString();
    }
}
