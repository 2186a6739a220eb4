package dev.parley.examples.taxi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.examples.taxi.TaxiConfig.Broker;
import dev.parley.examples.taxi.TaxiConfig.DriverSpec;
import dev.parley.examples.taxi.TaxiConfig.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The showcase's settings: embedded defaults, overrides, and a clear error for each bad value. */
class TaxiConfigTest {

    @Test
    void theEmbeddedDefaultsRunEverythingOnTheInProcessBroker() {
        TaxiConfig config = TaxiConfig.defaults(Map.of());
        assertThat(config.role()).isEqualTo(Role.ALL);
        assertThat(config.broker()).isEqualTo(Broker.INPROCESS);
        assertThat(config.port("trips")).isEqualTo(8080);
        assertThat(config.port("payments")).isEqualTo(9090);
        assertThat(config.pluginsDir()).isEqualTo(Path.of("target/taxi-data/plugins"));
        assertThat(config.drivers()).containsExactly(new DriverSpec("driver-17", 240, true), new DriverSpec("driver-42", 90, true),
                new DriverSpec("driver-7", 0, false));
        assertThat(config.deadline("passengers")).isEqualTo(Duration.ofMillis(800));
        assertThat(config.discovery()).isEqualTo(TaxiConfig.Discovery.EMBEDDED);
        assertThat(config.port("registry")).isEqualTo(8500);
    }

    @Test
    void overridesSelectTheBrokerAndTheRole() {
        TaxiConfig config = TaxiConfig.defaults(Map.of("taxi.broker", "NATS", "taxi.role", "trip-management", "taxi.trips.port", "0",
                "taxi.discovery", "etcd", "taxi.etcd.endpoints", "http://10.0.0.1:2379, http://10.0.0.2:2379"));
        assertThat(config.discovery()).isEqualTo(TaxiConfig.Discovery.ETCD);
        assertThat(config.etcdEndpoints()).containsExactly("http://10.0.0.1:2379", "http://10.0.0.2:2379");
        assertThat(config.broker()).isEqualTo(Broker.NATS);
        assertThat(config.role()).isEqualTo(Role.TRIP_MANAGEMENT);
        assertThat(config.port("trips")).isZero();
    }

    @Test
    void badValuesAreRefusedNamingTheKeyTheValueAndWhatWasExpected() {
        assertThatThrownBy(() -> TaxiConfig.defaults(Map.of("taxi.broker", "activemq")))
                .hasMessage("taxi.broker: 'activemq' (expected: inprocess, rabbitmq, kafka or nats) in overrides");
        assertThatThrownBy(() -> TaxiConfig.defaults(Map.of("taxi.trips.port", "80800")))
                .hasMessageContaining("taxi.trips.port: '80800' (expected: a port in 0..65535");
        assertThatThrownBy(() -> TaxiConfig.defaults(Map.of("taxi.trips.port", "eighty")))
                .hasMessageContaining("taxi.trips.port: 'eighty'");
        assertThatThrownBy(() -> TaxiConfig.defaults(Map.of("taxi.dispatch.offerWindow", "PT-1S")))
                .hasMessageContaining("taxi.dispatch.offerWindow: 'PT-1S' (expected: a duration > 0)");
        assertThatThrownBy(() -> TaxiConfig.defaults(Map.of("taxi.passengers.deadline", "soon")))
                .hasMessageContaining("taxi.passengers.deadline: 'soon' (expected: an ISO-8601 duration");
        assertThatThrownBy(() -> TaxiConfig.defaults(Map.of("taxi.drivers", "driver-1:fast")))
                .hasMessageContaining("taxi.drivers: 'driver-1:fast' (expected: an ETA in seconds");
        assertThatThrownBy(() -> TaxiConfig.defaults(Map.of("taxi.drivers", "")))
                .hasMessageContaining("taxi.drivers: ''");
        assertThatThrownBy(() -> TaxiConfig.defaults(Map.of("taxi.role", "everything")))
                .hasMessageContaining("taxi.role: 'everything' (expected: one of all, registry, passengers");
        assertThatThrownBy(() -> TaxiConfig.defaults(Map.of("taxi.discovery", "consul")))
                .hasMessageContaining("taxi.discovery: 'consul' (expected: embedded or etcd)");
        assertThatThrownBy(() -> TaxiConfig.defaults(Map.of("taxi.etcd.endpoints", "etcd:2379")))
                .hasMessageContaining("taxi.etcd.endpoints: 'etcd:2379' (expected: comma-separated http(s)://host:port URLs)");
        assertThatThrownBy(() -> TaxiConfig.defaults(Map.of("taxi.host", "evil host; rm -rf")))
                .hasMessageContaining("taxi.host: 'evil host; rm -rf' (expected: a host name or IP address)");
        assertThatThrownBy(() -> TaxiConfig.defaults(Map.of("taxi.brokers", "nats")))
                .hasMessageStartingWith("unknown setting taxi.brokers=nats (expected one of: [");
    }

    @Test
    void aServiceOfItsOwnProcessRefusesTheInProcessBroker(@TempDir Path data) {
        TaxiConfig config = TaxiConfig.defaults(Map.of("taxi.role", "dispatcher", "taxi.dataDir", data.toString()));
        assertThatThrownBy(() -> TaxiApplication.start(config, line -> { }))
                .hasMessageContaining("taxi.broker: 'inprocess' (expected: rabbitmq, kafka or nats when the services run as separate processes");
    }
}
