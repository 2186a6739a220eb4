package dev.parley.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ContractDescriptorTest {

    // ---- a valid contract that uses every interaction style -------------------------------------

    enum CarClass { STANDARD, COMFORT, VAN }

    record Money(long cents, String currency) {}

    record CreateTrip(
            String rider,
            CarClass carClass,
            @Default("1") int seats,
            @Default("standard") String tariff,
            Optional<String> note,
            List<String> stops,
            Map<String, Money> extras,
            @Nullable String promoCode) {}

    record TripView(String id, Money fare, Set<String> tags, Instant createdAt, BigDecimal rating) {}

    record PickupRequest(String tripId) {}

    record TripCompleted(String tripId, Duration took) {}

    record TripCancelled(String tripId) {}

    record QuoteRequest(String from, String to) {}

    record Quote(String driver, Money price) {}

    @Contract(name = "taxi.trips", version = "1.2", deadline = "PT5S")
    interface TripService {
        @Idempotent
        @Deadline("PT0.5S")
        TripView create(CreateTrip request);

        CompletionStage<TripView> createLater(CreateTrip request);

        @OneWay
        void requestPickup(PickupRequest request);

        @Event
        void completed(TripCompleted event);

        @Event("trip.cancelled")
        CompletionStage<Void> cancelled(TripCancelled event);

        @Gather
        Quote quote(QuoteRequest request);
    }

    private final ContractDescriptor descriptor = ContractDescriptor.of(TripService.class);

    @Test
    void namesTheContractAndItsVersion() {
        assertThat(descriptor.name()).isEqualTo("taxi.trips");
        assertThat(descriptor.version()).isEqualTo(new Version(1, 2));
        assertThat(descriptor.javaType()).contains(TripService.class.getName());
        assertThat(descriptor.address()).isEqualTo("taxi.trips/v1");
    }

    @Test
    void derivesEachMethodsStyleFromItsSignature() {
        assertThat(descriptor.methods()).extracting(MethodDescriptor::name)
                .containsExactly("cancelled", "completed", "create", "createLater", "quote", "requestPickup");
        assertThat(style("create")).isEqualTo(InteractionStyle.REQUEST_RESPONSE);
        assertThat(style("createLater")).isEqualTo(InteractionStyle.REQUEST_ASYNC_RESPONSE);
        assertThat(style("requestPickup")).isEqualTo(InteractionStyle.ONE_WAY);
        assertThat(style("completed")).isEqualTo(InteractionStyle.PUBLISH_SUBSCRIBE);
        assertThat(style("cancelled")).isEqualTo(InteractionStyle.PUBLISH_SUBSCRIBE);
        assertThat(style("quote")).isEqualTo(InteractionStyle.PUBLISH_ASYNC_RESPONSES);
    }

    @Test
    void recordsRequestResponseIdempotencyEventTypesAndDeadlines() {
        MethodDescriptor create = descriptor.method("create").orElseThrow();
        assertThat(create.request()).contains("CreateTrip");
        assertThat(create.response()).contains("TripView");
        assertThat(create.idempotent()).isTrue();
        assertThat(create.deadline()).contains(Duration.ofMillis(500));
        assertThat(create.eventType()).isEmpty();

        MethodDescriptor later = descriptor.method("createLater").orElseThrow();
        assertThat(later.response()).contains("TripView");
        assertThat(later.idempotent()).isFalse();
        assertThat(later.deadline()).isEmpty();

        MethodDescriptor pickup = descriptor.method("requestPickup").orElseThrow();
        assertThat(pickup.request()).contains("PickupRequest");
        assertThat(pickup.response()).isEmpty();

        assertThat(descriptor.method("completed").orElseThrow().eventType()).contains("TripCompleted");
        assertThat(descriptor.method("completed").orElseThrow().response()).isEmpty();
        assertThat(descriptor.method("cancelled").orElseThrow().eventType()).contains("trip.cancelled");
        assertThat(descriptor.method("cancelled").orElseThrow().response()).isEmpty();
        assertThat(descriptor.method("quote").orElseThrow().response()).contains("Quote");
    }

    @Test
    void describesEveryReachableMessageIncludingNestedOnesAndEnums() {
        assertThat(descriptor.messages().keySet()).containsExactly(
                "CarClass", "CreateTrip", "Money", "PickupRequest", "Quote", "QuoteRequest",
                "TripCancelled", "TripCompleted", "TripView");
        MessageDescriptor carClass = descriptor.message("CarClass").orElseThrow();
        assertThat(carClass.isEnum()).isTrue();
        assertThat(carClass.values()).containsExactly("STANDARD", "COMFORT", "VAN");
        assertThat(carClass.fields()).isEmpty();
    }

    @Test
    void givesFieldsWireTypesRequiredFlagsAndDefaults() {
        MessageDescriptor create = descriptor.message("CreateTrip").orElseThrow();
        assertThat(create.isEnum()).isFalse();
        assertThat(create.fields()).containsExactly(
                new FieldDescriptor("rider", "string", true, Optional.empty()),
                new FieldDescriptor("carClass", "CarClass", true, Optional.empty()),
                new FieldDescriptor("seats", "int32", false, Optional.of("1")),
                new FieldDescriptor("tariff", "string", false, Optional.of("standard")),
                new FieldDescriptor("note", "optional<string>", false, Optional.empty()),
                new FieldDescriptor("stops", "list<string>", false, Optional.empty()),
                new FieldDescriptor("extras", "map<Money>", false, Optional.empty()),
                new FieldDescriptor("promoCode", "string", false, Optional.empty()));
        assertThat(descriptor.message("TripView").orElseThrow().fields())
                .extracting(FieldDescriptor::name, FieldDescriptor::type, FieldDescriptor::required)
                .containsExactly(
                        tuple("id", "string", true),
                        tuple("fare", "Money", true),
                        tuple("tags", "set<string>", false),
                        tuple("createdAt", "timestamp", true),
                        tuple("rating", "decimal", true));
        assertThat(descriptor.message("TripCompleted").orElseThrow().field("took").orElseThrow().type())
                .isEqualTo("duration");
    }

    @Test
    void writesTheDocumentedJsonShape() throws Exception {
        JsonNode json = new ObjectMapper().readTree(descriptor.toJson());

        List<String> rootKeys = new ArrayList<>();
        json.fieldNames().forEachRemaining(rootKeys::add);
        assertThat(rootKeys).containsExactly("name", "version", "javaType", "methods", "messages");
        assertThat(json.get("name").asText()).isEqualTo("taxi.trips");
        assertThat(json.get("version").isTextual()).isTrue();
        assertThat(json.get("version").asText()).isEqualTo("1.2");

        JsonNode create = json.get("methods").get(2);
        assertThat(create.get("name").asText()).isEqualTo("create");
        assertThat(create.get("style").asText()).isEqualTo("REQUEST_RESPONSE");
        assertThat(create.get("request").asText()).isEqualTo("CreateTrip");
        assertThat(create.get("response").asText()).isEqualTo("TripView");
        assertThat(create.get("idempotent").asBoolean()).isTrue();
        assertThat(create.get("deadline").asText()).isEqualTo("PT0.5S");
        assertThat(create.has("eventType")).as("absent optionals are left out").isFalse();

        JsonNode pickup = json.get("methods").get(5);
        assertThat(pickup.get("style").asText()).isEqualTo("ONE_WAY");
        assertThat(pickup.has("response")).isFalse();
        assertThat(json.get("methods").get(0).get("eventType").asText()).isEqualTo("trip.cancelled");

        JsonNode seats = json.get("messages").get("CreateTrip").get("fields").get(2);
        assertThat(seats.get("name").asText()).isEqualTo("seats");
        assertThat(seats.get("type").asText()).isEqualTo("int32");
        assertThat(seats.get("required").asBoolean()).isFalse();
        assertThat(seats.get("defaultValue").asText()).isEqualTo("1");
        assertThat(json.get("messages").get("CreateTrip").get("kind").asText()).isEqualTo("record");
        assertThat(json.get("messages").get("CreateTrip").has("values")).isFalse();

        JsonNode carClass = json.get("messages").get("CarClass");
        assertThat(carClass.get("kind").asText()).isEqualTo("enum");
        assertThat(carClass.get("values")).extracting(JsonNode::asText).containsExactly("STANDARD", "COMFORT", "VAN");
        assertThat(carClass.has("fields")).isFalse();
        assertThat(carClass.has("enum")).as("isEnum() is derived, not part of the format").isFalse();
    }

    @Test
    void readsItsOwnJsonBackToAnEqualDescriptor() {
        ContractDescriptor back = ContractDescriptor.fromJson(descriptor.toJson());

        assertThat(back).isEqualTo(descriptor);
        assertThat(back.toJson()).isEqualTo(descriptor.toJson());
    }

    private InteractionStyle style(String method) {
        return descriptor.method(method).orElseThrow().style();
    }

    // ---- reading descriptors that are not valid -------------------------------------------------

    @Test
    void rejectsTextThatIsNotJsonNamingTheProblem() {
        assertThatThrownBy(() -> ContractDescriptor.fromJson("{\"name\": \"trips\", "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("contract descriptor: not valid JSON: ")
                .hasMessageContaining("line 1");
    }

    @Test
    void rejectsJsonNull() {
        assertThatThrownBy(() -> ContractDescriptor.fromJson("null"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found JSON null");
    }

    @Test
    void rejectsADescriptorWithoutNameVersionOrMethods() {
        assertThatThrownBy(() -> ContractDescriptor.fromJson("{}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'name', 'version' and a non-empty 'methods' are required")
                .hasMessageContaining("name=null");
        assertThatThrownBy(() -> ContractDescriptor.fromJson("{\"name\": \"trips\", \"version\": \"1.0\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 methods");
    }

    @Test
    void rejectsABadVersionNamingIt() {
        assertThatThrownBy(() -> ContractDescriptor.fromJson("{\"name\": \"trips\", \"version\": \"one\", \"methods\": []}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid descriptor")
                .hasMessageContaining("version: 'one'");
    }

    @Test
    void rejectsAMethodWithoutStyleAndAFieldWithoutType() {
        assertThatThrownBy(() -> ContractDescriptor.fromJson(
                "{\"name\": \"trips\", \"version\": \"1.0\", \"methods\": [{\"name\": \"get\"}]}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("methods[0] needs a 'name' and a 'style'");
        assertThatThrownBy(() -> ContractDescriptor.fromJson("""
                {"name": "trips", "version": "1.0",
                 "methods": [{"name": "get", "style": "REQUEST_RESPONSE", "request": "Id"}],
                 "messages": {"Id": {"name": "Id", "kind": "record", "fields": [{"name": "id"}]}}}
                """))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a field of message Id needs a 'name' and a 'type'");
    }

    @Test
    void readsMinimalHandWrittenJsonFillingInTheDefaults() {
        ContractDescriptor d = ContractDescriptor.fromJson("""
                {"name": "trips", "version": "1.0",
                 "methods": [{"name": "get", "style": "REQUEST_RESPONSE", "request": "Status"}],
                 "messages": {"Status": {"name": "Status", "kind": "enum", "values": ["OPEN"]}}}
                """);

        assertThat(d.javaType()).isEmpty();
        assertThat(d.method("get").orElseThrow().response()).isEmpty();
        assertThat(d.message("Status").orElseThrow().fields()).isEmpty();
        assertThat(d.message("Status").orElseThrow().values()).containsExactly("OPEN");
    }

    // ---- contracts that break the rules ---------------------------------------------------------

    record Ping(String id) {}

    record Pong(String id) {}

    @Contract(name = "bad", version = "1.0")
    interface OneWayReturningValue {
        @OneWay
        Pong notify(Ping ping);
    }

    @Contract(name = "bad", version = "1.0")
    interface NonRecordParameter {
        Pong lookup(String id);
    }

    @Contract(name = "bad", version = "1.0")
    interface Overloaded {
        Pong ping(Ping ping);

        Pong ping();
    }

    @Contract(name = "bad", version = "1.0")
    interface TwoParameters {
        Pong ping(Ping first, Ping second);
    }

    @Contract(name = "bad", version = "1.0")
    interface NonRecordReturn {
        String ping(Ping ping);
    }

    @Contract(name = "bad", version = "1.0")
    interface GenericMethod {
        <T extends Record> Pong ping(T request);
    }

    record Envelope(String id, Object payload) {}

    @Contract(name = "bad", version = "1.0")
    interface ObjectField {
        Pong send(Envelope envelope);
    }

    record Samples(String id, int[] values) {}

    @Contract(name = "bad", version = "1.0")
    interface ArrayField {
        Pong send(Samples samples);
    }

    @Contract(name = "Bad_Name", version = "1.0")
    interface BadName {
        Pong ping(Ping ping);
    }

    @Contract(name = "bad", version = "1")
    interface BadVersion {
        Pong ping(Ping ping);
    }

    @Contract(name = "bad", version = "1.0")
    interface EventReturningValue {
        @Event
        Pong happened(Ping ping);
    }

    @Contract(name = "bad", version = "1.0")
    interface BadDeadline {
        @Deadline("soon")
        Pong ping(Ping ping);
    }

    @Test
    void oneWayMethodReturningAValue() {
        assertRejected(OneWayReturningValue.class, "OneWayReturningValue.notify", "a @OneWay method must return void", "Pong");
    }

    @Test
    void parameterThatIsNotARecord() {
        assertRejected(NonRecordParameter.class, "NonRecordParameter.lookup", "parameter type java.lang.String is not a record");
    }

    @Test
    void duplicateMethodName() {
        assertRejected(Overloaded.class, "Overloaded.ping", "duplicate method name", "overloads are not allowed");
    }

    @Test
    void twoParameters() {
        assertRejected(TwoParameters.class, "TwoParameters.ping", "takes 2 parameters", "at most one");
    }

    @Test
    void returnTypeThatIsNotARecord() {
        assertRejected(NonRecordReturn.class, "NonRecordReturn.ping", "returns java.lang.String", "expected: a record");
    }

    @Test
    void genericMethod() {
        assertRejected(GenericMethod.class, "GenericMethod.ping", "cannot be generic");
    }

    @Test
    void fieldOfTypeObject() {
        assertRejected(ObjectField.class, "ObjectField.send", "field Envelope.payload", "java.lang.Object is not a message type");
    }

    @Test
    void arrayField() {
        assertRejected(ArrayField.class, "ArrayField.send", "field Samples.values", "arrays are not message types");
    }

    @Test
    void badContractName() {
        assertRejected(BadName.class, BadName.class.getName(), "contract name 'Bad_Name'", "expected: lower case letters");
    }

    @Test
    void badVersion() {
        assertRejected(BadVersion.class, BadVersion.class.getName(), "version: '1'", "expected: major.minor");
    }

    @Test
    void eventReturningAValue() {
        assertRejected(EventReturningValue.class, "EventReturningValue.happened",
                "an @Event method returns void or CompletionStage<Void>", "Pong");
    }

    @Test
    void badDeadlineText() {
        assertRejected(BadDeadline.class, "BadDeadline.ping", "deadline: 'soon'", "ISO-8601 duration");
    }

    private void assertRejected(Class<?> contract, String... fragments) {
        assertThatThrownBy(() -> ContractDescriptor.of(contract))
                .isInstanceOf(ContractException.class)
                .message()
                .contains(fragments);
    }
}
