package dev.parley.messaging;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message as a broker delivered it, before Parley looked at it: headers as strings (the
 * adapter decodes the broker's header bytes as UTF-8, and leaves out headers it cannot read
 * as strings), the body, and which delivery of the message this is.
 *
 * @param deliveryAttempt 1 for the first delivery
 */
public record RawMessage(Map<String, String> headers, byte[] body, int deliveryAttempt) {

    public RawMessage {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        if (deliveryAttempt < 1) {
            deliveryAttempt = 1;
        }
    }
}
