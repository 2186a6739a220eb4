package dev.parley.examples.taxi;

import static dev.parley.examples.taxi.Http.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.messaging.Brokers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services started one role at a time, as the separate processes of the README are: each
 * with its own configuration, transports, broker connection and registry client, sharing only
 * the data folder (service-token key, partner secret), the configured ports and the registry
 * (Parley's embedded one, or a real etcd). Here they share a JVM to keep the test fast;
 * nothing else is shared between them.
 */
class SeparateProcessesTest {

    private final List<TaxiApplication> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        Collections.reverse(processes);
        processes.forEach(TaxiApplication::close);
        if (etcdServer != null) {
            etcdServer.close();
        }
    }

    @Test
    void eachServiceAsItsOwnProcessWithTheEmbeddedRegistryAndRabbitMq(@TempDir Path data) {
        Brokers.require("RabbitMQ", "127.0.0.1", 5672);
        run(data, "rabbitmq", Map.of(), List.of("registry"));
    }

    @Test
    void eachServiceAsItsOwnProcessWithEtcdAndNats(@TempDir Path data) {
        Brokers.require("NATS", "127.0.0.1", 4222);
        EtcdServer etcd = EtcdServer.start(data);
        etcdServer = etcd;
        run(data, "nats", Map.of("taxi.discovery", "etcd", "taxi.etcd.endpoints", etcd.endpoint()), List.of());
    }

    private EtcdServer etcdServer;

    private void run(Path data, String broker, Map<String, Object> discovery, List<String> first) {
        Map<String, Object> settings = new HashMap<>(Map.of(
                "taxi.broker", broker,
                "taxi.dataDir", data.toString(),
                "taxi.trips.port", freePort(), "taxi.passengers.port", freePort(), "taxi.partner.port", freePort(),
                "taxi.payments.port", freePort(), "taxi.registry.port", freePort(),
                "taxi.passengerApp.interval", "PT0S",
                "taxi.dispatch.offerWindow", "PT2S"));
        for (String client : List.of("passengers", "pricing", "payments", "events", "trips")) {
            settings.put("taxi." + client + ".deadline", "PT20S");
        }
        settings.putAll(discovery);
        TaxiConfig base = TaxiConfig.defaults(settings);
        // The order of the README: servers first, then who calls them.
        List<String> roles = new ArrayList<>(first);
        roles.addAll(List.of("passengers", "payments", "notification", "partner", "drivers", "dispatcher", "trip-management"));
        Map<String, TaxiApplication> started = new HashMap<>();
        for (String role : roles) {
            TaxiApplication p = TaxiApplication.start(base.with("taxi.role", role),
                    line -> System.out.println(java.time.LocalTime.now() + " " + role + " | " + line));
            processes.add(p);
            started.put(role, p);
        }
        TaxiApplication tripManagement = started.get("trip-management");
        TaxiApplication partner = started.get("partner");
        String trips = tripManagement.tripsUrl().orElseThrow();

        HttpResponse<String> created = Http.post(trips + "/v1/trips", Http.pickup("passenger-noor"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = Http.json(created).get("id").asText();
        await("driver-42 for " + id, () -> {
            JsonNode t = Http.json(Http.get(trips + "/v1/trips/" + id));
            return t.get("driverId").asText().equals("driver-42") && t.get("payment").asText().equals("APPROVED");
        });
        await("the partner process's webhooks for " + id, () -> partner.partner().orElseThrow().received().stream()
                .filter(e -> e.data().path("tripId").asText().equals(id)).count() >= 2);
        // The demo controls exist only in the all-in-one application.
        assertThat(Http.get(trips + "/v1/demo/status").statusCode()).isEqualTo(404);
        // Each process saw only its own part of the flow.
        assertThat(started.get("passengers").calls().calls()).isNotEmpty().allMatch(c -> c.service().equals("passengers"));
        assertThat(started.get("drivers").calls().calls()).isNotEmpty()
                .allMatch(c -> c.service().equals("driver") && c.transport().equals(broker));
        // Trip Management found Passengers and Payments through the registry.
        assertThat(tripManagement.calls().calls()).filteredOn(c -> List.of("passengers/v1", "payments/v1").contains(c.event().contract()))
                .isNotEmpty().allMatch(c -> c.event().target().startsWith("discovery:"));

        // Passengers and Payments stop: their instances leave the registry, and the fallbacks answer.
        started.get("passengers").close();
        started.get("payments").close();
        HttpResponse<String> degraded = Http.post(trips + "/v1/trips", Http.pickup("passenger-ida"));
        assertThat(degraded.statusCode()).as(degraded.body()).isEqualTo(201);
        String second = Http.json(degraded).get("id").asText();
        await("the payment of " + second + " deferred", () -> Http.json(Http.get(trips + "/v1/trips/" + second)).get("payment").asText()
                .equals("DEFERRED"));
        assertThat(tripManagement.lines()).anyMatch(l -> l.contains("created " + second + " for passenger-ida (UNVERIFIED)"));
        assertThat(tripManagement.calls().calls()).filteredOn(c -> c.event().fallbackUsed())
                .extracting(c -> c.event().contract()).contains("passengers/v1", "payments/v1");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
