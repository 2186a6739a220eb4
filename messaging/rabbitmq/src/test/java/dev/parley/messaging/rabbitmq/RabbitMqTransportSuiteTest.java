package dev.parley.messaging.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.messaging.Brokers;
import dev.parley.messaging.ChannelNames;
import dev.parley.messaging.MessagingOptions;
import dev.parley.messaging.MessagingTransportSuite;
import dev.parley.transport.Transport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared messaging suite against RabbitMQ; raw access through amqp-client. */
class RabbitMqTransportSuiteTest extends MessagingTransportSuite {

    private static Connection raw;

    @BeforeAll
    static void connect() throws Exception {
        Brokers.require("RabbitMQ", RabbitTestSupport.HOST, RabbitTestSupport.PORT);
        raw = RabbitTestSupport.factory().newConnection("parley-suite-raw");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (raw != null) {
            raw.close();
            // The suite's channels and groups: every transport is closed by now.
            RabbitTestSupport.deleteAllStartingWith("parley.suite.");
            RabbitTestSupport.deleteAllStartingWith("parley.replies.caller-");
        }
    }

    @Override
    protected Transport newTransport() {
        return RabbitMqTransport.builder().options(suiteOptions().build()).build();
    }

    private static MessagingOptions.Builder suiteOptions() {
        return MessagingOptions.builder()
                .maxDeliveries(MAX_DELIVERIES)
                .initialBackoff(BACKOFF)
                .maxBackoff(BACKOFF.multipliedBy(4))
                .maxMessageBytes(MAX_MESSAGE_BYTES);
    }

    @Override
    protected boolean keepsRepliesAcrossRestarts() {
        return true;
    }

    @Override
    protected Transport newDurableReplyTransport(String clientId) {
        return RabbitMqTransport.builder().options(suiteOptions().durableReplies(true).build()).clientId(clientId).build();
    }

    @Override
    protected void deleteDurableReplyChannel(String clientId) throws Exception {
        try (Channel ch = raw.createChannel()) {
            ch.queueDelete(ChannelNames.replies(clientId));
        }
    }

    @Override
    protected void publishRaw(String channel, Map<String, String> headers, byte[] body) throws Exception {
        try (Channel ch = raw.createChannel()) {
            ch.confirmSelect();
            ch.basicPublish(channel, "", new AMQP.BasicProperties.Builder().deliveryMode(2)
                    .headers(new LinkedHashMap<>(headers)).build(), body);
            ch.waitForConfirmsOrDie(10_000);
        }
    }

    @Override
    protected List<Envelope> takeDeadLetters(String channel, String group) throws Exception {
        List<Envelope> dead = new ArrayList<>();
        String queue = ChannelNames.deadLetter(channel, group);
        try (Channel ch = raw.createChannel()) {
            for (GetResponse r = ch.basicGet(queue, true); r != null; r = ch.basicGet(queue, true)) {
                Map<String, String> headers = new LinkedHashMap<>();
                if (r.getProps().getHeaders() != null) {
                    r.getProps().getHeaders().forEach((k, v) -> headers.put(k, v.toString()));
                }
                dead.add(Envelope.of(Headers.of(headers), r.getBody()));
            }
        } catch (IOException e) {
            // No dead-letter queue yet (404 closes the channel): no dead letters.
            return dead;
        }
        return dead;
    }
}
