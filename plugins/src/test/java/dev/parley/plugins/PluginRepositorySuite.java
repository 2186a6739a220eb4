package dev.parley.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link PluginRepository} does, run once per implementation: list the complete
 * versions of one contract with their published checksums, fetch them within a size limit, and
 * fail with an {@link IOException} when it cannot be reached.
 */
abstract class PluginRepositorySuite {

    @TempDir
    Path work;

    /** The repository under test, empty; {@link #publish} adds to it. */
    abstract PluginRepository repository();

    /** Publishes {@code bytes} as {@code file} of {@code contract} at {@code version}, with its SHA-256 where the repository has a place for it. */
    abstract void publish(String contract, String version, String file, byte[] bytes);

    /** Makes the repository unreachable. */
    abstract void breakIt() throws IOException;

    @AfterEach
    void closeRepository() {
        repository().close();
    }

    @Test
    void listsTheVersionsOfOneContractWithTheirChecksums() throws IOException {
        byte[] one = PluginJars.plugin("1.0.0").bytes();
        byte[] two = PluginJars.plugin("1.10.0").bytes();
        publish("pricing", "1.0.0", "pricing-1.0.0.jar", one);
        publish("pricing", "1.10.0", "pricing-1.10.0.jar", two);
        publish("billing", "3.0.0", "billing-3.0.0.jar", one);

        List<PluginArtifact> listed = repository().list("pricing");

        assertThat(listed).extracting(a -> a.version().text()).containsExactlyInAnyOrder("1.0.0", "1.10.0");
        assertThat(listed).filteredOn(a -> a.version().text().equals("1.10.0")).singleElement()
                .satisfies(a -> assertThat(a.sha256()).contains(PluginJars.sha256(two)));
    }

    @Test
    void fetchesAJarByteForByteAndStopsAtTheLimit() throws IOException {
        byte[] jar = PluginJars.plugin("1.0.0").bytes();
        publish("pricing", "1.0.0", "pricing-1.0.0.jar", jar);
        PluginArtifact artifact = repository().list("pricing").get(0);

        Path copy = work.resolve("copy.jar");
        repository().fetch(artifact, copy, jar.length);
        assertThat(Files.readAllBytes(copy)).isEqualTo(jar);

        assertThatThrownBy(() -> repository().fetch(artifact, work.resolve("small.jar"), jar.length - 1))
                .isInstanceOf(IOException.class).hasMessageContaining("larger than");
    }

    @Test
    void anIdentityChangesWhenAVersionIsReplaced() throws IOException {
        publish("pricing", "1.0.0", "pricing-1.0.0.jar", PluginJars.plugin("1.0.0").bytes());
        String before = repository().list("pricing").get(0).identity();

        publish("pricing", "1.0.0", "pricing-1.0.0.jar", PluginJars.plugin("1.0.0").label("other label").bytes());

        assertThat(repository().list("pricing").get(0).identity()).isNotEqualTo(before);
    }

    @Test
    void anUnreachableRepositoryFailsWithAnIOException() throws IOException {
        publish("pricing", "1.0.0", "pricing-1.0.0.jar", PluginJars.plugin("1.0.0").bytes());
        breakIt();

        assertThatThrownBy(() -> repository().list("pricing")).isInstanceOf(IOException.class);
    }
}
