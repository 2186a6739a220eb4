package dev.parley.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.fleet.BrokenContract;
import com.example.fleet.DriverService;
import com.example.fleet.FleetBaselines;
import com.example.fleet.FleetService;
import dev.parley.contract.ContractDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DescriptorMojoTest {

    @TempDir
    Path target;

    private final RecordingLog log = new RecordingLog();

    @Test
    void writesOneDescriptorPerContractNamedByContractNameAndMajorVersion() throws Exception {
        mojo(FleetService.class.getName(), DriverService.class.getName()).execute();

        try (var files = Files.list(target)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("fleet-v1.json", "drivers-v2.json");
        }
        ContractDescriptor fleet = ContractDescriptor.fromJson(Files.readString(target.resolve("fleet-v1.json")));
        assertThat(fleet).isEqualTo(ContractDescriptor.of(FleetService.class));
        assertThat(fleet.version().toString()).isEqualTo("1.1");
        assertThat(ContractDescriptor.fromJson(Files.readString(target.resolve("drivers-v2.json"))).name()).isEqualTo("drivers");
        assertThat(log.infos).anySatisfy(line -> assertThat(line).contains("wrote descriptor of contract fleet 1.1"));
    }

    @Test
    void createsTheOutputDirectoryAndOverwritesOldDescriptors() throws Exception {
        Path output = target.resolve("nested/parley");
        DescriptorMojo mojo = mojo(FleetService.class.getName());
        mojo.outputDirectory = output.toFile();
        Files.createDirectories(output);
        Files.writeString(output.resolve("fleet-v1.json"), "stale");

        mojo.execute();

        assertThat(Files.readString(output.resolve("fleet-v1.json"))).isEqualTo(ContractDescriptor.of(FleetService.class).toJson() + "\n");
    }

    @Test
    void aMisdeclaredContractFailsTheBuildNamingTheMethodAndTheProblem() {
        assertThatThrownBy(() -> mojo(BrokenContract.class.getName()).execute())
                .isInstanceOf(MojoFailureException.class)
                .hasMessageContaining(BrokenContract.class.getName() + " is not a valid contract")
                .hasMessageContaining("BrokenContract.assign: takes 2 parameters");
    }

    @Test
    void anUnknownClassFailsTheBuildNamingIt() {
        assertThatThrownBy(() -> mojo("com.example.fleet.NoSuchService").execute())
                .isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("contract class com.example.fleet.NoSuchService not found");
    }

    @Test
    void noConfiguredContractFailsTheBuild() {
        assertThatThrownBy(() -> mojo().execute())
                .isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("no contracts configured");
    }

    @Test
    void twoInterfacesForTheSameContractAndMajorVersionFailTheBuild() {
        assertThatThrownBy(() -> mojo(FleetService.class.getName(), FleetBaselines.Compatible.Fleet.class.getName()).execute())
                .isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("both describe contract fleet/v1");
    }

    @Test
    void skipWritesNothing() throws Exception {
        DescriptorMojo mojo = mojo(FleetService.class.getName());
        mojo.skip = true;

        mojo.execute();

        try (var files = Files.list(target)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void loadsTheContractsFromTheProjectsClassesNotFromThePlugin() throws Exception {
        ClassLoader plugin = getClass().getClassLoader();
        try (var loader = dev.parley.contract.ContractClassLoader.of(List.of(TestProjects.testClasses()), plugin)) {
            ContractBuild build = ContractBuild.load(loader, List.of(FleetService.class.getName()), log);

            assertThat(loader.loadClass(FleetService.class.getName())).isNotSameAs(FleetService.class);
            assertThat(build.descriptors()).containsExactly(ContractDescriptor.of(FleetService.class));
            assertThat(ContractBuild.fileName(build.descriptors().get(0))).isEqualTo("fleet-v1.json");
        }
    }

    private DescriptorMojo mojo(String... contracts) {
        DescriptorMojo mojo = new DescriptorMojo();
        mojo.project = TestProjects.withTestContracts();
        mojo.contracts = List.of(contracts);
        mojo.outputDirectory = target.toFile();
        mojo.setLog(log);
        return mojo;
    }
}
