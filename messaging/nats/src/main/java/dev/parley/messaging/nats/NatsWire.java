package dev.parley.messaging.nats;

import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The NATS side of the wire mapping: stream and consumer names, and headers.
 *
 * <ul>
 *   <li>channel {@code trips.v1.events} = subject {@code trips.v1.events}, stored in stream
 *       {@code trips_v1_events} ('.' is not allowed in stream names);</li>
 *   <li>group = durable consumer of that name (already lower-case letters, digits and '-');</li>
 *   <li>every Parley header = a NATS header of the same name. NATS header values are ASCII, so
 *       a value with other characters travels as an RFC 2047 encoded word
 *       {@code =?utf-8?b?<base64 of the UTF-8 bytes>?=}, decoded on receipt;</li>
 *   <li>headers whose names start with {@code Nats-} belong to the server (message id,
 *       expectations) and are not passed to Parley; other names are lower-cased on receipt,
 *       since Parley header names are lower-case;</li>
 *   <li>a message stored with deduplication carries its id once, as {@code Nats-Msg-Id}, not
 *       also as {@code parley-message-id}; on receipt {@code Nats-Msg-Id} is the message id
 *       when {@code parley-message-id} is missing (older publishers send both).</li>
 * </ul>
 */
final class NatsWire {

    static final String MSG_ID = "Nats-Msg-Id";
    private static final String ENCODED_PREFIX = "=?utf-8?b?";
    private static final String ENCODED_SUFFIX = "?=";

    private NatsWire() {}

    /** The stream that stores {@code channel}. */
    static String stream(String channel) {
        return channel.replace('.', '_');
    }

    /** The NATS headers of a Parley message. */
    static io.nats.client.impl.Headers toNats(Headers headers) {
        io.nats.client.impl.Headers out = new io.nats.client.impl.Headers();
        headers.forEach((name, value) -> out.put(name, encode(value)));
        return out;
    }

    /**
     * The NATS headers of a Parley message stored in a stream with deduplication id
     * {@code messageId}: {@code Nats-Msg-Id} carries it, and {@code parley-message-id} is left
     * out when it has the same value (one header less per message to write, store and parse;
     * {@link #fromNats} reads it back). A message id that cannot be a NATS header value fails
     * with an {@link InvalidMessageId}, any other header with an {@link IllegalArgumentException}.
     */
    static io.nats.client.impl.Headers toNats(Headers headers, @Nullable String messageId) {
        io.nats.client.impl.Headers out = new io.nats.client.impl.Headers();
        if (messageId != null) {
            try {
                out.put(MSG_ID, messageId);
            } catch (IllegalArgumentException e) {
                throw new InvalidMessageId(e.getMessage(), e);
            }
        }
        headers.forEach((name, value) -> {
            if (messageId == null || !name.equals(StandardHeaders.MESSAGE_ID) || !value.equals(messageId)) {
                out.put(name, encode(value));
            }
        });
        return out;
    }

    /** A message id that NATS cannot carry as {@code Nats-Msg-Id}. */
    static final class InvalidMessageId extends IllegalArgumentException {
        InvalidMessageId(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The headers of a delivered message as Parley reads them: first value of each, NATS' own
     * left out, except that {@code Nats-Msg-Id} stands for {@code parley-message-id} when that
     * is missing (Parley sends the id once, as {@code Nats-Msg-Id}).
     */
    static Map<String, String> fromNats(Message message) {
        if (!message.hasHeaders()) {
            return new HashMap<>();
        }
        io.nats.client.impl.Headers headers = message.getHeaders();
        Map<String, String> out = new HashMap<>(2 * headers.size());
        String natsMsgId = null;
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            String name = header.getKey();
            List<String> values = header.getValue();
            if (values == null || values.isEmpty() || values.get(0) == null) {
                continue;
            }
            if (name.regionMatches(true, 0, "Nats-", 0, 5)) {
                if (name.equalsIgnoreCase(MSG_ID)) {
                    natsMsgId = values.get(0);
                }
                continue;
            }
            out.putIfAbsent(name.toLowerCase(Locale.ROOT), decode(values.get(0)));
        }
        if (natsMsgId != null) {
            out.putIfAbsent(StandardHeaders.MESSAGE_ID, natsMsgId);
        }
        return out;
    }

    /**
     * The delivered count in a JetStream ack subject, or -1 if {@code replyTo} is not one. The
     * subject is {@code $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>}
     * or, from newer servers, the same with {@code <domain>.<account hash>} after {@code $JS.ACK}
     * and optionally a random token at the end. Reading this one number costs far less than
     * jnats' {@code metaData()}, which parses every token (and the time) of each delivery.
     */
    static long deliveredCount(@Nullable String replyTo) {
        if (replyTo == null || !replyTo.startsWith("$JS.ACK.")) {
            return -1;
        }
        int tokens = 1;
        for (int i = 0; i < replyTo.length(); i++) {
            if (replyTo.charAt(i) == '.') {
                tokens++;
            }
        }
        int index = tokens == 9 ? 4 : tokens == 11 || tokens == 12 ? 6 : -1;
        if (index < 0) {
            return -1;
        }
        int start = 0;
        for (int t = 0; t < index; t++) {
            start = replyTo.indexOf('.', start) + 1;
        }
        int end = replyTo.indexOf('.', start);
        long value = 0;
        if (end <= start || end - start > 18) {
            return -1;
        }
        for (int i = start; i < end; i++) {
            char c = replyTo.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    static String encode(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) > 0x7e) {
                return ENCODED_PREFIX + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + ENCODED_SUFFIX;
            }
        }
        return value;
    }

    static String decode(String value) {
        if (value.length() >= ENCODED_PREFIX.length() + ENCODED_SUFFIX.length()
                && value.regionMatches(true, 0, ENCODED_PREFIX, 0, ENCODED_PREFIX.length()) && value.endsWith(ENCODED_SUFFIX)) {
            try {
                byte[] bytes = Base64.getDecoder().decode(value.substring(ENCODED_PREFIX.length(), value.length() - ENCODED_SUFFIX.length()));
                return new String(bytes, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return value; // not an encoded word after all: pass it on as it came
            }
        }
        return value;
    }
}
