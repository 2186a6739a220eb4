package dev.parley.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.Authenticator;
import dev.parley.CallerIdentity;
import dev.parley.ErrorCode;
import dev.parley.ParleyException;
import dev.parley.net.AddressClass;
import dev.parley.net.GuardedHttpClient;
import dev.parley.net.SsrfPolicy;
import dev.parley.testkit.ManualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The subscription management REST API over a real socket, with bearer tokens. */
class AdminApiTest {

    /** Two fixed tokens: one with the admin scope, one without. */
    static final Authenticator TOKENS = headers -> switch (headers.get("authorization").orElse("")) {
        case "Bearer admin-token" -> new CallerIdentity("ops", Set.of("webhooks:admin"), Map.of());
        case "Bearer reader-token" -> new CallerIdentity("reader", Set.of("trips:read"), Map.of());
        default -> throw ParleyException.of(ErrorCode.UNAUTHENTICATED, "unauthenticated");
    };

    @TempDir
    Path dir;

    final ManualClock clock = ManualClock.create();
    final HttpClient http = HttpClient.newHttpClient();
    RecordingReceiver receiver;
    WebhookStore store;
    Webhooks webhooks;
    WebhookAdminServer admin;

    @BeforeEach
    void start() throws Exception {
        receiver = RecordingReceiver.start204();
        store = WebhookStore.h2File(dir.resolve("webhooks"));
        webhooks = Webhooks.builder().store(store).clock(clock)
                .httpClient(GuardedHttpClient.builder().ssrfPolicy(SsrfPolicy.strict().allowing(AddressClass.LOOPBACK)).build())
                .build();
        admin = WebhookAdminServer.builder(webhooks, TOKENS).start();
    }

    @AfterEach
    void stop() {
        admin.close();
        webhooks.close();
        store.close();
        receiver.close();
    }

    HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/webhooks" + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("content-type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void refusesCallersWithoutValidTokenOrScope() throws Exception {
        HttpResponse<String> none = call("GET", "/endpoints", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("www-authenticate")).hasValue("Bearer");
        assertThat(none.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(call("GET", "/endpoints", "forged", null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/endpoints", "reader-token", null).statusCode()).isEqualTo(403);
        assertThat(call("POST", "/endpoints", "reader-token",
                "{\"url\":\"" + receiver.url("/hook") + "\",\"eventTypes\":[\"*\"]}").statusCode()).isEqualTo(403);
        assertThat(webhooks.endpoints()).isEmpty();
    }

    @Test
    void managesEndpointsAndTheirDeliveries() throws Exception {
        HttpResponse<String> created = call("POST", "/endpoints", "admin-token",
                "{\"url\":\"" + receiver.url("/hook") + "\",\"eventTypes\":[\"trips.TripCompleted\"],\"description\":\"ops\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode c = json(created);
        String id = c.at("/endpoint/id").asText();
        WebhookSecret secret = WebhookSecret.parse(c.get("secret").asText());
        assertThat(c.get("secret").asText()).startsWith("whsec_");
        assertThat(c.at("/endpoint/status").asText()).isEqualTo("ACTIVE");

        JsonNode list = json(call("GET", "/endpoints", "admin-token", null));
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("id").asText()).isEqualTo(id);
        assertThat(list.toString()).doesNotContain("whsec_"); // secrets are shown only on create and rotate
        assertThat(json(call("GET", "/endpoints/" + id, "admin-token", null)).get("eventTypes").get(0).asText())
                .isEqualTo("trips.TripCompleted");

        String msg = webhooks.publish("trips.TripCompleted", "{\"tripId\":\"t\"}".getBytes());
        Await.until("delivered", () -> receiver.received().size() == 1);
        RecordingReceiver.Received got = receiver.received().get(0);
        assertThat(WebhookVerifier.builder().secret(secret).clock(clock).build().verify(got.headers(), got.body()).id()).isEqualTo(msg);

        JsonNode log = Await.value("delivery log", () -> {
            try {
                return json(call("GET", "/endpoints/" + id + "/deliveries?status=delivered&limit=10", "admin-token", null));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, n -> n.size() == 1);
        assertThat(log.get(0).get("messageId").asText()).isEqualTo(msg);
        assertThat(log.get(0).at("/attemptLog/0/statusCode").asInt()).isEqualTo(204);
        assertThat(log.get(0).at("/attemptLog/0/outcome").asText()).isEqualTo("SUCCESS");

        assertThat(call("POST", "/endpoints/" + id + "/deliveries/" + msg + "/replay", "admin-token", null).statusCode()).isEqualTo(202);
        Await.until("replayed", () -> receiver.received().size() == 2);
        assertThat(receiver.received().get(1).header("webhook-id")).isEqualTo(msg);
        assertThat(call("POST", "/endpoints/" + id + "/deliveries/msg_unknown/replay", "admin-token", null).statusCode()).isEqualTo(404);

        assertThat(json(call("POST", "/endpoints/" + id + "/pause", "admin-token", null)).get("status").asText()).isEqualTo("PAUSED");
        assertThat(json(call("POST", "/endpoints/" + id + "/resume", "admin-token", null)).get("status").asText()).isEqualTo("ACTIVE");
        assertThat(json(call("POST", "/endpoints/" + id + "/replay-failed", "admin-token", null)).get("replayed").asInt()).isZero();

        JsonNode rotated = json(call("POST", "/endpoints/" + id + "/rotate-secret", "admin-token", null));
        WebhookSecret next = WebhookSecret.parse(rotated.get("secret").asText());
        assertThat(next).isNotEqualTo(secret);
        assertThat(rotated.get("previousSecretValidUntil").asText()).isEqualTo(clock.instant().plus(Duration.ofHours(24)).toString());
        webhooks.publish("trips.TripCompleted", "{\"tripId\":\"u\"}".getBytes());
        Await.until("delivered after rotation", () -> receiver.received().size() == 3);
        assertThat(receiver.received().get(2).header("webhook-signature").split(" ")).hasSize(2);

        assertThat(call("DELETE", "/endpoints/" + id, "admin-token", null).statusCode()).isEqualTo(204);
        assertThat(call("GET", "/endpoints/" + id, "admin-token", null).statusCode()).isEqualTo(404);
        assertThat(call("DELETE", "/endpoints/" + id, "admin-token", null).statusCode()).isEqualTo(404);
    }

    @Test
    void rejectsInvalidRegistrations() throws Exception {
        for (String body : new String[] {
            "{\"url\":\"ftp://example.com/\",\"eventTypes\":[\"*\"]}",
            "{\"url\":\"http://169.254.169.254/latest\",\"eventTypes\":[\"*\"]}",
            "{\"url\":\"http://2130706433/\",\"eventTypes\":[\"*\"]}",
            "{\"url\":\"https://example.com/\",\"eventTypes\":[]}",
            "{\"url\":\"https://example.com/\"}",
            "{\"eventTypes\":[\"*\"]}",
            "not json",
        }) {
            HttpResponse<String> r = call("POST", "/endpoints", "admin-token", body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(json(r).get("detail").asText()).as(body).isNotBlank();
        }
        assertThat(call("PUT", "/endpoints", "admin-token", "{}").statusCode()).isEqualTo(405);
        assertThat(call("GET", "/elsewhere", "admin-token", null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/endpoints/ep_missing/deliveries", "admin-token", null).statusCode()).isEqualTo(404);
        assertThat(webhooks.endpoints()).isEmpty();
    }
}
