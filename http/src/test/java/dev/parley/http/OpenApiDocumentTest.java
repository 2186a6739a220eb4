package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.parley.codec.Codec;
import dev.parley.contract.Contract;
import dev.parley.contract.ContractDescriptor;
import dev.parley.contract.Default;
import dev.parley.contract.Event;
import dev.parley.contract.FieldDescriptor;
import dev.parley.contract.MessageDescriptor;
import dev.parley.contract.OneWay;
import dev.parley.contract.RequiresScopes;
import dev.parley.contract.http.Created;
import dev.parley.contract.http.Delete;
import dev.parley.contract.http.Get;
import dev.parley.contract.http.Link;
import dev.parley.contract.http.Post;
import dev.parley.contract.http.Put;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class OpenApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * JSON Schema 2020-12, where the document's own members are known not to be validation
     * keywords: the validator gets the whole document as root so that {@code #/components/...}
     * references resolve.
     */
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            b -> b.metaSchema(JsonMetaSchema.builder(JsonMetaSchema.getV202012())
                    .keywords(Stream.of("openapi", "info", "jsonSchemaDialect", "tags", "paths", "components")
                            .map(NonValidationKeyword::new).toList())
                    .build()));

    // ---- the contracts under test ---------------------------------------------------------------

    enum TripStatus { REQUESTED, ASSIGNED, DONE }

    enum VehicleClass { STANDARD, COMFORT, VAN }

    record Place(double lat, double lon, Optional<String> label) {}

    record GetTrip(String id, @Default("false") boolean withStops, Optional<String> lang, List<String> fields) {}

    record CreateTrip(Place pickup, Place dropoff, @Default("STANDARD") VehicleClass vehicle, @Default("1") int passengers,
                      Optional<Instant> pickupAt, Map<String, String> tags, List<Place> stops) {}

    record TripView(String id, TripStatus status, Place pickup, Place dropoff, Instant createdAt, Duration eta,
                    LocalDate serviceDay, UUID bookingId, BigDecimal fare, long distanceMeters, Set<String> badges,
                    Map<String, Integer> counters, Optional<String> driver, byte[] receipt) {}

    record CancelTrip(String id, Optional<String> reason) {}

    record UpdateNotes(String id, String notes, @Default("3") int priority) {}

    record RateTrip(String tripId, int stars) {}

    record QuoteRequest(Place pickup, Place dropoff) {}

    record Quote(BigDecimal amount, String currency) {}

    record TripCreated(String id) {}

    @Contract(name = "trips", version = "1.2")
    interface TripService {
        @Get("/trips/{id}")
        TripView get(GetTrip request);

        @Post("/trips")
        @Created("/trips/{id}")
        @RequiresScopes("trips:write")
        @Link(rel = "self", path = "/trips/{id}")
        @Link(rel = "cancel", method = "DELETE", path = "/trips/{id}")
        TripView create(CreateTrip request);

        @Delete("/trips/{id}")
        @RequiresScopes({"trips:write", "trips:admin"})
        void cancel(CancelTrip request);

        @Put("/trips/{id}/notes")
        void updateNotes(UpdateNotes request);

        @OneWay
        void rate(RateTrip request);

        CompletionStage<Quote> quote(QuoteRequest request);

        @Event
        void created(TripCreated event);
    }

    record GetTripV2(String tripId) {}

    record TripViewV2(String tripId, String state) {}

    @Contract(name = "trips", version = "2.0")
    interface TripServiceV2 {
        @Get("/trips/{tripId}")
        TripViewV2 get(GetTripV2 request);
    }

    /** A second contract whose message names clash with the trips contract and with Problem. */
    static final class Billing {
        record Place(String code) {}

        record Problem(String text) {}

        record Invoice(Place place, Problem problem, Quote quote) {}

        record GetInvoice(String id) {}

        @Contract(name = "billing", version = "1.0")
        interface BillingService {
            @Get("/invoices/{id}")
            Invoice invoice(GetInvoice request);
        }
    }

    @Contract(name = "trips", version = "1.0")
    interface OlderTripService {
        @Get("/trips/{id}")
        TripView get(GetTrip request);
    }

    private static final List<Class<?>> ALL = List.of(TripService.class, TripServiceV2.class, Billing.BillingService.class);

    private static String v1Json() {
        return OpenApiDocument.of(1, ALL, "Taxi API").toJson();
    }

    private static JsonNode v1() throws Exception {
        return JSON.readTree(v1Json());
    }

    // ---- independent validation -------------------------------------------------------------

    @Test
    void swaggerParserReadsTheDocumentWithoutMessages() {
        for (int major : List.of(1, 2)) {
            SwaggerParseResult result = parse(OpenApiDocument.of(major, ALL, "Taxi API").toJson());
            assertThat(result.getMessages()).as("v" + major).isEmpty();
            assertThat(result.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
            assertThat(result.getOpenAPI().getPaths()).isNotEmpty();
        }
    }

    @Test
    void swaggerParserReportsABrokenDocument() throws Exception {
        // The control for the test above: the parser does complain about a broken document.
        ObjectNode doc = (ObjectNode) v1();
        ((ObjectNode) doc.path("info")).remove("version");
        ((ObjectNode) doc.at("/paths/~1v1~1trips/post")).remove("responses");

        assertThat(parse(doc.toString()).getMessages())
                .anyMatch(m -> m.contains("version"))
                .anyMatch(m -> m.contains("responses"));
    }

    private static SwaggerParseResult parse(String json) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        return new OpenAPIV3Parser().readContents(json, null, options);
    }

    @Test
    void encodedMessagesValidateAgainstTheirSchemas() throws Exception {
        JsonNode doc = v1();
        TripView view = sampleView();

        assertThat(validate(doc, "#/components/schemas/TripView", encode(TripView.class, view))).isEmpty();
        assertThat(validate(doc, "#/components/schemas/TripView", encode(TripView.class,
                new TripView("t-2", TripStatus.DONE, view.pickup(), view.dropoff(), view.createdAt(), Duration.ZERO,
                        view.serviceDay(), view.bookingId(), new BigDecimal("1E+3"), 0, Set.of(), Map.of(),
                        Optional.empty(), new byte[0])))).isEmpty();
        assertThat(validate(doc, "#/components/schemas/trips.Place", encode(Place.class, new Place(1, 2, Optional.empty())))).isEmpty();
        CreateTrip create = new CreateTrip(view.pickup(), view.dropoff(), VehicleClass.VAN, 2,
                Optional.of(Instant.parse("2026-11-22T06:00:00.123456789Z")), Map.of("k", "v"), List.of(view.pickup()));
        assertThat(validate(doc, "#/components/schemas/CreateTrip", encode(CreateTrip.class, create))).isEmpty();
        assertThat(validate(doc, "#/components/schemas/Quote", encode(Quote.class, new Quote(new BigDecimal("12.50"), "EUR")))).isEmpty();
    }

    @Test
    void wrongInstancesFailValidation() throws Exception {
        JsonNode doc = v1();
        ObjectNode view = (ObjectNode) encode(TripView.class, sampleView());

        ObjectNode wrongType = view.deepCopy().put("distanceMeters", "far");
        assertThat(validate(doc, "#/components/schemas/TripView", wrongType)).anyMatch(m -> m.contains("distanceMeters"));

        ObjectNode missing = view.deepCopy();
        missing.remove("id");
        assertThat(validate(doc, "#/components/schemas/TripView", missing)).anyMatch(m -> m.contains("id"));

        ObjectNode badTime = view.deepCopy().put("createdAt", "yesterday");
        assertThat(validate(doc, "#/components/schemas/TripView", badTime)).anyMatch(m -> m.contains("createdAt"));

        ObjectNode badEnum = view.deepCopy().put("status", "LOST");
        assertThat(validate(doc, "#/components/schemas/TripView", badEnum)).anyMatch(m -> m.contains("status"));

        ObjectNode badNested = view.deepCopy();
        ((ObjectNode) badNested.path("pickup")).put("lat", "north");
        assertThat(validate(doc, "#/components/schemas/TripView", badNested)).anyMatch(m -> m.contains("lat"));

        // Unknown members are fine: readers are tolerant.
        assertThat(validate(doc, "#/components/schemas/TripView", view.deepCopy().put("addedInV1_3", true))).isEmpty();
    }

    @Test
    void replyWithLinksValidatesIncludingTheLinks() throws Exception {
        JsonNode doc = v1();
        String reply = "#/paths/~1v1~1trips/post/responses/201/content/application~1json/schema";
        ObjectNode view = (ObjectNode) encode(TripView.class, sampleView());
        ObjectNode links = view.putObject("_links");
        links.putObject("self").put("href", "/v1/trips/t-1").put("method", "GET");
        links.putObject("cancel").put("href", "/v1/trips/t-1").put("method", "DELETE");

        assertThat(validate(doc, reply, view)).isEmpty();

        ObjectNode badLink = view.deepCopy();
        ((ObjectNode) badLink.at("/_links/cancel")).put("method", "FETCH");
        assertThat(validate(doc, reply, badLink)).isNotEmpty();

        ObjectNode noCancel = view.deepCopy();
        ((ObjectNode) noCancel.path("_links")).remove("cancel");
        assertThat(validate(doc, reply, noCancel)).anyMatch(m -> m.contains("cancel"));

        ObjectNode badBody = view.deepCopy().put("fare", "cheap");
        assertThat(validate(doc, reply, badBody)).anyMatch(m -> m.contains("fare"));
    }

    @Test
    void problemBodiesValidateAgainstTheProblemSchema() throws Exception {
        JsonNode doc = v1();
        String problem = "#/components/responses/NOT_FOUND/content/application~1problem+json/schema";
        ObjectNode body = (ObjectNode) JSON.readTree("""
                {"type":"https://parley.dev/errors/not-found","title":"Not found","status":404,
                 "detail":"trip t-42 not found","code":"NOT_FOUND","details":{"tripId":"t-42"}}""");

        assertThat(validate(doc, problem, body)).isEmpty();
        ObjectNode noCode = body.deepCopy();
        noCode.remove("code");
        assertThat(validate(doc, problem, noCode)).anyMatch(m -> m.contains("code"));
        assertThat(validate(doc, problem, body.deepCopy().put("status", "404"))).anyMatch(m -> m.contains("status"));
    }

    private static TripView sampleView() {
        Place pickup = new Place(52.52, 13.405, Optional.of("Alexanderplatz"));
        Place dropoff = new Place(52.5, 13.3, Optional.empty());
        return new TripView("t-1", TripStatus.ASSIGNED, pickup, dropoff, Instant.parse("2026-11-22T05:00:00Z"),
                Duration.ofMinutes(7).plusSeconds(30), LocalDate.of(2026, 11, 22), UUID.fromString("0b7e4f5a-1c2d-4e3f-9a8b-7c6d5e4f3a2b"),
                new BigDecimal("23.40"), 12_345_678_901L, Set.of("eco", "fast"), Map.of("retries", 2),
                Optional.of("d-9"), "receipt".getBytes(StandardCharsets.UTF_8));
    }

    private static <T> JsonNode encode(Class<T> type, T value) throws Exception {
        return JSON.readTree(Codec.json().<T>forType(type).encode(value));
    }

    /** Validates against a schema inside the document, with format assertions on (date-time, uuid, duration...). */
    private static List<String> validate(JsonNode doc, String ref, JsonNode instance) {
        ObjectNode root = doc.deepCopy();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$ref", ref);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        JsonSchema schema = SCHEMAS.getSchema(root, config);
        return schema.validate(instance).stream().map(ValidationMessage::getMessage).toList();
    }

    // ---- structure --------------------------------------------------------------------------

    @Test
    void describesOneMajorVersion() throws Exception {
        JsonNode doc = v1();

        assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(doc.path("jsonSchemaDialect").asText()).isEqualTo("https://spec.openapis.org/oas/3.1/dialect/base");
        assertThat(doc.at("/info/title").asText()).isEqualTo("Taxi API");
        assertThat(doc.at("/info/version").asText()).isEqualTo("1.2");
        assertThat(names(doc.path("paths"))).containsExactly(
                "/v1/invoices/{id}", "/v1/trips", "/v1/trips/quote", "/v1/trips/rate", "/v1/trips/{id}", "/v1/trips/{id}/notes");
        assertThat(names(doc.at("/paths/~1v1~1trips~1{id}"))).containsExactly("get", "delete");
        assertThat(doc.toString()).doesNotContain("TripCreated").doesNotContain("/v2/");
        assertThat(doc.path("tags").findValuesAsText("name")).containsExactly("billing", "trips");
    }

    @Test
    void getReadsPathAndQueryParameters() throws Exception {
        JsonNode get = v1().at("/paths/~1v1~1trips~1{id}/get");

        assertThat(get.path("operationId").asText()).isEqualTo("trips.get");
        assertThat(get.path("tags").get(0).asText()).isEqualTo("trips");
        assertThat(get.has("requestBody")).isFalse();
        assertThat(get.path("parameters").findValuesAsText("name")).containsExactly("id", "withStops", "lang", "fields");
        assertThat(get.at("/parameters/0/in").asText()).isEqualTo("path");
        assertThat(get.at("/parameters/0/required").asBoolean()).isTrue();
        assertThat(get.at("/parameters/1/in").asText()).isEqualTo("query");
        assertThat(get.at("/parameters/1/required").asBoolean()).isFalse();
        assertThat(get.at("/parameters/1/schema/type").asText()).isEqualTo("boolean");
        assertThat(get.at("/parameters/1/schema/default").isBoolean()).isTrue();
        assertThat(get.at("/parameters/3/schema/type").asText()).isEqualTo("array");
        assertThat(get.at("/responses/200/content/application~1json/schema/$ref").asText()).isEqualTo("#/components/schemas/TripView");
        assertThat(get.at("/responses/200/content/application~1cbor/schema/$ref").asText()).isEqualTo("#/components/schemas/TripView");
        assertThat(names(get.path("responses"))).containsExactly("200", "400", "404", "429", "500", "503", "504", "default");
        assertThat(get.has("security")).isFalse();
    }

    @Test
    void createdAnswers201WithLocationLinksAndSecurity() throws Exception {
        JsonNode doc = v1();
        JsonNode create = doc.at("/paths/~1v1~1trips/post");

        assertThat(create.path("operationId").asText()).isEqualTo("trips.create");
        assertThat(create.at("/requestBody/content/application~1json/schema/$ref").asText()).isEqualTo("#/components/schemas/CreateTrip");
        assertThat(create.at("/requestBody/content/application~1cbor/schema/$ref").asText()).isEqualTo("#/components/schemas/CreateTrip");
        assertThat(create.at("/responses/201/headers/Location/schema/type").asText()).isEqualTo("string");
        assertThat(create.at("/responses/201/headers/Location/required").asBoolean()).isTrue();
        assertThat(names(create.at("/responses/201/content/application~1json/schema/allOf/1/properties/_links/properties")))
                .containsExactly("cancel", "self");
        assertThat(create.at("/responses/201/content/application~1cbor/schema/$ref").asText())
                .as("the server adds links to JSON replies only").isEqualTo("#/components/schemas/TripView");
        assertThat(create.at("/security/0/bearer/0").asText()).isEqualTo("trips:write");
        assertThat(names(create.path("responses"))).contains("401", "403", "409", "413");
        assertThat(doc.at("/components/securitySchemes/bearer/type").asText()).isEqualTo("http");
        assertThat(doc.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
        assertThat(doc.at("/components/securitySchemes/bearer/bearerFormat").asText()).isEqualTo("JWT");
        assertThat(doc.at("/components/responses/UNAUTHENTICATED/content/application~1problem+json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/Problem");
        assertThat(names(doc.at("/components/responses"))).as("only what the server can answer").doesNotContain("INVALID_REPLY", "CANCELLED");
    }

    @Test
    void statusesFollowTheRoutes() throws Exception {
        JsonNode paths = v1().path("paths");

        JsonNode rate = paths.at("/~1v1~1trips~1rate/post");
        assertThat(rate.path("operationId").asText()).isEqualTo("trips.rate");
        assertThat(rate.at("/responses/202").isObject()).isTrue();
        assertThat(rate.at("/responses/202").has("content")).isFalse();
        assertThat(names(rate.path("responses"))).containsExactly("202", "400", "413", "429", "500", "503", "default");
        JsonNode cancel = paths.at("/~1v1~1trips~1{id}/delete");
        assertThat(cancel.at("/responses/204").has("content")).isFalse();
        assertThat(cancel.at("/security/0/bearer").toString()).isEqualTo("[\"trips:admin\",\"trips:write\"]");
        JsonNode quote = paths.at("/~1v1~1trips~1quote/post");
        assertThat(quote.at("/responses/200/content/application~1json/schema/$ref").asText()).isEqualTo("#/components/schemas/Quote");

        List<String> secured = new ArrayList<>();
        paths.forEach(item -> item.forEach(op -> {
            if (op.has("security")) {
                secured.add(op.path("operationId").asText());
            }
        }));
        assertThat(secured).containsExactlyInAnyOrder("trips.create", "trips.cancel");
    }

    @Test
    void bodyWithPathVariablesDoesNotRequireThemInTheBody() throws Exception {
        JsonNode put = v1().at("/paths/~1v1~1trips~1{id}~1notes/put");

        JsonNode body = put.at("/requestBody/content/application~1json/schema");
        assertThat(body.path("required").toString()).isEqualTo("[\"notes\"]");
        assertThat(names(body.path("properties"))).containsExactly("id", "notes", "priority");
        assertThat(put.at("/parameters/0/name").asText()).isEqualTo("id");
        assertThat(names(put.path("responses"))).startsWith("204");
    }

    @Test
    void schemasFollowTheDescriptor() throws Exception {
        JsonNode schemas = v1().at("/components/schemas");
        ContractDescriptor trips = ContractDescriptor.of(TripService.class);

        for (MessageDescriptor m : trips.messages().values()) {
            String component = m.name().equals("Place") ? "trips.Place" : m.name();
            if (m.name().equals("TripCreated")) {
                assertThat(schemas.has(component)).as("events do not travel over REST").isFalse();
                continue;
            }
            JsonNode schema = schemas.path(component);
            if (m.isEnum()) {
                assertThat(JSON.convertValue(schema.path("enum"), List.class)).isEqualTo(m.values());
                continue;
            }
            assertThat(names(schema.path("properties"))).as(component).isEqualTo(m.fields().stream().map(FieldDescriptor::name).toList());
            List<String> required = m.fields().stream().filter(FieldDescriptor::required).map(FieldDescriptor::name).toList();
            assertThat(JSON.convertValue(schema.path("required"), List.class) == null ? List.of() : JSON.convertValue(schema.path("required"), List.class))
                    .as(component).isEqualTo(required);
            assertThat(schema.has("additionalProperties")).isFalse();
        }
        JsonNode view = schemas.path("TripView").path("properties");
        assertThat(view.at("/createdAt/format").asText()).isEqualTo("date-time");
        assertThat(view.at("/eta/format").asText()).isEqualTo("duration");
        assertThat(view.at("/serviceDay/format").asText()).isEqualTo("date");
        assertThat(view.at("/bookingId/format").asText()).isEqualTo("uuid");
        assertThat(view.at("/fare/type").asText()).isEqualTo("number");
        assertThat(view.at("/distanceMeters/format").asText()).isEqualTo("int64");
        assertThat(view.at("/badges/uniqueItems").asBoolean()).isTrue();
        assertThat(view.at("/counters/additionalProperties/format").asText()).isEqualTo("int32");
        assertThat(view.at("/receipt/contentEncoding").asText()).isEqualTo("base64");
        assertThat(view.at("/driver/type").asText()).isEqualTo("string");
        assertThat(view.at("/status/$ref").asText()).isEqualTo("#/components/schemas/TripStatus");
        JsonNode create = schemas.at("/CreateTrip/properties");
        assertThat(create.at("/passengers/default").isInt()).isTrue();
        assertThat(create.at("/passengers/default").asInt()).isEqualTo(1);
        assertThat(create.at("/vehicle/default").asText()).isEqualTo("STANDARD");
        assertThat(create.at("/stops/items/$ref").asText()).isEqualTo("#/components/schemas/trips.Place");
    }

    @Test
    void clashingMessageNamesAreQualifiedAndSharedTypesAreNot() throws Exception {
        JsonNode schemas = v1().at("/components/schemas");

        assertThat(names(schemas)).contains("trips.Place", "billing.Place", "billing.Problem", "Problem", "Quote")
                .doesNotContain("Place", "trips.Quote", "billing.Quote");
        assertThat(schemas.at("/Invoice/properties/place/$ref").asText()).isEqualTo("#/components/schemas/billing.Place");
        assertThat(schemas.at("/Invoice/properties/problem/$ref").asText()).isEqualTo("#/components/schemas/billing.Problem");
        assertThat(schemas.at("/Problem/properties/code/type").asText()).isEqualTo("string");
    }

    @Test
    void everyReferenceResolves() throws Exception {
        JsonNode doc = v1();
        List<String> refs = doc.findValuesAsText("$ref");

        assertThat(refs).hasSizeGreaterThan(20);
        for (String ref : refs) {
            assertThat(ref).startsWith("#/");
            assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
        }
    }

    @Test
    void oneDocumentPerMajorVersion() throws Exception {
        JsonNode v2 = JSON.readTree(OpenApiDocument.of(2, ALL, "Taxi API").toJson());

        assertThat(OpenApiDocument.of(2, ALL, "Taxi API").majorVersion()).isEqualTo(2);
        assertThat(v2.at("/info/version").asText()).isEqualTo("2.0");
        assertThat(names(v2.path("paths"))).containsExactly("/v2/trips/{tripId}");
        assertThat(names(v2.at("/components/schemas"))).containsExactly("GetTripV2", "Problem", "TripViewV2");
        assertThat(v2.at("/components").has("securitySchemes")).isFalse();
        assertThat(names(v1().path("paths"))).doesNotContain("/v2/trips/{tripId}");
    }

    @Test
    void outputIsDeterministic() {
        String first = v1Json();

        assertThat(OpenApiDocument.of(1, ALL, "Taxi API").toJson()).isEqualTo(first);
        assertThat(OpenApiDocument.of(1, List.of(Billing.BillingService.class, TripServiceV2.class, TripService.class), "Taxi API").toJson())
                .isEqualTo(first);
        assertThat(first).doesNotContain("\r").endsWith("}\n");
    }

    @Test
    void rejectsWhatCannotBeDescribed() {
        assertThatThrownBy(() -> OpenApiDocument.of(3, ALL, "Taxi API"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no contract has major version 3")
                .hasMessageContaining("trips 1.2");
        assertThatThrownBy(() -> OpenApiDocument.of(1, List.of(TripService.class, OlderTripService.class), "Taxi API"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contract trips v1 appears twice");
        assertThatThrownBy(() -> OpenApiDocument.of(1, ALL, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("title");
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
