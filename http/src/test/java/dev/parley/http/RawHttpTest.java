package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.parley.Parley;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What a plain HTTP client (curl, a browser, another stack) sees of a Parley service. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RawHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpTransport transport;
    private Parley parley;
    private RecordingTrips service;
    private String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void start() {
        transport = HttpTransport.builder().server(0).bindAddress("127.0.0.1").build();
        parley = Parley.builder().transport(transport).build();
        service = new RecordingTrips();
        parley.serve(Trips.class, service);
        base = "http://127.0.0.1:" + transport.port();
    }

    @AfterAll
    void stop() {
        parley.close();
        transport.close();
    }

    private HttpResponse<byte[]> send(HttpClient client, HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return send(http, request);
    }

    private HttpRequest.Builder post(String path, String json) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).GET();
    }

    @Test
    void createdHas201AndLocation() throws Exception {
        HttpResponse<byte[]> created = send(post("/v1/trips", "{\"rider\":\"ada\",\"seats\":2}"));
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode body = JSON.readTree(created.body());
        assertThat(created.headers().firstValue("location")).contains("/v1/trips/" + body.get("id").asText());
        assertThat(created.headers().firstValue("content-type")).contains("application/json");
        assertThat(created.headers().firstValue("parley-status")).contains("ok");
    }

    @Test
    void repliesCarryLinksFilledFromReplyFields() throws Exception {
        String id = JSON.readTree(send(post("/v1/trips", "{\"rider\":\"lin\",\"seats\":1}")).body()).get("id").asText();
        HttpResponse<byte[]> found = send(get("/v1/trips/" + id));
        assertThat(found.statusCode()).isEqualTo(200);
        JsonNode links = JSON.readTree(found.body()).get("_links");
        assertThat(links.get("self").get("href").asText()).isEqualTo("/v1/trips/" + id);
        assertThat(links.get("self").get("method").asText()).isEqualTo("GET");
        assertThat(links.get("cancel").get("method").asText()).isEqualTo("DELETE");
    }

    @Test
    void cborWhenAccepted() throws Exception {
        String id = JSON.readTree(send(post("/v1/trips", "{\"rider\":\"cb\",\"seats\":3}")).body()).get("id").asText();
        HttpResponse<byte[]> cbor = send(get("/v1/trips/" + id).header("Accept", "application/cbor"));
        assertThat(cbor.statusCode()).isEqualTo(200);
        assertThat(cbor.headers().firstValue("content-type")).contains("application/cbor");
        assertThat(new CBORMapper().readTree(cbor.body()).get("seats").asInt()).isEqualTo(3);
        assertThat(cbor.body()).isNotEqualTo(JSON.writeValueAsBytes(JSON.readTree(send(get("/v1/trips/" + id)).body())));
    }

    @Test
    void unsupportedAcceptIs406Problem() throws Exception {
        HttpResponse<byte[]> r = send(get("/v1/trips/t-1").header("Accept", "text/html"));
        assertThat(r.statusCode()).isEqualTo(406);
        assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
    }

    @Test
    void notFoundIsAProblemWithDetails() throws Exception {
        HttpResponse<byte[]> r = send(get("/v1/trips/nope"));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
        JsonNode problem = JSON.readTree(r.body());
        assertThat(problem.get("type").asText()).isEqualTo("https://parley.dev/errors/not-found");
        assertThat(problem.get("title").asText()).isEqualTo("Not found");
        assertThat(problem.get("status").asInt()).isEqualTo(404);
        assertThat(problem.get("detail").asText()).isEqualTo("trip nope not found");
        assertThat(problem.get("code").asText()).isEqualTo("NOT_FOUND");
        assertThat(problem.get("details").get("tripId").asText()).isEqualTo("nope");
    }

    @Test
    void deleteIs204AndOneWayIs202WithoutBody() throws Exception {
        HttpResponse<byte[]> deleted = send(HttpRequest.newBuilder(URI.create(base + "/v1/trips/t-x")).DELETE());
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        HttpResponse<byte[]> accepted = send(post("/v1/trips/t-8/pickup", "{\"note\":\"north door\"}"));
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.body()).isEmpty();
        assertThat(service.pickups.poll(5, TimeUnit.SECONDS)).isEqualTo(new Trips.Pickup("t-8", "north door"));
    }

    @Test
    void pathVariablesOverrideBodyFields() throws Exception {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(base + "/v1/trips/t-path"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"id\":\"t-body\",\"rider\":\"r\",\"seats\":1}")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("id").asText()).isEqualTo("t-path");
    }

    @Test
    void queryParameterOfTheWrongTypeNamesTheField() throws Exception {
        HttpResponse<byte[]> r = send(get("/v1/trips?rider=x&minSeats=lots"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("details").get("field").asText()).isEqualTo("minSeats");
    }

    @Test
    void healthEndpoints() throws Exception {
        assertThat(send(get("/health/live")).statusCode()).isEqualTo(200);
        assertThat(send(get("/health/ready")).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> post = send(post("/health/live", "{}"));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).contains("GET, HEAD");
    }

    @Test
    void h2cByUpgrade() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        // The JDK client upgrades plain http:// with "Upgrade: h2c" on its first request, then uses HTTP/2.
        HttpResponse<byte[]> first = send(h2, post("/v1/trips", "{\"rider\":\"up\",\"seats\":1}"));
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
        String id = JSON.readTree(first.body()).get("id").asText();
        HttpResponse<byte[]> second = send(h2, get("/v1/trips/" + id));
        assertThat(second.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(JSON.readTree(second.body()).get("rider").asText()).isEqualTo("up");
        HttpResponse<byte[]> missing = send(h2, get("/v1/trips/none"));
        assertThat(missing.statusCode()).isEqualTo(404);
    }
}
