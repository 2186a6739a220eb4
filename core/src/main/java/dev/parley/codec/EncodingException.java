package dev.parley.codec;

import org.jspecify.annotations.Nullable;

/** A message that cannot be encoded, or whose encoding is larger than the configured limit. */
public final class EncodingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EncodingException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
