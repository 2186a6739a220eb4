package dev.parley.codec;

import static dev.parley.codec.CodecTestSupport.decode;
import static dev.parley.codec.CodecTestSupport.encode;
import static dev.parley.codec.CodecTestSupport.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link CodecLimits}: depth, string length and document size, on decode and on encode. */
class CodecLimitsTest {

    record Node(String name, Node child) {}

    record Tree(String name, List<Tree> children) {}

    record Note(String text) {}

    record Batch(List<String> items) {}

    static final CodecLimits SMALL = CodecLimits.custom().maxNestingDepth(7).maxStringLength(1_000).maxDocumentBytes(4_096).build();

    static Codec small(Codec codec) {
        return codec.contentType().equals("application/json") ? Codec.json(SMALL) : Codec.cbor(SMALL);
    }

    /** {"name":"n","child":{"name":"n","child":...}} nested {@code depth} objects deep. */
    static Map<String, Object> chain(int depth) {
        Map<String, Object> leaf = new HashMap<>();
        leaf.put("name", "leaf");
        Map<String, Object> current = leaf;
        for (int i = 1; i < depth; i++) {
            Map<String, Object> parent = new HashMap<>();
            parent.put("name", "n" + i);
            parent.put("child", current);
            current = parent;
        }
        return current;
    }

    static Node nodeChain(int depth) {
        Node n = new Node("leaf", null);
        for (int i = 1; i < depth; i++) {
            n = new Node("n" + i, n);
        }
        return n;
    }

    static Tree listTree(int depth) {
        Tree t = new Tree("leaf", List.of());
        for (int i = 1; i < depth; i++) {
            t = new Tree("t" + i, List.of(t));
        }
        return t;
    }

    @Test
    void defaultsAreDocumented() {
        CodecLimits d = CodecLimits.ofDefaults();
        assertThat(d.maxNestingDepth()).isEqualTo(64);
        assertThat(d.maxStringLength()).isEqualTo(1_000_000);
        assertThat(d.maxDocumentBytes()).isEqualTo(4L << 20);
    }

    @Test
    void limitsThemselvesAreValidated() {
        assertThatThrownBy(() -> CodecLimits.custom().maxNestingDepth(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxNestingDepth");
        assertThatThrownBy(() -> CodecLimits.custom().maxStringLength(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxStringLength");
        assertThatThrownBy(() -> CodecLimits.custom().maxDocumentBytes(15).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDocumentBytes");
        assertThat(CodecLimits.from(SMALL).maxDocumentBytes(8_192).build())
                .isEqualTo(new CodecLimits(7, 1_000, 8_192));
    }

    // ---- nesting depth -------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void nestingWithinTheLimitDecodes(Codec codec) {
        Node within = nodeChain(7);

        assertThat(decode(small(codec), Node.class, raw(codec, chain(7)))).isEqualTo(within);
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void nestingDeeperThanTheLimitIsRejectedNamingTheLimit(Codec codec) {
        DecodingException e = catchThrowableOfType(DecodingException.class,
                () -> decode(small(codec), Node.class, raw(codec, chain(8))));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).containsIgnoringCase("depth").contains("7");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void nestingThroughListsCountsToo(Codec codec) {
        // every level is an object inside an array: two levels of nesting per tree level
        byte[] deep = encode(Codec.json(), Tree.class, listTree(5));
        byte[] bytes = raw(codec, readJsonTree(deep));

        DecodingException e = catchThrowableOfType(DecodingException.class, () -> decode(small(codec), Tree.class, bytes));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).containsIgnoringCase("depth").contains("7");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void defaultDepthLimitStopsADeepDocument(Codec codec) {
        DecodingException e = catchThrowableOfType(DecodingException.class,
                () -> decode(codec, Node.class, raw(codec, chain(200))));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).containsIgnoringCase("depth").contains("64");
    }

    @Test
    void bracketBombIsRejectedByDepthNotByStackOverflow() {
        byte[] bomb = new byte[100_000];
        Arrays.fill(bomb, (byte) '[');

        DecodingException e = catchThrowableOfType(DecodingException.class, () -> decode(Codec.json(), Node.class, bomb));

        assertThat(e).isNotNull();
    }

    // ---- string length -------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void stringAtTheLimitDecodes(Codec codec) {
        Note note = new Note("x".repeat(1_000));

        assertThat(decode(small(codec), Note.class, raw(codec, Map.of("text", note.text())))).isEqualTo(note);
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void stringLongerThanTheLimitIsRejectedNamingTheLimit(Codec codec) {
        byte[] bytes = raw(codec, Map.of("text", "x".repeat(3_000)));
        assertThat(bytes.length).as("the document is within the size limit").isLessThan(4_096);

        DecodingException e = catchThrowableOfType(DecodingException.class, () -> decode(small(codec), Note.class, bytes));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).containsIgnoringCase("length").contains("1000");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void longFieldNameIsLimitedToo(Codec codec) {
        byte[] bytes = raw(codec, Map.of("k".repeat(3_000), "v", "text", "t"));

        // either ignored as an unknown field or rejected; never another exception
        try {
            assertThat(decode(small(codec), Note.class, bytes)).isEqualTo(new Note("t"));
        } catch (DecodingException acceptable) {
            assertThat(acceptable.getMessage()).isNotBlank();
        }
    }

    // ---- document size -------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void documentLargerThanTheLimitIsRejectedNamingTheLimit(Codec codec) {
        byte[] bytes = raw(codec, Map.of("items", List.of("a".repeat(900), "b".repeat(900), "c".repeat(900),
                "d".repeat(900), "e".repeat(900))));
        assertThat(bytes.length).isGreaterThan(4_096);

        DecodingException e = catchThrowableOfType(DecodingException.class, () -> decode(small(codec), Batch.class, bytes));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("4096").contains(Integer.toString(bytes.length));
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void tenMegabyteBodyIsRejectedBeforeParsing(Codec codec) {
        byte[] huge = new byte[10 << 20];
        Arrays.fill(huge, (byte) '['); // would be a nesting bomb if it were parsed at all

        DecodingException e = catchThrowableOfType(DecodingException.class, () -> decode(codec, Note.class, huge));

        assertThat(e).isNotNull();
        // the size check, not a parser error: the message is about bytes, quoting the size and the 4 MiB limit
        assertThat(e.getMessage()).contains(Integer.toString(10 << 20)).contains(Long.toString(4L << 20));
        assertThat(e.getCause()).isNull();
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void encodingOverTheLimitFailsNamingTheLimit(Codec codec) {
        Batch big = new Batch(List.of("a".repeat(900), "b".repeat(900), "c".repeat(900), "d".repeat(900), "e".repeat(900)));

        EncodingException e = catchThrowableOfType(EncodingException.class, () -> encode(small(codec), Batch.class, big));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("limit").contains("4096").contains("Batch");
    }

    @ParameterizedTest
    @MethodSource("dev.parley.codec.CodecTestSupport#codecs")
    void encodingUnderTheLimitSucceeds(Codec codec) {
        Batch ok = new Batch(List.of("a".repeat(900), "b".repeat(900)));

        assertThat(decode(small(codec), Batch.class, encode(small(codec), Batch.class, ok))).isEqualTo(ok);
    }

    @Test
    void limitsApplyPerCodecInstanceNotGlobally() {
        byte[] bytes = raw(Codec.json(), Map.of("text", "x".repeat(3_000)));

        assertThat(decode(Codec.json(), Note.class, bytes).text()).hasSize(3_000);
        assertThatThrownBy(() -> decode(Codec.json(SMALL), Note.class, bytes)).isInstanceOf(DecodingException.class);
    }

    private static Object readJsonTree(byte[] json) {
        try {
            return CodecTestSupport.mapperFor(Codec.json()).readValue(new String(json, StandardCharsets.UTF_8), Object.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
