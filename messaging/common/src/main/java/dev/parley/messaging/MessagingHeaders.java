package dev.parley.messaging;

import dev.parley.message.Envelope;
import dev.parley.message.Headers;

/**
 * The headers the broker transports add to Parley's standard headers (see
 * {@link dev.parley.message.StandardHeaders}). On the broker every header is a UTF-8 string.
 */
public final class MessagingHeaders {

    /** When the message was published, in epoch milliseconds; with {@code parley-deadline} it dates the deadline. */
    public static final String SENT_AT = "parley-sent-at";
    /** Deliveries made so far: on a retried message, and on a dead letter. */
    public static final String DELIVERY_ATTEMPTS = "parley-delivery-attempts";
    /** Why a message was dead-lettered, e.g. {@code INTERNAL: trips/v1 tripRequested failed (error id 1a2b3c4d)}. */
    public static final String DEAD_LETTER_REASON = "parley-dead-letter-reason";
    /** The channel a dead letter was consumed from. */
    public static final String DEAD_LETTER_CHANNEL = "parley-dead-letter-channel";
    /** The group a dead letter was consumed by. */
    public static final String DEAD_LETTER_GROUP = "parley-dead-letter-group";
    /** Orders messages with equal keys where the broker can (a Kafka record key); optional. */
    public static final String KEY = "parley-key";

    private MessagingHeaders() {}

    /**
     * The dead letter of {@code raw}: its headers and body, plus the reason, origin and attempts.
     * Header values that are not valid Parley headers are left out (they are why some messages
     * are dead letters); the reason is cut to {@link Headers#MAX_VALUE_LENGTH}.
     */
    public static Envelope deadLettered(RawMessage raw, String channel, String group, String reason) {
        Headers.Builder b = Headers.builder();
        int kept = 0;
        for (var header : raw.headers().entrySet()) {
            String name = header.getKey();
            if (kept == Headers.MAX_HEADERS - 4 || name.startsWith("parley-dead-letter-") || name.equals(DELIVERY_ATTEMPTS)) {
                continue;
            }
            try {
                b.set(name, header.getValue());
                kept++;
            } catch (IllegalArgumentException e) {
                // An invalid header is left out of the dead letter; the reason says what was wrong.
            }
        }
        String cut = reason.length() > 1024 ? reason.substring(0, 1024) + "..." : reason;
        b.set(DEAD_LETTER_REASON, sanitize(cut)).set(DEAD_LETTER_CHANNEL, channel).set(DEAD_LETTER_GROUP, group)
                .set(DELIVERY_ATTEMPTS, Integer.toString(raw.deliveryAttempt()));
        return Envelope.of(b.build(), raw.body());
    }

    /** {@code text} with control characters replaced, so that it is a valid header value. */
    static String sanitize(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return b.toString();
    }
}
