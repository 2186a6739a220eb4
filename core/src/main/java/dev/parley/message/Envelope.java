package dev.parley.message;

import org.jspecify.annotations.Nullable;
import java.util.Optional;

/**
 * A message as transports see it: {@link Headers} plus an encoded body.
 *
 * <p>The in-process transport can also carry the message object itself ("local" envelopes,
 * {@link #local}) when configured to pass messages by reference; such an envelope has an empty
 * {@link #body()} and never leaves the JVM.
 */
public final class Envelope {

    private static final byte[] NO_BODY = new byte[0];

    private final Headers headers;
    private final byte[] body;
    private final @Nullable Object localMessage;

    private Envelope(Headers headers, byte[] body, @Nullable Object localMessage) {
        this.headers = headers;
        this.body = body;
        this.localMessage = localMessage;
    }

    /** An envelope with an encoded body. The array is not copied: don't change it afterwards. */
    public static Envelope of(Headers headers, byte[] body) {
        return new Envelope(headers, body, null);
    }

    public static Envelope withoutBody(Headers headers) {
        return new Envelope(headers, NO_BODY, null);
    }

    /** An in-process envelope carrying the message object by reference (may be {@code null} for no body). */
    public static Envelope local(Headers headers, @Nullable Object message) {
        return new Envelope(headers, NO_BODY, message);
    }

    public Headers headers() {
        return headers;
    }

    public byte[] body() {
        return body;
    }

    public boolean isLocal() {
        return localMessage != null;
    }

    public Optional<Object> localMessage() {
        return Optional.ofNullable(localMessage);
    }

    /** A copy with other headers and the same body. */
    public Envelope withHeaders(Headers newHeaders) {
        return new Envelope(newHeaders, body, localMessage);
    }

    @Override
    public String toString() {
        return "Envelope{" + headers + ", " + (localMessage != null ? "local " + localMessage.getClass().getSimpleName() : body.length + " bytes") + "}";
    }
}
