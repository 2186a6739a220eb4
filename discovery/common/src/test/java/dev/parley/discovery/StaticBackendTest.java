package dev.parley.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticBackendTest {

    private static final String P = "parley.discovery.static.";

    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void readsInstancesFromPropertiesNamedLikeTheBuilder() {
        StaticBackend backend = StaticBackend.fromProperties(props(
                P + "instance.trips-1.service", "trip-management",
                P + "instance.trips-1.contracts", "trips/v1, trips/v2",
                P + "instance.trips-1.addresses", "http=http://10.0.0.7:8080,rpc=10.0.0.7:7000",
                P + "instance.trips-1.metadata", "zone=eu-west-1a,weight=2",
                P + "instance.trips-2.service", "trip-management",
                P + "instance.trips-2.contracts", "trips/v1",
                P + "instance.trips-2.addresses", "http=http://10.0.0.8:8080",
                P + "instance.trips-2.ready", "false",
                "other.key", "ignored"), P).build();

        ServiceInstance first = new ServiceInstance("trips-1", "trip-management",
                Set.of(new ContractVersion("trips", 1), new ContractVersion("trips", 2)),
                Map.of("http", "http://10.0.0.7:8080", "rpc", "10.0.0.7:7000"), Map.of("zone", "eu-west-1a", "weight", "2"), true);
        assertThat(backend.instances()).hasSize(2).contains(first);
        assertThat(backend.instances().get(1).ready()).isFalse();
        assertThat(StaticBackend.builder().instance("trips-1", "trip-management", "trips/v1,trips/v2", "http=http://10.0.0.7:8080,rpc=10.0.0.7:7000")
                .build().instances().get(0).addresses()).isEqualTo(first.addresses());
    }

    @Test
    void readsAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("discovery.properties");
        Files.writeString(file, "s.instance.a.service=trips\ns.instance.a.contracts=trips/v1\ns.instance.a.addresses=http=http://h:1\n");
        assertThat(StaticBackend.fromFile(file, "s.").build().instances()).extracting(ServiceInstance::id).containsExactly("a");
        assertThatThrownBy(() -> StaticBackend.fromFile(dir.resolve("missing.properties"), "s."))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.properties").hasMessageContaining("cannot be read");
    }

    @Test
    void rejectsBadConfigurationNamingTheKey() {
        assertThatThrownBy(() -> StaticBackend.fromProperties(props(P + "instances", "a,b"), P))
                .hasMessageStartingWith(P + "instances: unknown StaticBackend setting");
        assertThatThrownBy(() -> StaticBackend.fromProperties(props(P + "instance.a.service", "trips", P + "instance.a.contracts", "trips/v1"), P))
                .hasMessage(P + "instance.a.addresses: missing (expected: service, contracts and addresses for every instance)");
        assertThatThrownBy(() -> StaticBackend.fromProperties(props(P + "instance.a.service", "trips", P + "instance.a.contracts", "trips-1",
                P + "instance.a.addresses", "http=http://h:1"), P))
                .hasMessageContaining(P + "instance.a.contracts: 'trips-1' (expected: name/v<major>");
        assertThatThrownBy(() -> StaticBackend.fromProperties(props(P + "instance.a.service", "trips", P + "instance.a.contracts", "trips/v1",
                P + "instance.a.addresses", "http"), P))
                .hasMessageContaining(P + "instance.a.addresses: 'http' (expected: transport=address");
        assertThatThrownBy(() -> StaticBackend.fromProperties(props(P + "instance.a.service", "trips", P + "instance.a.contracts", "trips/v1",
                P + "instance.a.addresses", "http=http://h:1", P + "instance.a.ready", "yes"), P))
                .hasMessage(P + "instance.a.ready: 'yes' (expected: true or false)");
        assertThatThrownBy(() -> StaticBackend.fromProperties(props(P + "instance.a.service", "trips", P + "instance.a.contracts", "trips/v1",
                P + "instance.a.addresses", "http=http://h:1", P + "instance.a.metadata", "weight=0"), P))
                .hasMessageContaining("weight '0' (expected: an integer 1..9999)");
        assertThatThrownBy(() -> StaticBackend.builder().instance("a", "s", "trips/v1", "http=x").instance("a", "s", "trips/v1", "http=y").build())
                .hasMessageContaining("instance id 'a' appears twice");
    }

    @Test
    void watchesGetTheInstancesOfTheirVersionAndEveryReplacement() {
        StaticBackend backend = StaticBackend.builder()
                .instance("a", "trips", "trips/v1", "http=http://h:1")
                .instance("b", "trips", "trips/v2", "http=http://h:2")
                .build();
        List<List<String>> seen = new ArrayList<>();
        DiscoveryBackend.Watch watch = backend.watch(new ContractVersion("trips", 1),
                list -> seen.add(list.stream().map(ServiceInstance::id).toList()));
        backend.replace(List.of(backend.instances().get(1)));
        watch.close();
        backend.replace(List.of());

        assertThat(seen).containsExactly(List.of("a"), List.of());
        ServiceInstance c = new ServiceInstance("c", "trips", Set.of(new ContractVersion("trips", 1)), Map.of("http", "http://h:3"), Map.of(), true);
        assertThatThrownBy(() -> backend.register(c))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageStartingWith("register(c): a StaticBackend's instances are configured");
    }
}
