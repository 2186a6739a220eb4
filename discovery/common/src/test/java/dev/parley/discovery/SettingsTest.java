package dev.parley.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration of the registry, its backend and ejection from files and command lines. */
class SettingsTest {

    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void registryCommandLine(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("registry.properties");
        Files.writeString(config, "parley.registry.port=0\nparley.registry.maxInstances=7\n");
        try (EmbeddedRegistry registry = EmbeddedRegistry.parseArguments(new String[] {"--port", "9999", "--config", config.toString(),
                "--bind", "127.0.0.1", "--min-ttl", "PT2S"}).start()) {
            assertThat(registry.port()).as("the file, read after --port, wins").isNotEqualTo(9999).isPositive();
        }
        assertThatThrownBy(() -> EmbeddedRegistry.parseArguments(new String[] {"--port"})).hasMessage("--port: missing value");
        assertThatThrownBy(() -> EmbeddedRegistry.parseArguments(new String[] {"--port", "80a"})).hasMessage("--port: '80a' (expected: an integer)");
        assertThatThrownBy(() -> EmbeddedRegistry.parseArguments(new String[] {"--port", "70000"}))
                .hasMessageContaining("port: 70000 (expected: 0..65535)");
        assertThatThrownBy(() -> EmbeddedRegistry.parseArguments(new String[] {"--verbose", "true"})).hasMessageStartingWith("--verbose: unknown option");
        assertThatThrownBy(() -> EmbeddedRegistry.parseArguments(new String[] {"--config", dir.resolve("none").toString()}))
                .hasMessageContaining("--config: cannot read");
        assertThatThrownBy(() -> EmbeddedRegistry.builder().minTtl(Duration.ofMinutes(10)).maxTtl(Duration.ofMinutes(1)).start())
                .hasMessage("minTtl: PT10M (expected: <= maxTtl PT1M) for EmbeddedRegistry");
    }

    @Test
    void registryProperties() {
        assertThatThrownBy(() -> EmbeddedRegistry.fromProperties(props("r.maxTtl", "5 minutes"), "r."))
                .hasMessage("r.maxTtl: '5 minutes' (expected: an ISO-8601 duration such as PT2S)");
        assertThatThrownBy(() -> EmbeddedRegistry.fromProperties(props("r.maxInstances", "0"), "r."))
                .hasMessageContaining("r.maxInstances: '0': maxInstances: 0 (expected: >= 1)");
        assertThatThrownBy(() -> EmbeddedRegistry.fromProperties(props("r.ttl", "PT1S"), "r."))
                .hasMessageStartingWith("r.ttl: unknown EmbeddedRegistry setting");
    }

    @Test
    void backendProperties() {
        EmbeddedRegistryBackend.fromProperties(props("b.url", "http://127.0.0.1:8500", "b.ttl", "PT3S", "b.retryBackoff", "PT0.1S,PT2S",
                "b.waitTime", "PT20S", "b.callTimeout", "PT1S", "b.heartbeatInterval", "PT1S"), "b.").build().close();
        assertThatThrownBy(() -> EmbeddedRegistryBackend.fromProperties(props("b.ttl", "PT3S"), "b."))
                .hasMessageStartingWith("b.url: missing");
        assertThatThrownBy(() -> EmbeddedRegistryBackend.fromProperties(props("b.url", "localhost:8500"), "b."))
                .hasMessageContaining("url: 'localhost:8500' (expected: the registry's base URL");
        assertThatThrownBy(() -> EmbeddedRegistryBackend.fromProperties(props("b.url", "http://h:1", "b.retryBackoff", "PT1S"), "b."))
                .hasMessageContaining("b.retryBackoff: 'PT1S' (expected: two durations");
        assertThatThrownBy(() -> EmbeddedRegistryBackend.fromProperties(props("b.url", "http://h:1", "b.waitTime", "PT2M"), "b."))
                .hasMessageContaining("waitTime: PT2M (expected: <= PT60S)");
        assertThatThrownBy(() -> EmbeddedRegistryBackend.builder("http://h:1").ttl(Duration.ofSeconds(3)).heartbeatInterval(Duration.ofSeconds(3)).build())
                .hasMessage("heartbeatInterval: PT3S (expected: < ttl PT3S) for EmbeddedRegistryBackend");
        assertThatThrownBy(() -> EmbeddedRegistryBackend.fromProperties(props("b.url", "http://h:1", "b.tll", "PT3S"), "b."))
                .hasMessageStartingWith("b.tll: unknown EmbeddedRegistryBackend setting");
    }

    @Test
    void ejectionProperties() {
        EjectionPolicy p = EjectionPolicy.fromProperties(props("e.failuresToEject", "3", "e.baseEjection", "PT0.5S", "e.maxEjection", "PT10S"), "e.");
        assertThat(p.failuresToEject()).isEqualTo(3);
        assertThat(p.baseEjection()).isEqualTo(Duration.ofMillis(500));
        assertThat(p.ejectionNanos(1)).isEqualTo(Duration.ofMillis(500).toNanos());
        assertThat(p.ejectionNanos(3)).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(p.ejectionNanos(100)).isEqualTo(Duration.ofSeconds(10).toNanos());
        assertThatThrownBy(() -> EjectionPolicy.fromProperties(props("e.failuresToEject", "0"), "e."))
                .hasMessageContaining("failuresToEject: 0 (expected: >= 1)");
        assertThatThrownBy(() -> EjectionPolicy.fromProperties(props("e.baseEjection", "PT1M", "e.maxEjection", "PT1S"), "e."))
                .hasMessageContaining("baseEjection: PT1M (expected: <= maxEjection PT1S)");
        assertThatThrownBy(() -> Balancer.named("random")).hasMessage("balancer: 'random' (expected: least-outstanding or round-robin)");
    }
}
