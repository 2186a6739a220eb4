package dev.parley.behaviour;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ErrorInfo;
import dev.parley.behaviour.InteractionStylesTest.TripService;
import dev.parley.behaviour.TaxiContracts.CreateTrip;
import dev.parley.behaviour.TaxiContracts.TripView;
import dev.parley.behaviour.TaxiContracts.Trips;
import dev.parley.codec.Codec;
import dev.parley.codec.TypedCodec;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.testkit.ParleyExtension;
import dev.parley.transport.ClientChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Malformed, oversized, hostile and out-of-order messages sent straight to a served contract,
 * as a foreign or broken client would: each gets a clear error reply, and the service keeps
 * serving well-formed calls.
 */
class InboundInputTest {

    @RegisterExtension
    final ParleyExtension parley = ParleyExtension.create();

    private final TypedCodec<ErrorInfo> errors = Codec.json().forType(ErrorInfo.class);
    private final TypedCodec<CreateTrip> requests = Codec.json().forType(CreateTrip.class);
    private ClientChannel channel;
    private TripService service;

    @BeforeEach
    void serve() {
        service = new TripService();
        parley.service("trip-management").serve(Trips.class, service);
        channel = parley.transport().connect(Trips.class);
    }

    private Headers.Builder headers(String operation) {
        return Headers.builder()
                .set(StandardHeaders.MESSAGE_ID, "m-1")
                .set(StandardHeaders.CONTRACT, "trips")
                .set(StandardHeaders.CONTRACT_VERSION, "1.0")
                .set(StandardHeaders.OPERATION, operation)
                .set(StandardHeaders.CONTENT_TYPE, "application/json")
                .set(StandardHeaders.DEADLINE, "5000");
    }

    private Envelope send(Headers headers, byte[] body) throws Exception {
        return channel.request(Envelope.of(headers, body)).get(5, TimeUnit.SECONDS);
    }

    private ErrorInfo errorOf(Envelope reply) {
        assertThat(reply.headers().get(StandardHeaders.STATUS)).isPresent().get().isNotEqualTo("ok");
        assertThat(reply.headers().get(StandardHeaders.CORRELATION_ID)).contains("m-1");
        ErrorInfo info = errors.decode(reply.body());
        assertThat(info.code()).isEqualTo(reply.headers().valueOrNull(StandardHeaders.STATUS));
        return info;
    }

    private void stillServes() throws Exception {
        Envelope reply = send(headers("create").build(), requests.encode(new CreateTrip("p-ok", "a", "b")));
        assertThat(reply.headers().get(StandardHeaders.STATUS)).contains("ok");
        assertThat(Codec.json().<TripView>forType(TripView.class).decode(reply.body()).id()).isEqualTo("t-p-ok");
    }

    @Test
    void malformedJsonIsAnInvalidArgument() throws Exception {
        ErrorInfo e = errorOf(send(headers("create").build(), "{\"passengerId\": \"p\", ".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.code()).isEqualTo("INVALID_ARGUMENT");
        assertThat(e.message()).contains("Trips.create").contains("malformed");
        assertThat(service.calls).hasValue(0);
        stillServes();
    }

    @Test
    void aFieldOfTheWrongTypeIsNamed() throws Exception {
        ErrorInfo e = errorOf(send(headers("create").build(), "{\"passengerId\": {\"nested\": 1}}".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.code()).isEqualTo("INVALID_ARGUMENT");
        assertThat(e.details()).containsEntry("field", "passengerId");
        stillServes();
    }

    @Test
    void anEmptyBodyIsAnInvalidArgument() throws Exception {
        assertThat(errorOf(send(headers("create").build(), new byte[0])).code()).isEqualTo("INVALID_ARGUMENT");
        stillServes();
    }

    @Test
    void anOversizedBodyIsRefusedBeforeParsing() throws Exception {
        byte[] huge = new byte[5 << 20];
        Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        ErrorInfo e = errorOf(send(headers("create").build(), huge));
        assertThat(e.code()).isEqualTo("INVALID_ARGUMENT");
        assertThat(e.message()).contains("limit: 4194304 bytes");
        stillServes();
    }

    @Test
    void deeplyNestedJsonIsRefused() throws Exception {
        // In a field the reader would skip as unknown, so only the depth limit can stop it.
        String deep = "{\"passengerId\":\"p\",\"junk\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        ErrorInfo e = errorOf(send(headers("create").build(), deep.getBytes(StandardCharsets.UTF_8)));
        assertThat(e.code()).isEqualTo("INVALID_ARGUMENT");
        assertThat(e.message()).containsIgnoringCase("nesting depth");
        stillServes();
    }

    @Test
    void polymorphicTypeHintsAreJustUnknownFields() throws Exception {
        String hostile = "{\"@class\":\"java.lang.ProcessBuilder\",\"passengerId\":\"p-x\",\"from\":\"a\",\"to\":\"b\","
                + "\"command\":[\"rm\",\"-rf\",\"/\"]}";
        Envelope reply = send(headers("create").build(), hostile.getBytes(StandardCharsets.UTF_8));
        assertThat(reply.headers().get(StandardHeaders.STATUS)).contains("ok");
        assertThat(service.calls).hasValue(1);
    }

    @Test
    void anUnknownOperationIsUnimplemented() throws Exception {
        ErrorInfo e = errorOf(send(headers("dropDatabase").build(), "{}".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.code()).isEqualTo("UNIMPLEMENTED");
        assertThat(e.message()).isEqualTo("trips/v1 has no operation 'dropDatabase'");
        stillServes();
    }

    @Test
    void aMissingOperationHeaderIsUnimplemented() throws Exception {
        assertThat(errorOf(send(headers("create").remove(StandardHeaders.OPERATION).build(), "{}".getBytes(StandardCharsets.UTF_8))).code())
                .isEqualTo("UNIMPLEMENTED");
        stillServes();
    }

    @Test
    void anotherMajorVersionIsUnimplemented() throws Exception {
        ErrorInfo e = errorOf(send(headers("create").set(StandardHeaders.CONTRACT_VERSION, "2.3").build(),
                requests.encode(new CreateTrip("p", "a", "b"))));
        assertThat(e.code()).isEqualTo("UNIMPLEMENTED");
        assertThat(e.message()).contains("version 2.3 is not served here (serving 1.0)");
        assertThat(errorOf(send(headers("create").set(StandardHeaders.CONTRACT_VERSION, "garbage").build(),
                requests.encode(new CreateTrip("p", "a", "b")))).code()).isEqualTo("UNIMPLEMENTED");
        assertThat(service.calls).hasValue(0);
        stillServes();
    }

    @Test
    void aMalformedDeadlineIsAnInvalidArgument() throws Exception {
        for (String bad : new String[] {"soon", "-5", "1.5", "99999999999999999999"}) {
            ErrorInfo e = errorOf(send(headers("create").set(StandardHeaders.DEADLINE, bad).build(),
                    requests.encode(new CreateTrip("p", "a", "b"))));
            assertThat(e.code()).as(bad).isEqualTo("INVALID_ARGUMENT");
            assertThat(e.message()).contains("parley-deadline");
        }
        assertThat(service.calls).hasValue(0);
        stillServes();
    }

    @Test
    void aMessageThatArrivesAfterItsDeadlineIsNotProcessed() throws Exception {
        ErrorInfo e = errorOf(send(headers("create").set(StandardHeaders.DEADLINE, "0").build(),
                requests.encode(new CreateTrip("p", "a", "b"))));
        assertThat(e.code()).isEqualTo("DEADLINE_EXCEEDED");
        assertThat(service.calls).hasValue(0);
        stillServes();
    }

    @Test
    void anUnsupportedContentTypeIsAnInvalidArgument() throws Exception {
        ErrorInfo e = errorOf(send(headers("create").set(StandardHeaders.CONTENT_TYPE, "application/x-java-serialized-object").build(),
                new byte[] {(byte) 0xac, (byte) 0xed, 0, 5}));
        assertThat(e.code()).isEqualTo("INVALID_ARGUMENT");
        assertThat(e.message()).contains("application/x-java-serialized-object").contains("not supported");
        stillServes();
    }

    @Test
    void cborGarbageIsAnInvalidArgumentAndValidCborIsServed() throws Exception {
        ErrorInfo e = errorOf(send(headers("create").set(StandardHeaders.CONTENT_TYPE, "application/cbor").build(),
                new byte[] {(byte) 0xff, (byte) 0xfe, 0x01, 0x02}));
        assertThat(e.code()).isEqualTo("INVALID_ARGUMENT");

        Envelope reply = send(headers("create").set(StandardHeaders.CONTENT_TYPE, "application/cbor").build(),
                Codec.cbor().<CreateTrip>forType(CreateTrip.class).encode(new CreateTrip("p-c", "a", "b")));
        assertThat(reply.headers().get(StandardHeaders.CONTENT_TYPE)).contains("application/cbor");
        assertThat(Codec.cbor().<TripView>forType(TripView.class).decode(reply.body()).id()).isEqualTo("t-p-c");
    }

    @Test
    void aCancellationBeforeTheReplyAndARepeatedMessageIdAreHarmless() throws Exception {
        var pending = channel.request(Envelope.of(headers("create").build(), requests.encode(new CreateTrip("p", "a", "b"))));
        pending.cancel(true); // may race with the reply: either way nothing breaks
        Envelope again = send(headers("create").build(), requests.encode(new CreateTrip("p", "a", "b")));
        assertThat(again.headers().get(StandardHeaders.STATUS)).contains("ok");
        stillServes();
    }
}
