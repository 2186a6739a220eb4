package dev.parley.codec;

import java.lang.reflect.Type;

/**
 * Turns messages into bytes and back for one content type. Parley ships {@link #json()} (the
 * default) and {@link #cbor()} (compact binary, RFC 8949); a transport picks the codec named by
 * the envelope's {@code content-type} header.
 *
 * <p>Every codec is a tolerant reader: unknown fields are ignored, and missing fields get their
 * declared {@link dev.parley.contract.Default} or their type's default (zero, empty collection,
 * {@code Optional.empty()}, otherwise {@code null}). None uses Java serialization or polymorphic
 * typing, and each caps nesting depth, string length and document size
 * ({@link CodecLimits}).
 *
 * <p>Codecs are thread-safe and expensive to create: share them. Bind a codec to a type once
 * with {@link #forType(Type)} and keep the {@link TypedCodec}; that is the fast path.
 */
public interface Codec {

    /** The media type written to the {@code content-type} header, e.g. {@code application/json}. */
    String contentType();

    /** A reader and writer for one message type, cached by the caller. */
    <T> TypedCodec<T> forType(Type type);

    /** JSON with the default {@link CodecLimits}. */
    static Codec json() {
        return JacksonCodec.JSON_DEFAULT;
    }

    /** CBOR (RFC 8949) with the default {@link CodecLimits}. */
    static Codec cbor() {
        return JacksonCodec.CBOR_DEFAULT;
    }

    static Codec json(CodecLimits limits) {
        return JacksonCodec.json(limits);
    }

    static Codec cbor(CodecLimits limits) {
        return JacksonCodec.cbor(limits);
    }
}
