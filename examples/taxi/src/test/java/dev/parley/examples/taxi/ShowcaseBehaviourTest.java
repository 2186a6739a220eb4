package dev.parley.examples.taxi;

import static dev.parley.examples.taxi.Http.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.parley.CallEvent.Side;
import dev.parley.jwt.TokenIssuer;
import dev.parley.webhooks.WebhookSecret;
import dev.parley.webhooks.WebhookSignature;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The showcase's other promises, on the embedded defaults: bad input to the trips API gets a
 * clear error, the Passenger service only answers valid service tokens with the right scope,
 * the partner refuses badly signed webhooks, a drivers outage opens the dispatch breaker and
 * the fallback answers, and version 2 of the pricing plugin changes fares without a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShowcaseBehaviourTest {

    private Path data;
    private TaxiApplication app;
    private String trips;

    @BeforeAll
    void start(@TempDir Path dataDir) {
        data = dataDir;
        Map<String, Object> s = new HashMap<>(Map.of(
                "taxi.dataDir", data.toString(),
                "taxi.trips.port", 0, "taxi.passengers.port", 0, "taxi.partner.port", 0, "taxi.payments.port", 0, "taxi.registry.port", 0,
                "taxi.passengerApp.interval", "PT0S",
                "taxi.plugins.pollInterval", "PT0.2S",
                "taxi.dispatch.offerWindow", "PT2S",
                "taxi.dispatch.breakerWait", "PT10S"));
        for (String client : List.of("passengers", "pricing", "payments", "events", "trips")) {
            s.put("taxi." + client + ".deadline", "PT20S");
        }
        app = TaxiApplication.start(TaxiConfig.defaults(s), line -> System.out.println(java.time.LocalTime.now() + " " + line));
        trips = app.tripsUrl().orElseThrow();
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void badInputToTheTripsApiGetsAClearErrorAndCreatesNothing() throws Exception {
        int before = tripsCreated();
        HttpResponse<String> malformed = Http.post(trips + "/v1/trips", "{\"passengerId\": \"ada\", \"pickup\": {");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.headers().firstValue("content-type")).hasValue("application/problem+json");

        HttpResponse<String> offTheMap = Http.post(trips + "/v1/trips",
                "{\"passengerId\":\"ada\",\"pickup\":{\"lat\":91,\"lon\":13.4},\"destination\":{\"lat\":52.5,\"lon\":13.3}}");
        assertThat(offTheMap.statusCode()).isEqualTo(400);
        assertThat(Http.json(offTheMap).get("detail").asText()).contains("pickup").contains("lat").contains("-90..90");

        HttpResponse<String> noDestination = Http.post(trips + "/v1/trips", "{\"passengerId\":\"ada\",\"pickup\":{\"lat\":52,\"lon\":13}}");
        assertThat(noDestination.statusCode()).isEqualTo(400);
        assertThat(Http.json(noDestination).get("detail").asText()).contains("destination");

        HttpResponse<String> hostileId = Http.post(trips + "/v1/trips", Http.pickup("../../etc/passwd"));
        assertThat(hostileId.statusCode()).isEqualTo(400);
        assertThat(Http.json(hostileId).get("detail").asText()).contains("passengerId").contains("expected");

        // Oversized: refused from the declared length, before the body is read (a raw socket, since
        // an HTTP client may see the connection closed while it is still sending the body).
        assertThat(rawStatusLine("POST /v1/trips HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                + "content-length: " + (64 * 1024 * 1024) + "\r\n\r\n{\"passengerId\":\"")).startsWith("HTTP/1.1 413");

        HttpResponse<String> banned = Http.post(trips + "/v1/trips", Http.pickup("banned-bob"));
        assertThat(banned.statusCode()).isEqualTo(403);
        assertThat(Http.json(banned).get("detail").asText()).contains("banned-bob may not ride");

        assertThat(Http.get(trips + "/v1/trips/trip-unknown").statusCode()).isEqualTo(404);
        assertThat(Http.delete(trips + "/v1/trips/trip-unknown").statusCode()).isEqualTo(404);
        // A one-way request is accepted (202) before it is read; a malformed one is refused by the
        // service, which nobody can tell, so it shows up as a failed call in the log.
        assertThat(Http.post(trips + "/v1/pickups", "{\"passengerId\": \"ada\", \"pickup\": {").statusCode()).isEqualTo(202);
        assertThat(Http.post(trips + "/v1/pickups", Http.pickup("../../etc/passwd")).statusCode()).isEqualTo(202);
        await("both refused pickups in the call log", () -> app.calls().calls().stream().filter(c -> c.event().side() == Side.SERVER
                && c.event().operation().equals("requestPickup") && c.event().error().isPresent()).count() >= 1);
        await("the refused pickup's line", () -> app.lines().stream().anyMatch(l -> l.contains("pickup for ../../etc/passwd refused: "
                + "INVALID_ARGUMENT passengerId")));
        assertThat(tripsCreated()).isEqualTo(before);

        // Out of order: cancelling twice is harmless, and the trip stays cancelled.
        String id = Http.json(Http.post(trips + "/v1/trips", Http.pickup("passenger-lin"))).get("id").asText();
        assertThat(Http.delete(trips + "/v1/trips/" + id).statusCode()).isEqualTo(204);
        assertThat(Http.delete(trips + "/v1/trips/" + id).statusCode()).isEqualTo(204);
        assertThat(Http.json(Http.get(trips + "/v1/trips/" + id)).get("status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void thePassengerServiceAnswersOnlyServiceTokensWithItsScope() {
        String url = app.passengersUrl() + "/v1/passengers/passenger-ada/status";
        assertThat(Http.get(url).statusCode()).isEqualTo(401);

        ECKey key = ServiceKeys.loadOrCreate(data.resolve("service-token-key.jwk"));
        TokenIssuer issuer = ServiceKeys.issuer(app.config().tokenIssuer(), key);
        String wrongScope = issuer.issue("intruder", ServiceKeys.AUDIENCE, Set.of("passengers:read"), Duration.ofMinutes(1));
        assertThat(Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).GET(),
                Map.of("authorization", "Bearer " + wrongScope)).statusCode()).isEqualTo(403);

        TokenIssuer stranger = TokenIssuer.generate(app.config().tokenIssuer(), dev.parley.jwt.SigningAlgorithm.ES256);
        String forged = stranger.issue("trip-management", ServiceKeys.AUDIENCE, Set.of(ServiceKeys.SCOPE), Duration.ofMinutes(1));
        assertThat(Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).GET(),
                Map.of("authorization", "Bearer " + forged)).statusCode()).isEqualTo(401);

        String good = issuer.issue("trip-management", ServiceKeys.AUDIENCE, Set.of(ServiceKeys.SCOPE), Duration.ofMinutes(1));
        HttpResponse<String> ok = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).GET(),
                Map.of("authorization", "Bearer " + good));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(Http.json(ok).get("inGoodStanding").asBoolean()).isTrue();
    }

    @Test
    void thePartnerRefusesWebhooksThatAreNotSignedWithItsSecret() throws Exception {
        PartnerReceiver partner = app.partner().orElseThrow();
        byte[] body = "{\"type\":\"trip-events.DriverProposed\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"data\":{\"tripId\":\"trip-forged\"}}"
                .getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();
        String text = new String(body, StandardCharsets.UTF_8);

        WebhookSecret wrong = WebhookSecret.generate();
        HttpResponse<String> forged = Http.post(partner.url(), text, Map.of("content-type", "application/json",
                "webhook-id", "msg_forged", "webhook-timestamp", Long.toString(now),
                "webhook-signature", WebhookSignature.sign(wrong, "msg_forged", now, body)));
        assertThat(forged.statusCode()).isEqualTo(401);

        assertThat(Http.post(partner.url(), text, Map.of("content-type", "application/json")).statusCode()).isEqualTo(400);

        WebhookSecret right = NotificationService.readSecret(data, Duration.ofSeconds(1));
        long stale = now - 3600;
        HttpResponse<String> replayedLater = Http.post(partner.url(), text, Map.of("content-type", "application/json",
                "webhook-id", "msg_old", "webhook-timestamp", Long.toString(stale),
                "webhook-signature", WebhookSignature.sign(right, "msg_old", stale, body)));
        assertThat(replayedLater.statusCode()).isEqualTo(401);

        HttpResponse<String> tampered = Http.post(partner.url(), text.replace("trip-forged", "trip-tampered"), Map.of(
                "content-type", "application/json", "webhook-id", "msg_t", "webhook-timestamp", Long.toString(now),
                "webhook-signature", WebhookSignature.sign(right, "msg_t", now, body)));
        assertThat(tampered.statusCode()).isEqualTo(401);
        // Real deliveries of other tests' trips may arrive meanwhile: look for the refused ones by id and content.
        assertThat(partner.received())
                .noneMatch(e -> java.util.Set.of("msg_forged", "msg_old", "msg_t").contains(e.id()))
                .noneMatch(e -> e.data().path("tripId").asText().startsWith("trip-" + "forged"))
                .noneMatch(e -> e.data().path("tripId").asText().equals("trip-tampered"));

        // The same request signed with the partner's secret is accepted: the refusals were about the signature.
        HttpResponse<String> signed = Http.post(partner.url(), text, Map.of("content-type", "application/json",
                "webhook-id", "msg_good", "webhook-timestamp", Long.toString(now),
                "webhook-signature", WebhookSignature.sign(right, "msg_good", now, body)));
        assertThat(signed.statusCode()).isEqualTo(204);
        assertThat(partner.received()).anyMatch(e -> e.data().path("tripId").asText().equals("trip-forged"));
    }

    @Test
    void aDriversOutageOpensTheDispatchBreakerAndTheStandbyFleetAnswers() {
        HttpResponse<String> stopped = Http.post(trips + "/v1/demo/drivers/stop", "{}");
        assertThat(stopped.statusCode()).isEqualTo(200);
        assertThat(Http.json(stopped).get("driversOnline").asBoolean()).isFalse();

        // Without drivers every gather comes back empty; the fallback proposes the standby fleet.
        for (int i = 0; i < 2; i++) {
            String id = create("passenger-outage-" + i);
            awaitDriver(id, Services.Dispatcher.STANDBY);
        }
        assertThat(Http.json(Http.get(trips + "/v1/demo/status")).get("dispatchBreaker").asText()).isEqualTo("OPEN");

        // While open, no offer request goes out at all: the fallback answers at once.
        long gathersBefore = gathers();
        String whileOpen = create("passenger-outage-open");
        awaitDriver(whileOpen, Services.Dispatcher.STANDBY);
        assertThat(gathers()).isEqualTo(gathersBefore);
        assertThat(app.lines()).anyMatch(l -> l.contains(whileOpen) && l.contains("breaker gather:drivers/v1 is open"));

        // The drivers come back; after the wait in open (10 s) a probe succeeds and the breaker closes.
        assertThat(Http.json(Http.post(trips + "/v1/demo/drivers/start", "{}")).get("driversOnline").asBoolean()).isTrue();
        await("the dispatch breaker to close again", Duration.ofSeconds(90), () -> {
            String id = create("passenger-back");
            awaitDriverOtherThan(id, "");
            if (Http.json(Http.get(trips + "/v1/trips/" + id)).get("driverId").asText().equals("driver-42")) {
                return true;
            }
            pause(Duration.ofMillis(500)); // still open: the next trip a little later
            return false;
        });
        assertThat(app.dispatcher().orElseThrow().breaker().getState().name()).isEqualTo("CLOSED");
    }

    @Test
    void droppingVersion2OfThePricingPluginChangesFaresWithoutARestart() {
        JsonNode before = Http.json(Http.post(trips + "/v1/trips", Http.pickup("passenger-fare")));
        assertThat(before.get("fareSource").asText()).startsWith("pricing plugin 1.0.0");

        PricingPlugins.publish(PricingPlugins.Release.V2, app.config().pluginsDir());
        await("version 2 to be active", () -> app.pricingPlugins().orElseThrow().currentVersion()
                .map(v -> v.text().equals("2.0.0")).orElse(false));

        JsonNode after = Http.json(Http.post(trips + "/v1/trips", Http.pickup("passenger-fare")));
        assertThat(after.get("fareSource").asText()).startsWith("pricing plugin 2.0.0");
        assertThat(after.get("fareCents").asLong()).isGreaterThan(before.get("fareCents").asLong());
        assertThat(app.lines()).contains("pricing: plugin 2.0.0 active (was 1.0.0)");
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private String rawStatusLine(String request) throws java.io.IOException {
        java.net.URI uri = java.net.URI.create(trips);
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
        }
    }

    private String create(String passenger) {
        HttpResponse<String> r = Http.post(trips + "/v1/trips", Http.pickup(passenger));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return Http.json(r).get("id").asText();
    }

    private void awaitDriver(String id, String driver) {
        await(driver + " proposed for " + id, () -> Http.json(Http.get(trips + "/v1/trips/" + id)).get("driverId").asText().equals(driver));
    }

    private void awaitDriverOtherThan(String id, String driver) {
        await("a driver proposed for " + id, () -> !Http.json(Http.get(trips + "/v1/trips/" + id)).get("driverId").asText().equals(driver));
    }

    private long gathers() {
        return app.calls().calls().stream().filter(c -> c.event().side() == Side.CLIENT && c.event().operation().equals("offer")).count();
    }

    private int tripsCreated() {
        return (int) app.lines().stream().filter(l -> l.startsWith("trip-management: created")).count();
    }
}
