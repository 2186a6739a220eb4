package dev.parley.codec;

import static dev.parley.codec.CodecTestSupport.decode;
import static dev.parley.codec.CodecTestSupport.encode;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every value type a message may hold survives encode then decode, in JSON and in CBOR. */
class CodecRoundTripTest {

    enum Vehicle { STANDARD, COMFORT, VAN }

    record GeoPoint(double lat, double lon) {}

    record Stop(String label, GeoPoint at, Optional<String> note) {}

    record Trip(
            String id,
            int seats,
            long distanceMeters,
            double rating,
            float tip,
            boolean shared,
            Instant requestedAt,
            Duration estimate,
            UUID riderId,
            BigDecimal fare,
            Vehicle vehicle,
            List<String> tags,
            Set<Integer> zones,
            Map<String, Long> counters,
            Optional<String> promo,
            Optional<GeoPoint> dropoff,
            GeoPoint pickup,
            List<Stop> stops,
            Map<String, GeoPoint> named) {}

    record Wrapper(Trip trip, List<List<Integer>> grid) {}

    static Trip fullTrip() {
        return new Trip(
                "trip-42 \u00e9\u4e2d\ud83d\ude95 \"quoted\" \\ back",
                3,
                9_876_543_210L,
                4.75,
                1.5f,
                true,
                Instant.parse("2024-05-06T07:08:09.123456789Z"),
                Duration.ofMinutes(12).plusMillis(345),
                UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e"),
                new BigDecimal("12345678901234567890.125"),
                Vehicle.COMFORT,
                List.of("airport", "night", ""),
                Set.of(1, 2, 3),
                Map.of("a", 1L, "b", Long.MAX_VALUE, "c", Long.MIN_VALUE),
                Optional.of("SPRING"),
                Optional.of(new GeoPoint(-33.8688, 151.2093)),
                new GeoPoint(48.8566, 2.3522),
                List.of(new Stop("first", new GeoPoint(1.0, 2.0), Optional.of("ring twice")),
                        new Stop("second", new GeoPoint(-1.0, -2.0), Optional.empty())),
                Map.of("home", new GeoPoint(0.0, 0.0), "work", new GeoPoint(10.5, -20.25)));
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void roundTripsEveryValueType(Codec codec) {
        Trip trip = fullTrip();

        Trip decoded = decode(codec, Trip.class, encode(codec, Trip.class, trip));

        assertThat(decoded).isEqualTo(trip);
        assertThat(decoded.fare().scale()).isEqualTo(3);
        assertThat(decoded.requestedAt().getNano()).isEqualTo(123_456_789);
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void roundTripsEmptyAndAbsentValues(Codec codec) {
        Trip trip = new Trip("t", 0, 0, 0.0, 0f, false, Instant.EPOCH, Duration.ZERO,
                new UUID(0, 0), BigDecimal.ZERO, Vehicle.STANDARD, List.of(), Set.of(), Map.of(),
                Optional.empty(), Optional.empty(), new GeoPoint(0, 0), List.of(), Map.of());

        Trip decoded = decode(codec, Trip.class, encode(codec, Trip.class, trip));

        assertThat(decoded).isEqualTo(trip);
        assertThat(decoded.promo()).isEmpty();
        assertThat(decoded.dropoff()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void roundTripsNestedRecordsAndCollections(Codec codec) {
        Wrapper wrapper = new Wrapper(fullTrip(), List.of(List.of(1, 2), List.of(), List.of(3)));

        Wrapper decoded = decode(codec, Wrapper.class, encode(codec, Wrapper.class, wrapper));

        assertThat(decoded).isEqualTo(wrapper);
        assertThat(decoded.trip().stops().get(0).at().lat()).isEqualTo(1.0);
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void roundTripsExtremeNumbers(Codec codec) {
        GeoPoint[] points = {
            new GeoPoint(Double.MAX_VALUE, -Double.MAX_VALUE),
            new GeoPoint(Double.MIN_VALUE, -0.0),
            new GeoPoint(0.1, 1e-300),
        };
        for (GeoPoint point : points) {
            assertThat(decode(codec, GeoPoint.class, encode(codec, GeoPoint.class, point))).isEqualTo(point);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void typedCodecIsReusableAcrossMessages(Codec codec) {
        TypedCodec<GeoPoint> typed = codec.forType(GeoPoint.class);
        for (int i = 0; i < 100; i++) {
            GeoPoint p = new GeoPoint(i, -i);
            assertThat(typed.decode(typed.encode(p))).isEqualTo(p);
        }
    }

    @Test
    void jsonWritesReadableIsoTimesAndNamesNotNumbers() {
        Trip trip = fullTrip();
        String json = new String(encode(Codec.json(), Trip.class, trip), java.nio.charset.StandardCharsets.UTF_8);

        assertThat(json)
                .contains("\"requestedAt\":\"2024-05-06T07:08:09.123456789Z\"")
                .contains("\"estimate\":\"PT12M0.345S\"")
                .contains("\"vehicle\":\"COMFORT\"")
                .contains("\"riderId\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"");
    }

    @Test
    void absentOptionalsAreNotWrittenAtAll() {
        Stop stop = new Stop("s", new GeoPoint(1, 2), Optional.empty());
        String json = new String(encode(Codec.json(), Stop.class, stop), java.nio.charset.StandardCharsets.UTF_8);

        assertThat(json).doesNotContain("note");
    }

    @Test
    void contentTypesNameTheFormats() {
        assertThat(Codec.json().contentType()).isEqualTo("application/json");
        assertThat(Codec.cbor().contentType()).isEqualTo("application/cbor");
    }

    @Test
    void cborIsMoreCompactThanJsonForTheSameMessage() {
        Trip trip = fullTrip();
        assertThat(encode(Codec.cbor(), Trip.class, trip).length).isLessThan(encode(Codec.json(), Trip.class, trip).length);
    }
}
