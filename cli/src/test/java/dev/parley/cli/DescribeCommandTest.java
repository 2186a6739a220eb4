package dev.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.dispatch.DispatchContracts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.contract.ContractDescriptor;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DescribeCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsTheDescriptorOfOneContract() {
        CliRun run = CliRun.of("describe", "--classpath", testClasses(), DispatchContracts.DispatchV1_1.class.getName());

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(ContractDescriptor.fromJson(run.out())).isEqualTo(ContractDescriptor.of(DispatchContracts.DispatchV1_1.class));
    }

    @Test
    void printsAnArrayForSeveralContracts() throws Exception {
        CliRun run = CliRun.of("describe", "-cp", dir + File.pathSeparator + testClasses(),
                DispatchContracts.DispatchV1_0.class.getName(), DispatchContracts.Routing.class.getName());

        assertThat(run.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.isArray()).isTrue();
        assertThat(json).extracting(node -> node.get("name").asText()).containsExactly("dispatch", "routing");
        assertThat(ContractDescriptor.fromJson(json.get(1).toString())).isEqualTo(ContractDescriptor.of(DispatchContracts.Routing.class));
    }

    @Test
    void anUnknownClassExitsTwoNamingIt() {
        CliRun run = CliRun.of("describe", "--classpath", testClasses(), "com.example.dispatch.Nope");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).singleElement().asString()
                .startsWith("parley describe: class com.example.dispatch.Nope not found on --classpath");
    }

    @Test
    void aMisdeclaredContractExitsTwoWithTheProblem() {
        CliRun run = CliRun.of("describe", "--classpath", testClasses(), DispatchContracts.Broken.class.getName());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).singleElement().asString()
                .contains("is not a valid contract")
                .contains("Broken.fire: a @OneWay method must return void");
    }

    @Test
    void aMissingClassPathEntryExitsTwoNamingIt() {
        Path missing = dir.resolve("nowhere");

        CliRun run = CliRun.of("describe", "--classpath", missing.toString(), DispatchContracts.Routing.class.getName());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualToIgnoringNewLines("parley describe: class path entry " + missing
                + " does not exist (expected: a class directory or a jar)");
    }

    @Test
    void theClassPathIsRequired() {
        CliRun run = CliRun.of("describe", DispatchContracts.Routing.class.getName());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required option: '--classpath=<path>'");
    }

    private static String testClasses() {
        try {
            return Path.of(DispatchContracts.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
