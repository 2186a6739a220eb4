package dev.parley.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.UncheckedIOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Shared helpers for the codec tests: the two shipped codecs as parameter source, and plain
 * Jackson writers that produce documents the message records cannot express (wrong types,
 * explicit nulls, extra or hostile properties), in either format.
 */
final class CodecTestSupport {

    private static final ObjectMapper RAW_JSON = new ObjectMapper();
    private static final ObjectMapper RAW_CBOR = new ObjectMapper(new CBORFactory());

    private CodecTestSupport() {}

    /** {@code Codec.json()} and {@code Codec.cbor()}, named for the test report. */
    static Stream<Arguments> codecs() {
        return Stream.of(Arguments.of(Named.of("json", Codec.json())), Arguments.of(Named.of("cbor", Codec.cbor())));
    }

    /** A document in {@code codec}'s format holding {@code tree} (maps, lists, strings, numbers...). */
    static byte[] raw(Codec codec, Object tree) {
        try {
            return mapperFor(codec).writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectMapper mapperFor(Codec codec) {
        return switch (codec.contentType()) {
            case "application/json" -> RAW_JSON;
            case "application/cbor" -> RAW_CBOR;
            default -> throw new IllegalArgumentException(codec.contentType());
        };
    }

    static <T> T decode(Codec codec, Class<T> type, byte[] bytes) {
        return codec.<T>forType(type).decode(bytes);
    }

    static <T> byte[] encode(Codec codec, Class<T> type, T value) {
        return codec.<T>forType(type).encode(value);
    }
}
