package dev.parley.codec;

import static dev.parley.codec.CodecTestSupport.decode;
import static dev.parley.codec.CodecTestSupport.encode;
import static dev.parley.codec.CodecTestSupport.raw;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.contract.Default;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tolerant reader: a newer sender's extra fields are ignored, an older sender's missing
 * fields take their declared or type default, and unknown enum constants do not fail a message.
 */
class CodecTolerantReaderTest {

    enum Tier { STANDARD, PREMIUM }

    record Point(double lat, double lon) {}

    /** Release 1.0 of a message. */
    record QuoteV1(String id, int seats) {}

    /** Release 1.1 of the same message: more fields, of every shape. */
    record QuoteV2(String id, int seats, String currency, Point pickup, List<Point> stops, Map<String, Integer> extras,
                   Optional<String> promo, Tier tier, double surcharge) {}

    /** What an old sender's {@code {"id": ...}} becomes in a newer receiver. */
    record QuoteWithDefaults(
            String id,
            @Default("standard") String tierName,
            @Default("3") int seats,
            @Default("true") boolean shared,
            @Default("2.5") double factor,
            @Default("[\"a\",\"b\"]") List<String> defaultTags,
            Optional<String> promo,
            Optional<Point> dropoff,
            List<String> tags,
            Set<String> labels,
            Map<String, Integer> extras,
            int plainInt,
            long plainLong,
            double plainDouble,
            boolean plainBoolean,
            String plainString,
            Point plainRecord,
            Integer boxedInt) {}

    record WithEnums(String id, Tier tier, @Default("PREMIUM") Tier tierWithDefault, List<Tier> tiers) {}

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void ignoresFieldsFromANewerSender(Codec codec) {
        QuoteV2 newer = new QuoteV2("q-1", 2, "EUR", new Point(1, 2), List.of(new Point(3, 4)), Map.of("bags", 2),
                Optional.of("X"), Tier.PREMIUM, 1.25);

        QuoteV1 older = decode(codec, QuoteV1.class, encode(codec, QuoteV2.class, newer));

        assertThat(older).isEqualTo(new QuoteV1("q-1", 2));
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void ignoresUnknownFieldsOfAnyShapeAndOrder(Codec codec) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("before", Map.of("deep", List.of(Map.of("deeper", List.of(1, 2, 3)))));
        doc.put("id", "q-2");
        doc.put("nothing", null);
        doc.put("seats", 4);
        doc.put("after", List.of("x", 1.5, true));

        assertThat(decode(codec, QuoteV1.class, raw(codec, doc))).isEqualTo(new QuoteV1("q-2", 4));
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void missingFieldsTakeDeclaredAndTypeDefaults(Codec codec) {
        QuoteWithDefaults q = decode(codec, QuoteWithDefaults.class, encode(codec, QuoteV1.class, new QuoteV1("q-3", 0)));

        assertThat(q.id()).isEqualTo("q-3");
        assertThat(q.seats()).as("present on the wire, so not defaulted").isZero();
        assertThat(q.tierName()).isEqualTo("standard");
        assertThat(q.shared()).isTrue();
        assertThat(q.factor()).isEqualTo(2.5);
        assertThat(q.defaultTags()).containsExactly("a", "b");
        assertThat(q.promo()).isEqualTo(Optional.empty());
        assertThat(q.dropoff()).isEqualTo(Optional.empty());
        assertThat(q.tags()).isNotNull().isEmpty();
        assertThat(q.labels()).isNotNull().isEmpty();
        assertThat(q.extras()).isNotNull().isEmpty();
        assertThat(q.plainInt()).isZero();
        assertThat(q.plainLong()).isZero();
        assertThat(q.plainDouble()).isZero();
        assertThat(q.plainBoolean()).isFalse();
        assertThat(q.plainString()).isNull();
        assertThat(q.plainRecord()).isNull();
        assertThat(q.boxedInt()).isNull();
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void missingIntWithDefaultGetsTheDefault(Codec codec) {
        QuoteWithDefaults q = decode(codec, QuoteWithDefaults.class, raw(codec, Map.of("id", "q-4")));

        assertThat(q.seats()).isEqualTo(3);
        assertThat(q.tierName()).isEqualTo("standard");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void explicitNullsTakeTheDefaultsToo(Codec codec) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", "q-5");
        doc.put("tierName", null);
        doc.put("defaultTags", null);
        doc.put("promo", null);
        doc.put("dropoff", null);
        doc.put("tags", null);
        doc.put("labels", null);
        doc.put("extras", null);
        doc.put("plainInt", null);
        doc.put("plainString", null);

        QuoteWithDefaults q = decode(codec, QuoteWithDefaults.class, raw(codec, doc));

        assertThat(q.tierName()).isEqualTo("standard");
        assertThat(q.defaultTags()).containsExactly("a", "b");
        assertThat(q.promo()).isEmpty();
        assertThat(q.dropoff()).isEmpty();
        assertThat(q.tags()).isNotNull().isEmpty();
        assertThat(q.labels()).isNotNull().isEmpty();
        assertThat(q.extras()).isNotNull().isEmpty();
        assertThat(q.plainInt()).isZero();
        assertThat(q.plainString()).isNull();
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void explicitNullForAPrimitiveReadsAsZeroAsDocumentedOnDefault(Codec codec) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", "q-6");
        doc.put("seats", null);
        doc.put("shared", null);
        doc.put("factor", null);

        QuoteWithDefaults q = decode(codec, QuoteWithDefaults.class, raw(codec, doc));

        // @Default covers absent fields and nulls of reference types; a null primitive is zero (see Default's Javadoc).
        assertThat(q.seats()).isZero();
        assertThat(q.shared()).isFalse();
        assertThat(q.factor()).isZero();
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void emptyDocumentIsAllDefaults(Codec codec) {
        QuoteWithDefaults q = decode(codec, QuoteWithDefaults.class, raw(codec, Map.of()));

        assertThat(q.id()).isNull();
        assertThat(q.seats()).isEqualTo(3);
        assertThat(q.tags()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void defaultedCollectionsAreNotSharedBetweenMessages(Codec codec) {
        byte[] bytes = raw(codec, Map.of("id", "q"));
        QuoteWithDefaults first = decode(codec, QuoteWithDefaults.class, bytes);
        QuoteWithDefaults second = decode(codec, QuoteWithDefaults.class, bytes);

        try {
            first.defaultTags().add("mutated");
        } catch (UnsupportedOperationException immutable) {
            // also fine: nothing can leak
        }
        assertThat(second.defaultTags()).containsExactly("a", "b");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void unknownEnumConstantBecomesNullOrTheDeclaredDefault(Codec codec) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", "e");
        doc.put("tier", "PLATINUM");
        doc.put("tierWithDefault", "PLATINUM");

        WithEnums decoded = decode(codec, WithEnums.class, raw(codec, doc));

        assertThat(decoded.tier()).isNull();
        assertThat(decoded.tierWithDefault()).isEqualTo(Tier.PREMIUM);
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void knownEnumConstantsAreKept(Codec codec) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", "e");
        doc.put("tier", "STANDARD");
        doc.put("tierWithDefault", "STANDARD");
        doc.put("tiers", List.of("PREMIUM", "STANDARD"));

        WithEnums decoded = decode(codec, WithEnums.class, raw(codec, doc));

        assertThat(decoded).isEqualTo(new WithEnums("e", Tier.STANDARD, Tier.STANDARD, List.of(Tier.PREMIUM, Tier.STANDARD)));
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void unknownEnumConstantInAListDoesNotFailTheMessage(Codec codec) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", "e");
        doc.put("tiers", List.of("PREMIUM", "PLATINUM"));

        WithEnums decoded = decode(codec, WithEnums.class, raw(codec, doc));

        List<Tier> expected = new ArrayList<>();
        expected.add(Tier.PREMIUM);
        expected.add(null);
        assertThat(decoded.tiers()).isEqualTo(expected);
        assertThat(decoded.tierWithDefault()).as("missing: the declared default").isEqualTo(Tier.PREMIUM);
    }
}
