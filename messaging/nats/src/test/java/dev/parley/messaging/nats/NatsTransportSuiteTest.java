package dev.parley.messaging.nats;

import dev.parley.message.Envelope;
import dev.parley.messaging.Brokers;
import dev.parley.messaging.ChannelNames;
import dev.parley.messaging.MessagingOptions;
import dev.parley.messaging.MessagingTransportSuite;
import dev.parley.transport.Transport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared messaging suite against the NATS JetStream server at 127.0.0.1:4222. The suite's
 * channel names come from its contracts, so the streams are the same on every run: they are
 * deleted before and after the class.
 */
class NatsTransportSuiteTest extends MessagingTransportSuite {

    private static final String STREAM_PREFIX = "parley_suite_";
    private static RawNats raw;

    @BeforeAll
    static void broker() throws Exception {
        Brokers.require("NATS", "127.0.0.1", 4222);
        raw = new RawNats(RawNats.SHARED_URL);
        raw.deleteStreams(STREAM_PREFIX);
        raw.deleteStreams(NatsWire.stream(ChannelNames.replies("caller-")));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (raw != null) {
            raw.deleteStreams(STREAM_PREFIX);
            // The durable reply channels of the suite's callers ("caller-<run>"), in case a test stopped early.
            raw.deleteStreams(NatsWire.stream(ChannelNames.replies("caller-")));
            raw.close();
        }
    }

    private static MessagingOptions.Builder options() {
        return MessagingOptions.builder().maxDeliveries(MAX_DELIVERIES).initialBackoff(BACKOFF).maxBackoff(BACKOFF)
                .maxMessageBytes(MAX_MESSAGE_BYTES);
    }

    @Override
    protected Transport newTransport() {
        // Broker-side dedupe off: the suite checks that Parley's idempotency store skips a duplicate the broker delivers.
        return NatsTransport.builder().url(RawNats.SHARED_URL).options(options().build()).deduplicate(false).build();
    }

    @Override
    protected boolean keepsRepliesAcrossRestarts() {
        return true;
    }

    @Override
    protected Transport newDurableReplyTransport(String clientId) {
        return NatsTransport.builder().url(RawNats.SHARED_URL).options(options().durableReplies(true).build()).clientId(clientId)
                .deduplicate(false).build();
    }

    @Override
    protected void deleteDurableReplyChannel(String clientId) throws Exception {
        raw.deleteStreams(NatsWire.stream(ChannelNames.replies(clientId)));
    }

    @Override
    protected void publishRaw(String channel, Map<String, String> headers, byte[] body) throws Exception {
        raw.publish(channel, headers, body);
    }

    @Override
    protected List<Envelope> takeDeadLetters(String channel, String group) throws Exception {
        return raw.takeStored(ChannelNames.deadLetter(channel, group));
    }
}
