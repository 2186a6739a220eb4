package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.Parley;
import dev.parley.transport.Registration;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v<major>/openapi.json} over a real socket, validated by an independent parser. */
class OpenApiEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpTransport transport;
    private Parley parley;
    private Registration waiting;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        transport = HttpTransport.builder().server(0).bindAddress("127.0.0.1").build();
        parley = Parley.builder().transport(transport).build();
        parley.serve(Trips.class, new RecordingTrips());
        waiting = parley.serve(Waiting.class, request -> new CompletableFuture<>());
        parley.serve(TripsV2.class, request -> new TripsV2.TripV2(request.id(), "d"));
    }

    @AfterEach
    void stop() {
        parley.close();
        transport.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + transport.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static List<String> paths(String json) throws Exception {
        List<String> paths = new ArrayList<>();
        JSON.readTree(json).get("paths").fieldNames().forEachRemaining(paths::add);
        return paths;
    }

    private static SwaggerParseResult parse(String json) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        return new OpenAPIV3Parser().readContents(json, null, options);
    }

    @Test
    void eachMajorVersionHasItsOwnValidDocument() throws Exception {
        HttpResponse<String> v1 = get("/v1/openapi.json");
        assertThat(v1.statusCode()).isEqualTo(200);
        assertThat(v1.headers().firstValue("content-type")).contains(OpenApiEndpoint.MEDIA_TYPE);
        assertThat(parse(v1.body()).getMessages()).isEmpty();
        assertThat(v1.body()).isEqualTo(OpenApiDocument.of(1, List.of(Trips.class, Waiting.class), "trips, waiting").toJson());
        assertThat(paths(v1.body())).contains("/v1/trips/{id}", "/v1/waiting/await").allMatch(p -> p.startsWith("/v1/"));

        HttpResponse<String> v2 = get("/v2/openapi.json");
        assertThat(v2.statusCode()).isEqualTo(200);
        assertThat(parse(v2.body()).getMessages()).isEmpty();
        assertThat(paths(v2.body())).containsExactly("/v2/trips/{id}");
        JsonNode info = JSON.readTree(v2.body()).get("info");
        assertThat(info.get("version").asText()).isEqualTo("2.0");

        assertThat(get("/v3/openapi.json").statusCode()).isEqualTo(404);
    }

    @Test
    void theDocumentFollowsWhatIsServed() throws Exception {
        assertThat(paths(get("/v1/openapi.json").body())).contains("/v1/waiting/await");
        waiting.close();
        assertThat(paths(get("/v1/openapi.json").body())).doesNotContain("/v1/waiting/await").contains("/v1/trips/{id}");
        parley.serve(Waiting.class, request -> new CompletableFuture<>());
        assertThat(paths(get("/v1/openapi.json").body())).contains("/v1/waiting/await");
    }

    @Test
    void onlyGetIsAllowed() throws Exception {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + transport.port() + "/v1/openapi.json"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).contains("GET");
    }
}
