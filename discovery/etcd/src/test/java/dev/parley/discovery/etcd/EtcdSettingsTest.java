package dev.parley.discovery.etcd;

import static dev.parley.discovery.etcd.Instances.TRIPS_V1;
import static dev.parley.discovery.etcd.Instances.TRIPS_V2;
import static dev.parley.discovery.etcd.Instances.trips;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.discovery.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Settings, validation and the stored JSON: no etcd needed. */
class EtcdSettingsTest {

    private final EtcdDiscovery unreachable = EtcdDiscovery.builder().endpoints("http://127.0.0.1:1").build();

    @AfterEach
    void tearDown() {
        unreachable.close();
    }

    @Test
    void settingsComeFromPropertiesWithTheBuilderNames() {
        Properties p = new Properties();
        p.setProperty("parley.discovery.etcd.endpoints", "http://a:2379, http://b:2379");
        p.setProperty("parley.discovery.etcd.keyPrefix", "/svc");
        p.setProperty("parley.discovery.etcd.leaseTtl", "PT6S");
        p.setProperty("parley.discovery.etcd.requestTimeout", "PT1S");
        p.setProperty("parley.discovery.etcd.maxValueBytes", "1024");
        p.setProperty("other.key", "ignored");
        try (EtcdDiscovery built = EtcdDiscovery.fromProperties(p, "parley.discovery.etcd.").build()) {
            EtcdDiscovery.Settings s = built.settings();
            assertThat(s.endpoints()).extracting(Object::toString).containsExactly("http://a:2379", "http://b:2379");
            assertThat(s.keyPrefix()).isEqualTo("/svc");
            assertThat(s.leaseTtl()).isEqualTo(Duration.ofSeconds(6));
            assertThat(s.keepAliveInterval()).isEqualTo(Duration.ofSeconds(2));
            assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(1));
            assertThat(s.maxValueBytes()).isEqualTo(1024);
        }
    }

    @Test
    void badSettingsNameTheKeyTheValueAndWhatWasExpected() {
        assertThatThrownBy(() -> EtcdDiscovery.fromProperties(props("p.leaseTtl", "PT1S"), "p."))
                .hasMessage("p.leaseTtl: 'PT1S': leaseTtl: PT1S (expected: whole seconds, at least PT2S)");
        assertThatThrownBy(() -> EtcdDiscovery.fromProperties(props("p.leaseTtl", "ten seconds"), "p."))
                .hasMessage("p.leaseTtl: 'ten seconds' (expected: an ISO-8601 duration such as PT10S)");
        assertThatThrownBy(() -> EtcdDiscovery.fromProperties(props("p.maxValueBytes", "lots"), "p."))
                .hasMessage("p.maxValueBytes: 'lots' (expected: an integer)");
        assertThatThrownBy(() -> EtcdDiscovery.fromProperties(props("p.endpoints", "etcd:2379"), "p."))
                .hasMessageContaining("p.endpoints: 'etcd:2379'").hasMessageContaining("expected: http://host:port");
        assertThatThrownBy(() -> EtcdDiscovery.fromProperties(props("p.ttl", "PT5S"), "p."))
                .hasMessageStartingWith("p.ttl: 'PT5S': unknown setting (expected: endpoints, keyPrefix, leaseTtl");
        assertThatThrownBy(() -> EtcdDiscovery.builder().keyPrefix("parley/"))
                .hasMessageContaining("keyPrefix: 'parley/' (expected: starts with '/'");
        assertThatThrownBy(() -> EtcdDiscovery.builder().leaseTtl(Duration.ofSeconds(3)).keepAliveInterval(Duration.ofSeconds(3)).build())
                .hasMessage("keepAliveInterval: PT3S (expected: < leaseTtl PT3S)");
        assertThatThrownBy(() -> EtcdDiscovery.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("maxBackoff: PT1S (expected: >= initialBackoff PT2S)");
        assertThatThrownBy(() -> unreachable.register(new ServiceInstance("lonely", "svc", Set.of(), Map.of(), Map.of(), true)))
                .hasMessage("instance lonely: contracts [] (expected: at least one contract version to register under)");
    }

    @Test
    void instanceJsonRejectsWrongShapesWithAReason() {
        assertThat(InstanceJson.read(InstanceJson.write(trips("t", TRIPS_V1, TRIPS_V2)))).isEqualTo(trips("t", TRIPS_V1, TRIPS_V2));
        assertThatThrownBy(() -> InstanceJson.read("{\"id\":\"a\",\"service\":\"s\",\"contracts\":[{\"contract\":\"t\",\"major\":\"1\"}],\"ready\":true}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("expected: {\"contract\": string, \"major\": integer}");
        assertThatThrownBy(() -> InstanceJson.read("{\"id\":\"a\",\"service\":\"s\",\"contracts\":[{\"contract\":\"t\",\"major\":1}],\"ready\":\"yes\"}"
                .getBytes(StandardCharsets.UTF_8))).hasMessage("ready: \"yes\" (expected: true or false)");
        assertThatThrownBy(() -> InstanceJson.read("{\"id\":\" \"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("id: \" \" (expected: a non-blank string)");
        assertThatThrownBy(() -> InstanceJson.read("{\"id\":\"a\",\"service\":\"s\",\"contracts\":[{\"contract\":\"t\",\"major\":-1}],\"ready\":true}"
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("major version >= 0");
    }

    private static Properties props(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return p;
    }
}
