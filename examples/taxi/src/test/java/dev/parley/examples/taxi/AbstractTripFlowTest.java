package dev.parley.examples.taxi;

import static dev.parley.examples.taxi.Http.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.CallEvent;
import dev.parley.CallEvent.Side;
import dev.parley.contract.InteractionStyle;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole trip flow, once per broker: a subclass names the broker, this suite starts the
 * complete application on it (every port ephemeral, data in a temporary folder) and checks
 * that each step happened in the intended interaction style over the intended transport.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractTripFlowTest {

    Path data;
    TaxiApplication app;
    String trips;

    /** {@code inprocess}, {@code rabbitmq} or {@code nats}. */
    abstract String broker();

    /** The transport name the broker's runtimes report. */
    abstract String brokerTransport();

    /** Skips (or fails in CI) when the broker is not reachable. */
    void requireBroker() {}

    /** What watches the application's runtimes (the operations console in the embedded flow). */
    RuntimeObserver observer() {
        return RuntimeObserver.NONE;
    }

    /** Settings of the subclass on top of the test defaults. */
    Map<String, Object> settings() {
        return Map.of();
    }

    @BeforeAll
    void start(@TempDir Path dataDir) {
        requireBroker();
        data = dataDir;
        Map<String, Object> s = new HashMap<>(Map.of(
                "taxi.broker", broker(),
                "taxi.dataDir", data.toString(),
                "taxi.trips.port", 0, "taxi.passengers.port", 0, "taxi.partner.port", 0, "taxi.payments.port", 0, "taxi.registry.port", 0,
                "taxi.passengerApp.interval", "PT0S",
                "taxi.plugins.pollInterval", "PT0.2S",
                "taxi.dispatch.offerWindow", "PT2S"));
        // Generous deadlines: a loaded CI machine may take seconds for a first call (class loading, JIT).
        for (String client : List.of("passengers", "pricing", "payments", "events", "trips")) {
            s.put("taxi." + client + ".deadline", "PT20S");
        }
        s.putAll(settings());
        app = TaxiApplication.start(TaxiConfig.defaults(s), line -> System.out.println(java.time.LocalTime.now() + " " + line), observer());
        trips = app.tripsUrl().orElseThrow();
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void theWholeTripFlowUsesTheIntendedStyleAndTransportForEveryStep() {
        // 1. The passenger app's one-way pickup requests: accepted without a reply; the banned passenger gets no trip.
        app.startPassengerApp();
        await("the banned passenger's refusal", () -> app.lines().stream().anyMatch(l -> l.contains("banned-bob may not ride")));

        // 2. A trip created over REST: 201 with Location, priced by the plugin.
        HttpResponse<String> created = Http.post(trips + "/v1/trips", Http.pickup("passenger-grace"));
        assertThat(created.statusCode()).isEqualTo(201);
        String location = created.headers().firstValue("location").orElseThrow();
        JsonNode trip = Http.json(created);
        String id = trip.get("id").asText();
        assertThat(location).isEqualTo("/v1/trips/" + id);
        assertThat(trip.get("fareSource").asText()).startsWith("pricing plugin");
        assertThat(trip.get("fareCents").asLong()).isPositive();

        // 3. The dispatcher's proposal and the payment's asynchronous answer reach the trip.
        await("driver-42 proposed and payment approved for " + id, () -> {
            JsonNode t = Http.json(Http.get(trips + location));
            return t.get("driverId").asText().equals("driver-42") && t.get("payment").asText().equals("APPROVED");
        });
        JsonNode fetched = Http.json(Http.get(trips + location));
        assertThat(fetched.get("status").asText()).isEqualTo("DRIVER_PROPOSED");

        // 4. The partner got both events by webhook, signatures verified.
        await("the partner's webhooks for " + id, () -> app.partner().orElseThrow().received().stream()
                .filter(e -> e.data().path("tripId").asText().equals(id)).count() >= 2);
        assertThat(app.partner().orElseThrow().received()).filteredOn(e -> e.data().path("tripId").asText().equals(id))
                .extracting(e -> e.type()).contains("trip-events.TripCreated", "trip-events.DriverProposed");

        // 5. Following the cancel link.
        JsonNode cancel = fetched.get("_links").get("cancel");
        assertThat(cancel.get("method").asText()).isEqualTo("DELETE");
        assertThat(Http.delete(trips + cancel.get("href").asText()).statusCode()).isEqualTo(204);
        assertThat(Http.json(Http.get(trips + location)).get("status").asText()).isEqualTo("CANCELLED");

        // Every step, in its style, over its transport.
        String b = brokerTransport();
        await("the notifier's DriverProposed", () -> has("notification", Side.SERVER, "trip-events/v1", "DriverProposed"));
        assertStep("passenger-app", Side.CLIENT, "trips/v1", "requestPickup", InteractionStyle.ONE_WAY, "http");
        assertStep("trip-management", Side.SERVER, "trips/v1", "requestPickup", InteractionStyle.ONE_WAY, "http");
        assertStep("trip-management", Side.SERVER, "trips/v1", "create", InteractionStyle.REQUEST_RESPONSE, "http");
        assertStep("trip-management", Side.CLIENT, "passengers/v1", "verify", InteractionStyle.REQUEST_RESPONSE, "http");
        assertStep("passengers", Side.SERVER, "passengers/v1", "verify", InteractionStyle.REQUEST_RESPONSE, "http");
        assertStep("trip-management", Side.CLIENT, "pricing/v1", "quote", InteractionStyle.REQUEST_RESPONSE, "plugin");
        assertStep("trip-management", Side.CLIENT, "payments/v1", "authorize", InteractionStyle.REQUEST_ASYNC_RESPONSE, "rpc");
        assertStep("payments", Side.SERVER, "payments/v1", "authorize", InteractionStyle.REQUEST_ASYNC_RESPONSE, "rpc");
        assertStep("trip-management", Side.CLIENT, "trip-events/v1", "TripCreated", InteractionStyle.PUBLISH_SUBSCRIBE, b);
        assertStep("dispatcher", Side.SERVER, "trip-events/v1", "TripCreated", InteractionStyle.PUBLISH_SUBSCRIBE, b);
        assertStep("dispatcher", Side.CLIENT, "drivers/v1", "offer", InteractionStyle.PUBLISH_ASYNC_RESPONSES, b);
        assertStep("driver", Side.SERVER, "drivers/v1", "offer", InteractionStyle.PUBLISH_ASYNC_RESPONSES, b);
        assertStep("dispatcher", Side.CLIENT, "trip-events/v1", "DriverProposed", InteractionStyle.PUBLISH_SUBSCRIBE, b);
        assertStep("trip-management", Side.SERVER, "trip-events/v1", "DriverProposed", InteractionStyle.PUBLISH_SUBSCRIBE, b);
        assertStep("trip-management", Side.SERVER, "trips/v1", "cancel", InteractionStyle.REQUEST_RESPONSE, "http");
        // HTTP and RPC clients found their targets through discovery: the breaker and target are the discovery channel's.
        assertThat(app.calls().calls()).filteredOn(c -> c.event().side() == Side.CLIENT
                        && List.of("trips/v1", "passengers/v1", "payments/v1").contains(c.event().contract()))
                .isNotEmpty().allSatisfy(c -> assertThat(c.event().target()).startsWith("discovery:" + c.transport() + ":"));
        // On the happy path nothing needed a fallback.
        assertThat(app.calls().calls()).filteredOn(c -> c.event().contract().equals("trips/v1") || c.event().operation().equals("quote"))
                .noneMatch(c -> c.event().fallbackUsed());
    }

    private boolean has(String service, Side side, String contract, String operation) {
        return app.calls().calls().stream().anyMatch(c -> c.service().equals(service) && c.event().side() == side
                && c.event().contract().equals(contract) && c.event().operation().equals(operation));
    }

    private void assertStep(String service, Side side, String contract, String operation, InteractionStyle style, String transport) {
        List<CallLog.Call> matching = app.calls().calls().stream().filter(c -> c.service().equals(service) && c.event().side() == side
                && c.event().contract().equals(contract) && c.event().operation().equals(operation)).toList();
        assertThat(matching).as("%s %s %s %s", service, side, contract, operation).isNotEmpty();
        assertThat(matching).as("%s %s %s %s", service, side, contract, operation).allSatisfy(c -> {
            CallEvent e = c.event();
            assertThat(e.style()).isEqualTo(style);
            assertThat(c.transport()).isEqualTo(transport);
        });
        assertThat(matching).as("a successful %s %s", contract, operation).anyMatch(c -> c.event().succeeded());
    }
}
