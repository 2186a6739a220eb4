package dev.parley.messaging.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import dev.parley.message.StandardHeaders;
import org.jspecify.annotations.Nullable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps Parley's string headers to AMQP message properties and headers, and back.
 *
 * <p>Outbound ({@link #properties}), the standard headers that have an AMQP basic property of
 * their own travel in it: {@code parley-message-id} as {@code message-id},
 * {@code parley-correlation-id} as {@code correlation-id}, {@code parley-reply-to} as
 * {@code reply-to}, {@code content-type} as {@code content-type}, {@code parley-operation} as
 * {@code type} and {@code parley-source} as {@code app-id} (a value over 255 bytes, the limit
 * of those properties, stays in the table). Every other header becomes an AMQP header of the
 * same name with a UTF-8 string value. Dead letters ({@link #allInTable}) keep every header in
 * the table as well, for the tools that read a dead-letter queue.
 *
 * <p>Inbound, the properties above come back as their Parley headers (a table entry of the same
 * name wins, which is how raw AMQP clients and earlier versions send them); headers whose name
 * starts with {@code x-} belong to the broker ({@code x-death}, {@code x-delivery-count}, ...)
 * and are not passed to Parley. A Parley header
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

    /** The longest value of an AMQP short string (message-id, type, ...), in bytes. */
    private static final int SHORT_STRING_BYTES = 255;

    /** Persistent properties of a message with {@code headers}, the standard ones as AMQP properties. */
    static AMQP.BasicProperties properties(Map<String, String> headers) {
        AMQP.BasicProperties.Builder b = new AMQP.BasicProperties.Builder().deliveryMode(2);
        Map<String, Object> table = new HashMap<>(Math.max(8, headers.size() * 2));
        headers.forEach((name, value) -> {
            boolean fits = fitsShortString(value);
            switch (name) {
                case StandardHeaders.MESSAGE_ID -> { if (fits) { b.messageId(value); return; } }
                case StandardHeaders.CORRELATION_ID -> { if (fits) { b.correlationId(value); return; } }
                case StandardHeaders.REPLY_TO -> { if (fits) { b.replyTo(value); return; } }
                case StandardHeaders.CONTENT_TYPE -> { if (fits) { b.contentType(value); return; } }
                case StandardHeaders.OPERATION -> { if (fits) { b.type(value); return; } }
                case StandardHeaders.SOURCE -> { if (fits) { b.appId(value); return; } }
                default -> { }
            }
            table.put(name, value);
        });
        return b.headers(table).build();
    }

    /** Persistent properties with every header in the table too (dead letters), message id and content type also as properties. */
    static AMQP.BasicProperties allInTable(Map<String, String> headers) {
        AMQP.BasicProperties.Builder b = new AMQP.BasicProperties.Builder().deliveryMode(2)
                .headers(new LinkedHashMap<>(headers));
        String contentType = headers.get(StandardHeaders.CONTENT_TYPE);
        if (contentType != null && fitsShortString(contentType)) {
            b.contentType(contentType);
        }
        String messageId = headers.get(StandardHeaders.MESSAGE_ID);
        if (messageId != null && fitsShortString(messageId)) {
            b.messageId(messageId);
        }
        String correlationId = headers.get(StandardHeaders.CORRELATION_ID);
        if (correlationId != null && fitsShortString(correlationId)) {
            b.correlationId(correlationId);
        }
        return b.build();
    }

    private static boolean fitsShortString(String value) {
        if (value.length() <= SHORT_STRING_BYTES / 3) {
            return true; // at most 3 UTF-8 bytes per char
        }
        return value.length() <= SHORT_STRING_BYTES && value.getBytes(StandardCharsets.UTF_8).length <= SHORT_STRING_BYTES;
    }

    /** The result of reading a delivery's headers: the Parley headers and attempt, or why they are unusable. */
    record Inbound(Map<String, String> headers, int deliveryAttempt, @Nullable String malformed) {}

    /**
     * Reads a delivery's headers. {@code deliveryAttempt} is 1 + the broker's
     * {@code x-delivery-count} + Parley's {@code parley-delivery-attempts}.
     */
    static Inbound fromAmqp(AMQP.BasicProperties properties) {
        Inbound fromTable = fromTable(properties.getHeaders());
        Map<String, String> headers = fromTable.headers();
        putIfAbsent(headers, StandardHeaders.MESSAGE_ID, properties.getMessageId());
        putIfAbsent(headers, StandardHeaders.CORRELATION_ID, properties.getCorrelationId());
        putIfAbsent(headers, StandardHeaders.REPLY_TO, properties.getReplyTo());
        putIfAbsent(headers, StandardHeaders.CONTENT_TYPE, properties.getContentType());
        putIfAbsent(headers, StandardHeaders.OPERATION, properties.getType());
        putIfAbsent(headers, StandardHeaders.SOURCE, properties.getAppId());
        return fromTable;
    }

    private static void putIfAbsent(Map<String, String> headers, String name, @Nullable String value) {
        if (value != null) {
            headers.putIfAbsent(name, value);
        }
    }

    /** The table's part of {@link #fromAmqp}. */
    static Inbound fromTable(@Nullable Map<String, Object> amqp) {
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
