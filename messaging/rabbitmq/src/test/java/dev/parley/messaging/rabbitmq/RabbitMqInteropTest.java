package dev.parley.messaging.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import dev.parley.Parley;
import dev.parley.messaging.MessagingOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Parley and a plain amqp-client program meet on the wire mapping of docs/brokers/rabbitmq.md:
 * no Parley class is used on the raw side.
 */
class RabbitMqInteropTest {

    private RabbitTestSupport rabbit;
    private RabbitMqTransport transport;
    private Parley parley;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void setUp() throws Exception {
        dev.parley.messaging.Brokers.require("RabbitMQ", RabbitTestSupport.HOST, RabbitTestSupport.PORT);
        rabbit = new RabbitTestSupport();
        transport = RabbitMqTransport.builder().options(MessagingOptions.ofDefaults()).build();
        parley = Parley.builder().service("interop").transport(transport).build();
    }

    @AfterAll
    static void deleteWhatTheTestsDeclared() throws Exception {
        if (reachable()) {
            RabbitTestSupport.deleteAllStartingWith("parley.rabbitmq.test.");
        }
    }

    private static boolean reachable() {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(RabbitTestSupport.HOST, RabbitTestSupport.PORT), 2000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (parley != null) {
            parley.close();
        }
        if (transport != null) {
            transport.close();
        }
        if (rabbit != null) {
            rabbit.close();
        }
    }

    @Test
    void aRawAmqpPublisherReachesAParleySubscriber() throws Exception {
        List<Meters.Reading> seen = new CopyOnWriteArrayList<>();
        String group = "interop-sub-" + run;
        rabbit.cleanUpGroup(Meters.channel(), group);
        parley.subscribe(Meters.class, new Meters() {
            @Override
            public void reading(Reading reading) {
                seen.add(reading);
            }
        }, group);

        try (Channel raw = rabbit.admin().createChannel()) {
            // The standard headers as AMQP properties, the contract in the table (docs/messaging.md).
            Map<String, Object> headers = new LinkedHashMap<>();
            headers.put("parley-contract", "parley.rabbitmq.test.meters");
            headers.put("parley-contract-version", "1.0");
            headers.put("parley-sent-at", Long.toString(System.currentTimeMillis()));
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json")
                    .messageId(UUID.randomUUID().toString()).type("Reading").headers(headers).build();
            String body = "{\"run\":\"" + run + "\",\"n\":42,\"payload\":\"from a raw client\"}";
            raw.basicPublish(Meters.channel(), "any.routing.key", props, body.getBytes(StandardCharsets.UTF_8));
        }

        RabbitTestSupport.await(Duration.ofSeconds(30), "the raw event to reach the subscriber", () -> !seen.isEmpty());
        assertThat(seen).containsExactly(new Meters.Reading(run, 42, "from a raw client"));
    }

    @Test
    void aParleyEventIsReadableByARawAmqpConsumer() throws Exception {
        String queue = "interop-raw-" + run;
        rabbit.cleanUpQueue(queue);
        // A raw consumer is a group of its own: its queue bound to the channel's exchange.
        try (Channel raw = rabbit.admin().createChannel()) {
            raw.exchangeDeclare(Meters.channel(), "topic", true);
            raw.queueDeclare(queue, true, false, false, null);
            raw.queueBind(queue, Meters.channel(), "#");
        }
        long before = System.currentTimeMillis();

        parley.publisher(Meters.class).reading(new Meters.Reading(run, 7, "to a raw client"));

        RabbitTestSupport.await(Duration.ofSeconds(30), "the event in the raw queue", () -> count(queue) == 1);
        GetResponse got = rabbit.get(queue);
        AMQP.BasicProperties props = got.getProps();
        Map<String, Object> h = props.getHeaders();
        assertThat(h.values()).as("every header value is a string").allSatisfy(v -> assertThat(v).isInstanceOf(LongString.class));
        // The standard headers with an AMQP property of their own travel in it (docs/messaging.md), the rest in the table.
        assertThat(props.getType()).as("parley-operation").isEqualTo("Reading");
        assertThat(props.getMessageId()).as("parley-message-id").matches("[0-9a-f-]{36}");
        assertThat(props.getContentType()).as("content-type").isEqualTo("application/json");
        assertThat(props.getAppId()).as("parley-source").startsWith("interop");
        assertThat(h).doesNotContainKeys("parley-operation", "parley-message-id", "content-type", "parley-source");
        assertThat(h.get("parley-contract")).hasToString("parley.rabbitmq.test.meters");
        assertThat(h.get("parley-contract-version")).hasToString("1.0");
        assertThat(Long.parseLong(h.get("parley-sent-at").toString())).isBetween(before, System.currentTimeMillis());
        assertThat(h).as("events carry no deadline on the broker").doesNotContainKey("parley-deadline");
        assertThat(props.getDeliveryMode()).as("persistent").isEqualTo(2);
        assertThat(got.getEnvelope().getExchange()).isEqualTo(Meters.channel());
        assertThat(new String(got.getBody(), StandardCharsets.UTF_8))
                .isEqualTo("{\"run\":\"" + run + "\",\"n\":7,\"payload\":\"to a raw client\"}");
    }

    private long count(String queue) {
        try {
            return rabbit.messageCount(queue);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
