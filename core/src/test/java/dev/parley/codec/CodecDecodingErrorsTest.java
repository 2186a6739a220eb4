package dev.parley.codec;

import static dev.parley.codec.CodecTestSupport.decode;
import static dev.parley.codec.CodecTestSupport.encode;
import static dev.parley.codec.CodecTestSupport.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input fails with a {@link DecodingException} (never another exception type) that says
 * what was wrong and, for a field of the wrong type, where.
 */
class CodecDecodingErrorsTest {

    record Point(double lat, double lon) {}

    record Ride(String id, Point pickup, List<Point> stops, int seats) {}

    record Timed(String id, Instant at, UUID ref) {}

    record Fare(long cents) {
        Fare {
            if (cents < 0) {
                throw new IllegalArgumentException("cents must not be negative, got " + cents);
            }
        }
    }

    record Order(String id, Fare fare) {}

    static Map<String, Object> point(Object lat, Object lon) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("lat", lat);
        p.put("lon", lon);
        return p;
    }

    static Map<String, Object> ride(Object pickup, Object stops, Object seats) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", "r-1");
        r.put("pickup", pickup);
        r.put("stops", stops);
        r.put("seats", seats);
        return r;
    }

    static DecodingException decodingFailure(Codec codec, Class<?> type, byte[] bytes) {
        DecodingException e = catchThrowableOfType(DecodingException.class, () -> decode(codec, type, bytes));
        assertThat(e).as("decode must fail with a DecodingException").isNotNull();
        return e;
    }

    // ---- validation in the record's constructor --------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void constructorRejectionBecomesDecodingExceptionWithItsMessage(Codec codec) {
        DecodingException e = decodingFailure(codec, Fare.class, raw(codec, Map.of("cents", -5)));

        assertThat(e).hasMessageContaining("cents must not be negative, got -5");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void nestedConstructorRejectionBecomesDecodingException(Codec codec) {
        DecodingException e = decodingFailure(codec, Order.class, raw(codec, Map.of("id", "o", "fare", Map.of("cents", -1))));

        assertThat(e).hasMessageContaining("cents must not be negative, got -1");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void validValuesPassTheConstructor(Codec codec) {
        assertThat(decode(codec, Fare.class, raw(codec, Map.of("cents", 250)))).isEqualTo(new Fare(250));
    }

    // ---- wrong types, with the field path -------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void wrongTypeAtTopLevelNamesTheField(Codec codec) {
        DecodingException e = decodingFailure(codec, Ride.class, raw(codec, ride(point(1, 2), List.of(), "many")));

        assertThat(e.field()).contains("seats");
        assertThat(e).hasMessageContaining("seats");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void wrongTypeInNestedRecordNamesThePath(Codec codec) {
        DecodingException e = decodingFailure(codec, Ride.class, raw(codec, ride(point("north", 2.0), List.of(), 1)));

        assertThat(e.field()).contains("pickup.lat");
        assertThat(e).hasMessageContaining("pickup.lat");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void wrongTypeInListElementNamesTheIndex(Codec codec) {
        Object stops = List.of(point(1.0, 2.0), point(3.0, 4.0), point(5.0, List.of("not", "a", "number")));

        DecodingException e = decodingFailure(codec, Ride.class, raw(codec, ride(point(0, 0), stops, 1)));

        assertThat(e.field()).contains("stops[2].lon");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void objectWhereAListIsExpectedNamesTheField(Codec codec) {
        DecodingException e = decodingFailure(codec, Ride.class, raw(codec, ride(point(0, 0), Map.of("a", 1), 1)));

        assertThat(e.field()).contains("stops");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void scalarWhereARecordIsExpectedNamesTheField(Codec codec) {
        DecodingException e = decodingFailure(codec, Ride.class, raw(codec, ride("here", List.of(), 1)));

        assertThat(e.field()).contains("pickup");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void unparseableInstantAndUuidNameTheField(Codec codec) {
        assertThat(decodingFailure(codec, Timed.class, raw(codec, Map.of("id", "t", "at", "yesterday"))).field())
                .contains("at");
        assertThat(decodingFailure(codec, Timed.class, raw(codec, Map.of("id", "t", "ref", "not-a-uuid"))).field())
                .contains("ref");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void documentThatIsNotAnObjectFailsWithoutField(Codec codec) {
        for (Object notAnObject : List.of(List.of(1, 2), "text", 42, true)) {
            DecodingException e = decodingFailure(codec, Ride.class, raw(codec, notAnObject));
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    // ---- malformed, truncated, empty, trailing garbage -----------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"id\": \"r-1\", ",
        "{\"id\": \"r-1\"",
        "{\"id\": \"unterminated}",
        "{id: \"r-1\"}",
        "{\"id\": 'single'}",
        "{\"id\" \"r-1\"}",
        "{\"id\": \"r-1\",}",
        "[1, 2,",
        "nul",
        "{\"seats\": 01}",
        "{\"seats\": 1e}",
        "\u0000",
        "   ",
        "}",
    })
    void malformedJsonIsRejected(String text) {
        DecodingException e = decodingFailure(Codec.json(), Ride.class, text.getBytes(StandardCharsets.UTF_8));

        assertThat(e.getMessage()).isNotBlank();
    }

    @Test
    void invalidUtf8IsRejected() {
        byte[] bytes = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

        decodingFailure(Codec.json(), Ride.class, bytes);
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void emptyInputIsRejected(Codec codec) {
        DecodingException e = decodingFailure(codec, Ride.class, new byte[0]);

        assertThat(e).hasMessageContaining("empty");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void everyTruncationOfAValidDocumentIsRejected(Codec codec) {
        Ride valid = new Ride("r-1", new Point(1.5, 2.5), List.of(new Point(3, 4)), 2);
        byte[] bytes = encode(codec, Ride.class, valid);
        assertThat(decode(codec, Ride.class, bytes)).isEqualTo(valid);

        for (int length = 0; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            int cut = length;
            assertThatThrownBy(() -> decode(codec, Ride.class, truncated))
                    .as("truncated to %d of %d bytes", cut, bytes.length)
                    .isInstanceOf(DecodingException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void trailingDocumentAfterAValidOneIsRejected(Codec codec) {
        byte[] one = encode(codec, Point.class, new Point(1, 2));
        byte[] two = Arrays.copyOf(one, one.length * 2);
        System.arraycopy(one, 0, two, one.length, one.length);

        decodingFailure(codec, Point.class, two);
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void trailingScalarAfterAValidDocumentIsRejected(Codec codec) {
        byte[] one = encode(codec, Point.class, new Point(1, 2));
        byte[] extra = raw(codec, 7);
        byte[] both = Arrays.copyOf(one, one.length + extra.length);
        System.arraycopy(extra, 0, both, one.length, extra.length);

        decodingFailure(codec, Point.class, both);
    }

    @ParameterizedTest
    @ValueSource(strings = {" xyz", "}", "]", " {\"lat\": 3}", ",", " 0"})
    void trailingGarbageAfterValidJsonIsRejected(String garbage) {
        byte[] bytes = ("{\"lat\": 1, \"lon\": 2}" + garbage).getBytes(StandardCharsets.UTF_8);

        decodingFailure(Codec.json(), Point.class, bytes);
    }

    @Test
    void trailingWhitespaceAfterValidJsonIsFine() {
        byte[] bytes = "{\"lat\": 1, \"lon\": 2}  \n\t ".getBytes(StandardCharsets.UTF_8);

        assertThat(decode(Codec.json(), Point.class, bytes)).isEqualTo(new Point(1, 2));
    }

    // ---- CBOR-specific garbage -----------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("garbageCbor")
    void garbageCborIsRejected(byte[] bytes) {
        decodingFailure(Codec.cbor(), Ride.class, bytes);
    }

    static List<byte[]> garbageCbor() {
        return List.of(
                new byte[] {(byte) 0xFF},                                   // "break" outside an indefinite item
                new byte[] {(byte) 0x1C},                                   // reserved additional information
                new byte[] {(byte) 0xFE, 0x01, 0x02},                       // reserved simple value encoding
                new byte[] {(byte) 0xA1, 0x62, 'i', 'd'},                   // map of one, value missing
                new byte[] {(byte) 0xA1, 0x7B, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 'x'}, // absurd key length
                new byte[] {(byte) 0xBF, 0x62, 'i', 'd', 0x61, 'x'},        // indefinite map without its break
                new byte[] {(byte) 0x9B, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F}, // array claiming 2^63 items
                "{\"id\":\"r\"}".getBytes(StandardCharsets.UTF_8));         // JSON is not CBOR
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void randomBytesNeverEscapeAsAnotherExceptionType(Codec codec) {
        Random random = new Random(20240506L);
        byte[] valid = encode(codec, Ride.class, new Ride("r-1", new Point(1, 2), List.of(new Point(3, 4)), 2));
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes;
            if (i % 2 == 0) {
                bytes = new byte[1 + random.nextInt(64)];
                random.nextBytes(bytes);
            } else {
                bytes = valid.clone(); // a valid document with a few bytes flipped
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            byte[] input = bytes;
            try {
                decode(codec, Ride.class, input);
            } catch (DecodingException expected) {
                // the only acceptable failure
            } catch (Throwable other) {
                throw new AssertionError("decode threw " + other + " for " + Arrays.toString(input), other);
            }
        }
    }

    // ---- hostile documents ---------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void typeIdPropertiesAreIgnoredNotInstantiated(Codec codec) {
        Map<String, Object> pickup = new LinkedHashMap<>();
        pickup.put("@class", "java.lang.ProcessBuilder");
        pickup.put("@type", "java.net.URL");
        pickup.put("lat", 1.0);
        pickup.put("lon", 2.0);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("@class", "javax.management.BadAttributeValueExpException");
        doc.put("@type", "com.sun.rowset.JdbcRowSetImpl");
        doc.put("@c", ".Hostile");
        doc.put("id", "r-1");
        doc.put("pickup", pickup);
        doc.put("stops", List.of("java.util.HashMap", Map.of("lat", 3.0, "lon", 4.0)));

        // a type-id array in a list of records is just a malformed element, reported as such
        assertThatThrownBy(() -> decode(codec, Ride.class, raw(codec, doc))).isInstanceOf(DecodingException.class);

        doc.put("stops", List.of(Map.of("@class", "java.lang.Runtime", "lat", 3.0, "lon", 4.0)));
        Ride decoded = decode(codec, Ride.class, raw(codec, doc));

        assertThat(decoded).isEqualTo(new Ride("r-1", new Point(1, 2), List.of(new Point(3, 4)), 0));
    }

    @Test
    void jacksonDefaultTypingArrayFormIsNotHonoured() {
        byte[] bytes = "[\"java.lang.ProcessBuilder\", {\"command\": [\"touch\", \"/tmp/pwned\"]}]".getBytes(StandardCharsets.UTF_8);

        decodingFailure(Codec.json(), Ride.class, bytes);
    }
}
