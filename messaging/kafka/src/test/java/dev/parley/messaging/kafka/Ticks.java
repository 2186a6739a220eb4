package dev.parley.messaging.kafka;

import dev.parley.contract.Contract;
import dev.parley.contract.ContractDescriptor;
import dev.parley.contract.Event;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.messaging.ChannelNames;
import dev.parley.messaging.MessagingHeaders;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** The event contract of this module's own tests, and its messages as raw envelopes. */
@Contract(name = "parley.kafka.test.ticks", version = "1.0")
public interface Ticks {

    record Tick(String run, int n, String key) {}

    @Event
    default void ticked(Tick tick) {}

    static String channel() {
        return ChannelNames.events(ContractDescriptor.of(Ticks.class));
    }

    /** The headers a {@code ticked(Tick)} event carries (docs/brokers/kafka.md). */
    static Headers headers(String messageId, @Nullable String key) {
        Headers.Builder b = Headers.builder()
                .set(StandardHeaders.MESSAGE_ID, messageId)
                .set(StandardHeaders.CONTRACT, "parley.kafka.test.ticks")
                .set(StandardHeaders.CONTRACT_VERSION, "1.0")
                .set(StandardHeaders.OPERATION, "Tick")
                .set(StandardHeaders.CONTENT_TYPE, "application/json");
        if (key != null) {
            b.set(MessagingHeaders.KEY, key);
        }
        return b.build();
    }

    static byte[] json(String run, int n, String key) {
        return ("{\"run\":\"" + run + "\",\"n\":" + n + ",\"key\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Event {@code n} of {@code run} as Parley publishes it, with message id {@code run-key-n} and record key {@code key}. */
    static Envelope event(String run, int n, @Nullable String key) {
        return Envelope.of(headers(run + "-" + key + "-" + n, key), json(run, n, key == null ? "" : key));
    }
}
