package dev.parley.codec;

import org.jspecify.annotations.Nullable;
import java.util.Optional;

/**
 * Bytes that are not a valid message of the expected type: malformed, too deep, too large, or
 * with a field of the wrong type. {@link #field()} names the offending field path when known,
 * e.g. {@code pickup.lat}.
 */
public final class DecodingException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final @Nullable String field;

    public DecodingException(String message, @Nullable String field, @Nullable Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The JSON path of the field that failed, e.g. {@code pickup.lat}; empty when the document itself is bad. */
    public Optional<String> field() {
        return Optional.ofNullable(field).filter(f -> !f.isEmpty());
    }
}
