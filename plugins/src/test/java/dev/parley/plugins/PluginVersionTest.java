package dev.parley.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.contract.Version;
import java.util.List;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PluginVersionTest {

    @Test
    void versionsOrderByTheirNumbersAndAQualifiedVersionComesBeforeTheRelease() {
        List<String> sorted = Stream.of("1.10.0", "1.2", "2.0.0-rc1", "1.2.1", "2.0.0", "1.9.9", "2.0.0-beta")
                .map(PluginVersion::parse).sorted().map(PluginVersion::text).toList();

        assertThat(sorted).containsExactly("1.2", "1.2.1", "1.9.9", "1.10.0", "2.0.0-beta", "2.0.0-rc1", "2.0.0");
        assertThat(PluginVersion.parse("1.2").compareTo(PluginVersion.parse("1.2.0"))).isZero();
    }

    @Test
    void malformedVersionsAreRefusedWithTheValueInTheMessage() {
        for (String bad : List.of("", "v1", "1..2", "1.2/../../x", "1.2-", "1.2.3.4.5.6")) {
            assertThatThrownBy(() -> PluginVersion.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void theManifestRoundTripsAndNamesAMissingAttribute() {
        PluginManifest m = new PluginManifest("pricing", Version.parse("1.3"), PluginVersion.parse("2.0.1"), "com.acme.PricingPlugin");

        assertThat(PluginManifest.read(m.toManifest())).isEqualTo(m);

        Manifest missing = m.toManifest();
        missing.getMainAttributes().remove(new java.util.jar.Attributes.Name(PluginManifest.ENTRY_POINT));
        assertThatThrownBy(() -> PluginManifest.read(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Parley-Entry-Point");
        assertThatThrownBy(() -> new PluginManifest("pricing", Version.parse("1.3"), PluginVersion.parse("1.0"), "not a class"))
                .hasMessageContaining("'not a class'");
    }
}
