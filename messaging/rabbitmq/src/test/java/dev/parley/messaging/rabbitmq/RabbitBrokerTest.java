package dev.parley.messaging.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The AMQP layer on its own against the real broker: confirms, returns, retry queue, dead letters, header reading. */
class RabbitBrokerTest {

    private RabbitTestSupport rabbit;
    private RabbitBroker broker;
    private final String channel = RabbitTestSupport.unique("parley-test.broker") + ".events";
    private final String group = "g1";

    @BeforeEach
    void setUp() throws Exception {
        dev.parley.messaging.Brokers.require("RabbitMQ", RabbitTestSupport.HOST, RabbitTestSupport.PORT);
        rabbit = new RabbitTestSupport();
        rabbit.cleanUpGroup(channel, group);
        rabbit.cleanUpExchange(channel);
        broker = new RabbitBroker(RabbitTestSupport.factory(), "parley-test-broker", Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (rabbit != null) {
            rabbit.close();
        }
    }

    @Test
    void publishedMessageIsConsumedWithItsHeadersAndRetriedThenDeadLettered() throws Exception {
        LinkedBlockingQueue<AmqpDelivery> deliveries = new LinkedBlockingQueue<>();
        broker.declareDurable(channel, group);
        QueueSubscription sub = broker.consume(channel, group, true, 10, deliveries::add);

        broker.send(channel, Map.of("parley-message-id", "m-1", "parley-operation", "tripCreated"),
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8), null).get(10, TimeUnit.SECONDS);

        AmqpDelivery first = deliveries.poll(10, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(first.headers()).containsEntry("parley-message-id", "m-1").containsEntry("parley-operation", "tripCreated");
        assertThat(first.deliveryAttempt()).isEqualTo(1);
        assertThat(first.malformed()).isNull();
        first.retry(Duration.ofMillis(200), "handler failed");

        AmqpDelivery second = deliveries.poll(10, TimeUnit.SECONDS);
        assertThat(second).isNotNull();
        assertThat(second.deliveryAttempt()).isEqualTo(2);
        assertThat(second.headers()).doesNotContainKey("parley-delivery-attempts").containsEntry("parley-message-id", "m-1");
        second.deadLetter("gave up: handler failed\nline two");

        String dlq = Topology.deadLetter(channel, group);
        RabbitTestSupport.await(Duration.ofSeconds(10), "the dead letter", () -> count(dlq) == 1);
        GetResponse dead = rabbit.get(dlq);
        Map<String, Object> h = dead.getProps().getHeaders();
        assertThat(h.get("parley-dead-letter-reason")).hasToString("gave up: handler failed line two");
        assertThat(h.get("parley-dead-letter-channel")).hasToString(channel);
        assertThat(h.get("parley-dead-letter-group")).hasToString(group);
        assertThat(h.get("parley-delivery-attempts")).hasToString("2");
        assertThat(h.get("parley-message-id")).hasToString("m-1");
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        RabbitTestSupport.await(Duration.ofSeconds(10), "the group queue to drain", () -> count(Topology.queue(channel, group)) == 0);
        sub.close();
    }

    @Test
    void deliveriesAckedFromManyThreadsAtOnceAreEachAckedOnce() throws Exception {
        int total = 400;
        LinkedBlockingQueue<AmqpDelivery> deliveries = new LinkedBlockingQueue<>();
        broker.declareDurable(channel, group);
        QueueSubscription sub = broker.consume(channel, group, true, 64, deliveries::add);
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger redelivered = new AtomicInteger();
        // 16 threads settle whatever arrives, in no particular order, while the consumer thread keeps delivering.
        ExecutorService settlers = Executors.newFixedThreadPool(16);
        try {
            for (int t = 0; t < 16; t++) {
                settlers.execute(() -> {
                    try {
                        AmqpDelivery d;
                        while ((d = deliveries.poll(30, TimeUnit.SECONDS)) != null) {
                            if (d.deliveryAttempt() > 1) {
                                redelivered.incrementAndGet();
                            }
                            acked.add(d.headers().get("parley-message-id"));
                            d.ack();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                sent.add(broker.send(channel, Map.of("parley-message-id", "m-" + i, "parley-operation", "tick"),
                        "{}".getBytes(StandardCharsets.UTF_8), null));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            RabbitTestSupport.await(Duration.ofSeconds(30), "every message acked", () -> acked.size() == total);
            String queue = Topology.queue(channel, group);
            RabbitTestSupport.await(Duration.ofSeconds(30), "the queue to drain", () -> count(queue) == 0);
            assertThat(redelivered.get()).as("redeliveries (a lost or refused ack closes the channel and redelivers)").isZero();
            assertThat(sub.isClosed()).isFalse();
        } finally {
            settlers.shutdownNow();
            sub.close();
        }
    }

    @Test
    void redeliveryAfterAConsumerDiesCountsAsAnAttempt() throws Exception {
        LinkedBlockingQueue<AmqpDelivery> deliveries = new LinkedBlockingQueue<>();
        broker.declareDurable(channel, group);
        QueueSubscription sub = broker.consume(channel, group, true, 10, deliveries::add);
        broker.send(channel, Map.of("parley-message-id", "m-2"), new byte[] {1}, null).get(10, TimeUnit.SECONDS);
        assertThat(deliveries.poll(10, TimeUnit.SECONDS).deliveryAttempt()).isEqualTo(1);
        sub.close(); // unsettled: back to the queue
        broker.consume(channel, group, true, 10, deliveries::add);
        AmqpDelivery again = deliveries.poll(10, TimeUnit.SECONDS);
        assertThat(again.deliveryAttempt()).isEqualTo(2);
        again.ack();
    }

    @Test
    void sendToAMissingDirectQueueFailsAsUnroutable() {
        String replies = dev.parley.messaging.ChannelNames.replies(RabbitTestSupport.unique("nobody"));
        assertThatThrownBy(() -> broker.send(replies, Map.of(), new byte[0], null).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("unroutable")
                .hasMessageContaining(replies);
    }

    @Test
    void aPublishToAnExchangeDeletedBehindItsBackFailsAndTheNextOneDeclaresItAgain() throws Exception {
        broker.declareDurable(channel, group);
        broker.send(channel, Map.of(), new byte[] {1}, null).get(10, TimeUnit.SECONDS);
        try (Channel raw = rabbit.admin().createChannel()) {
            raw.exchangeDelete(channel);
        }

        assertThatThrownBy(() -> broker.send(channel, Map.of(), new byte[] {2}, null).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("lost before the broker confirmed")
                .hasMessageContaining("no exchange '" + channel + "'");
        broker.send(channel, Map.of(), new byte[] {3}, null).get(10, TimeUnit.SECONDS);
        // The exchange exists again (the group's binding went with the old one: only the first message is queued).
        try (Channel raw = rabbit.admin().createChannel()) {
            raw.exchangeDeclarePassive(channel);
        }
        assertThat(count(Topology.queue(channel, group))).isEqualTo(1);
    }

    @Test
    void headersThatAreNotStringsAreReportedAsMalformed() throws Exception {
        LinkedBlockingQueue<AmqpDelivery> deliveries = new LinkedBlockingQueue<>();
        broker.declareDurable(channel, group);
        broker.consume(channel, group, true, 10, deliveries::add);
        try (Channel raw = rabbit.admin().createChannel()) {
            raw.basicPublish(channel, "", new AMQP.BasicProperties.Builder()
                    .headers(Map.of("parley-operation", 42, "parley-message-id", "m-3")).build(), new byte[0]);
        }
        AmqpDelivery d = deliveries.poll(10, TimeUnit.SECONDS);
        assertThat(d.malformed()).contains("parley-operation").contains("Integer").contains("expected: a UTF-8 string");
        d.ack();
    }

    private long count(String queue) {
        try {
            return rabbit.messageCount(queue);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
