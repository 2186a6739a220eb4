package dev.parley.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fleet.DriverService;
import com.example.fleet.FleetBaselines;
import com.example.fleet.FleetService;
import dev.parley.contract.CompatibilityReport;
import dev.parley.contract.ContractDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCompatibilityMojoTest {

    @TempDir
    Path baselines;

    private final RecordingLog log = new RecordingLog();

    @Test
    void passesOnACompatibleBaselineAndLogsTheCompatibleChanges() {
        baseline("fleet-v1.json", FleetBaselines.Compatible.Fleet.class);

        assertThatCode(() -> mojo(false, FleetService.class.getName()).execute()).doesNotThrowAnyException();

        assertThat(log.infos).contains("parley: Contract fleet 1.0 -> 1.1: 0 breaking changes, 2 compatible changes");
        assertThat(log.infos).anySatisfy(line -> assertThat(line).contains("COMPATIBLE  method retire: new ONE_WAY method"));
        assertThat(log.infos).anySatisfy(line -> assertThat(line).contains("COMPATIBLE  message Vehicle field color"));
        assertThat(log.warnings).isEmpty();
    }

    @Test
    void passesWhenTheContractIsUnchanged() throws Exception {
        baseline("fleet-v1.json", FleetService.class);

        mojo(false, FleetService.class.getName()).execute();

        assertThat(log.infos).contains("parley: Contract fleet 1.1 -> 1.1: no changes");
    }

    @Test
    void failsWithTheReportOnABreakingBaseline() {
        baseline("fleet-v1.json", FleetBaselines.Breaking.Fleet.class);

        assertThatThrownBy(() -> mojo(false, FleetService.class.getName()).execute())
                .isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("contract fleet breaks compatibility with its baseline " + baselines.resolve("fleet-v1.json"))
                .hasMessageContaining("Contract fleet 1.0 -> 1.1: 2 breaking changes")
                .hasMessageContaining("BREAKING    method scrap: removed")
                .hasMessageContaining("BREAKING    message Vehicle field seats: removed");
    }

    @Test
    void reportsOnlyTheContractsThatBreak() {
        baseline("fleet-v1.json", FleetBaselines.Breaking.Fleet.class);
        baseline("drivers-v2.json", DriverService.class);

        assertThatThrownBy(() -> mojo(false, FleetService.class.getName(), DriverService.class.getName()).execute())
                .isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("contract fleet breaks compatibility")
                .hasMessageNotContaining("contract drivers");
        assertThat(log.infos).contains("parley: Contract drivers 2.0 -> 2.0: no changes");
    }

    @Test
    void aMissingBaselineWarnsAndPassesByDefault() {
        assertThatCode(() -> mojo(false, FleetService.class.getName()).execute()).doesNotThrowAnyException();

        assertThat(log.warnings).singleElement().asString()
                .contains("no baseline for contract fleet/v1 at " + baselines.resolve("fleet-v1.json"))
                .contains("skipping its compatibility check");
    }

    @Test
    void aMissingBaselineFailsWhenFailOnMissingBaselineIsSet() {
        assertThatThrownBy(() -> mojo(true, FleetService.class.getName()).execute())
                .isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("no baseline for contract fleet/v1")
                .hasMessageContaining("failOnMissingBaseline");
    }

    @Test
    void aBaselineThatIsNotADescriptorFailsNamingTheFile() throws Exception {
        Files.writeString(baselines.resolve("fleet-v1.json"), "{ not json");

        assertThatThrownBy(() -> mojo(false, FleetService.class.getName()).execute())
                .isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("baseline " + baselines.resolve("fleet-v1.json") + " is not a valid contract descriptor")
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void theWorkReturnsOneReportPerContractWithABaseline() throws Exception {
        baseline("fleet-v1.json", FleetBaselines.Compatible.Fleet.class);
        ContractBuild build = ContractBuild.load(getClass().getClassLoader(),
                List.of(FleetService.class.getName(), DriverService.class.getName()), log);

        List<CompatibilityReport> reports = build.checkCompatibility(baselines, false);

        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.contract()).isEqualTo("fleet");
            assertThat(r.isCompatible()).isTrue();
            assertThat(r.compatibleChanges()).hasSize(2);
        });
        assertThat(log.warnings).singleElement().asString().contains("contract drivers/v2");
    }

    private void baseline(String fileName, Class<?> contract) {
        try {
            Files.writeString(baselines.resolve(fileName), ContractDescriptor.of(contract).toJson());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private CheckCompatibilityMojo mojo(boolean failOnMissingBaseline, String... contracts) {
        CheckCompatibilityMojo mojo = new CheckCompatibilityMojo();
        mojo.project = TestProjects.withTestContracts();
        mojo.contracts = List.of(contracts);
        mojo.baselineDirectory = baselines.toFile();
        mojo.failOnMissingBaseline = failOnMissingBaseline;
        mojo.setLog(log);
        return mojo;
    }
}
