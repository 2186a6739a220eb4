package dev.parley.messaging.rabbitmq;

import com.rabbitmq.client.LongString;
import org.jspecify.annotations.Nullable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps Parley's string headers to AMQP message headers and back.
 *
 * <p>Outbound every header becomes an AMQP header of the same name with a UTF-8 string value.
 * Inbound, headers whose name starts with {@code x-} belong to the broker ({@code x-death},
 * {@code x-delivery-count}, ...) and are not passed to Parley. A Parley header
 * ({@code parley-*}) whose value is not a string makes the message malformed ({@link #fromAmqp}
 * says why); other headers with non-string values (an AMQP application's own numbers, tables)
 * are left out.
 */
final class AmqpHeaders {

    /** Parley's delivery count, carried by messages that went through the retry queue. */
    static final String DELIVERY_ATTEMPTS = dev.parley.messaging.MessagingHeaders.DELIVERY_ATTEMPTS;
    /** The broker's redelivery count on quorum queues (absent on the first delivery). */
    static final String X_DELIVERY_COUNT = "x-delivery-count";
    /** Correlates a mandatory publish with the broker's basic.return; never read by consumers. */
    static final String X_PUBLISH_SEQ = "x-parley-publish-seq";

    private AmqpHeaders() {}

    static Map<String, Object> toAmqp(Map<String, String> headers) {
        Map<String, Object> amqp = new LinkedHashMap<>(Math.max(8, headers.size() * 2));
        headers.forEach(amqp::put);
        return amqp;
    }

    /** The result of reading a delivery's headers: the Parley headers and attempt, or why they are unusable. */
    record Inbound(Map<String, String> headers, int deliveryAttempt, @Nullable String malformed) {}

    /**
     * Reads a delivery's headers. {@code deliveryAttempt} is 1 + the broker's
     * {@code x-delivery-count} + Parley's {@code parley-delivery-attempts}.
     */
    static Inbound fromAmqp(@Nullable Map<String, Object> amqp) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (amqp == null) {
            return new Inbound(headers, 1, null);
        }
        long previous = 0;
        String malformed = null;
        for (Map.Entry<String, Object> e : amqp.entrySet()) {
            String name = e.getKey();
            Object value = e.getValue();
            if (name.startsWith("x-")) {
                if (name.equals(X_DELIVERY_COUNT) && value instanceof Number n) {
                    previous += Math.max(0, n.longValue());
                }
                continue;
            }
            String text = text(value);
            if (text == null) {
                if (malformed == null && name.startsWith("parley-")) {
                    malformed = "header '" + abbreviate(name) + "' has a value of AMQP type "
                            + (value == null ? "void" : value.getClass().getSimpleName()) + " (expected: a UTF-8 string)";
                }
                continue;
            }
            if (name.equals(DELIVERY_ATTEMPTS)) {
                try {
                    previous += Math.max(0, Long.parseLong(text.strip()));
                } catch (NumberFormatException ex) {
                    if (malformed == null) {
                        malformed = "header " + DELIVERY_ATTEMPTS + ": '" + abbreviate(text) + "' (expected: a whole number)";
                    }
                }
                continue;
            }
            headers.put(name, text);
        }
        int attempt = (int) Math.min(1_000_000L, previous + 1);
        return new Inbound(headers, attempt, malformed);
    }

    private static @Nullable String text(@Nullable Object value) {
        if (value instanceof LongString s) {
            return new String(s.getBytes(), StandardCharsets.UTF_8);
        }
        if (value instanceof String s) {
            return s;
        }
        return null;
    }

    /**
     * The headers of a copy of an inbound message (retry or dead letter): the original headers
     * without the broker's {@code x-} headers, so {@code x-death} does not grow with each round.
     */
    static Map<String, Object> copyForRepublish(@Nullable Map<String, Object> original) {
        Map<String, Object> copy = new LinkedHashMap<>();
        if (original != null) {
            original.forEach((name, value) -> {
                if (!name.startsWith("x-")) {
                    copy.put(name, value);
                }
            });
        }
        return copy;
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
