package dev.parley.examples.taxi;

import static dev.parley.examples.taxi.Http.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The trip flow on the embedded defaults (the in-process broker), watched by the showcase's
 * operations console. The other checks of the showcase are in {@link ShowcaseBehaviourTest};
 * the console page itself is tested in a real browser in parley-console.
 */
class EmbeddedTripFlowTest extends AbstractTripFlowTest {

    private final OperationsView console = OperationsView.create("127.0.0.1", 0);

    @Override
    String broker() {
        return "inprocess";
    }

    @Override
    String brokerTransport() {
        return "in-process";
    }

    @Override
    RuntimeObserver observer() {
        return console;
    }

    @AfterAll
    void closeConsole() {
        console.close();
    }

    @Test
    void theConsoleShowsTheServicesTheRegistryThePluginAndTheWebhookDeliveries() {
        URI uri = console.start(app);
        String trips = app.tripsUrl().orElseThrow();
        assertThat(Http.post(trips + "/v1/trips", Http.pickup("passenger-ada")).statusCode()).isEqualTo(201);

        List<JsonNode> last = new ArrayList<>();
        await("the console to show a delivered webhook", Duration.ofSeconds(60), () -> {
            JsonNode snapshot = Http.json(Http.get(uri.resolve("/api/snapshot").toString()));
            last.clear();
            last.add(snapshot);
            return section(snapshot, "Webhook deliveries")
                    .map(s -> s.get("rows").size() > 0 && s.get("rows").get(0).get(2).asInt() >= 1)
                    .orElse(false);
        });
        JsonNode snapshot = last.get(0);
        List<String> services = StreamSupport.stream(snapshot.get("services").spliterator(), false)
                .map(s -> s.get("service").asText()).toList();
        assertThat(services).contains("trip-management", "passengers", "payments", "dispatcher", "notification");
        assertThat(StreamSupport.stream(snapshot.get("interactions").spliterator(), false)
                .map(i -> i.get("contract").asText() + "." + i.get("operation").asText()))
                .contains("passengers/v1.verify", "payments/v1.authorize");
        JsonNode registry = section(snapshot, "Discovery: embedded registry").orElseThrow();
        assertThat(registry.get("rows").size()).isGreaterThanOrEqualTo(3);
        assertThat(registry.toString()).contains("trip-management").contains("passengers/v1").contains("payments/v1");
        JsonNode plugin = section(snapshot, "Pricing plugin").orElseThrow();
        assertThat(plugin.get("rows").get(0).get(1).asText()).startsWith("1");
        assertThat(section(snapshot, "Dead letters (in-process)")).isPresent();
        JsonNode depths = section(snapshot, "Queue depths (in-process)").orElseThrow();
        assertThat(depths.get("rows")).extracting(r -> r.get(1).asText()).containsExactly("trip-management", "dispatcher", "notification");
    }

    private static Optional<JsonNode> section(JsonNode snapshot, String title) {
        return StreamSupport.stream(snapshot.get("sections").spliterator(), false)
                .filter(s -> s.get("title").asText().equals(title)).findFirst();
    }
}
