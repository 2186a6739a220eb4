package dev.parley.messaging;

import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.transport.DeadLetter;
import dev.parley.transport.InProcessTransport;
import dev.parley.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

/**
 * The messaging suite against the embedded default. Every "process" shares one in-process
 * transport, which is the network of a single JVM; there is no broker client, so raw
 * messages are published as envelopes and dead letters read from the transport.
 */
class InProcessTransportSuiteTest extends MessagingTransportSuite {

    private InProcessTransport shared;
    private int taken;

    @BeforeEach
    void network() {
        shared = InProcessTransport.builder().maxDeliveries(MAX_DELIVERIES).redeliveryBackoff(BACKOFF)
                .maxMessageBytes(MAX_MESSAGE_BYTES).build();
        taken = 0;
    }

    @Override
    protected Transport newTransport() {
        return shared;
    }

    @Override
    protected void publishRaw(String channel, Map<String, String> headers, byte[] body) throws Exception {
        shared.publish(channel, Envelope.of(Headers.of(headers), body)).get();
    }

    @Override
    protected List<Envelope> takeDeadLetters(String channel, String group) {
        List<DeadLetter> all = shared.deadLetters();
        List<Envelope> found = new ArrayList<>();
        for (DeadLetter d : all.subList(taken, all.size())) {
            if (d.topic().equals(channel) && ChannelNames.groupName(d.group()).equals(group)) {
                Headers h = d.message().headers().toBuilder()
                        .set(MessagingHeaders.DEAD_LETTER_REASON, d.reason())
                        .set(MessagingHeaders.DEAD_LETTER_CHANNEL, d.topic())
                        .set(MessagingHeaders.DEAD_LETTER_GROUP, d.group())
                        .set(MessagingHeaders.DELIVERY_ATTEMPTS, Integer.toString(d.attempts()))
                        .build();
                found.add(d.message().withHeaders(h));
            }
        }
        taken = all.size();
        return found;
    }
}
