package dev.parley.codec;

/**
 * A {@link Codec} bound to one message type.
 *
 * @param <T> the message type
 */
public interface TypedCodec<T> {

    /** @throws EncodingException when the value cannot be written or is larger than the limit */
    byte[] encode(T value);

    /** @throws DecodingException naming the field and the problem when the bytes are not a valid {@code T} */
    T decode(byte[] bytes);
}
