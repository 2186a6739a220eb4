package dev.parley.messaging.nats;

import dev.parley.message.Headers;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
 *       since Parley header names are lower-case.</li>
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

    /** The headers of a delivered message as Parley reads them: first value of each, NATS' own left out. */
    static Map<String, String> fromNats(Message message) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!message.hasHeaders()) {
            return out;
        }
        io.nats.client.impl.Headers headers = message.getHeaders();
        for (String name : headers.keySet()) {
            if (name.regionMatches(true, 0, "Nats-", 0, 5)) {
                continue;
            }
            List<String> values = headers.get(name);
            if (values != null && !values.isEmpty() && values.get(0) != null) {
                out.putIfAbsent(name.toLowerCase(Locale.ROOT), decode(values.get(0)));
            }
        }
        return out;
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
