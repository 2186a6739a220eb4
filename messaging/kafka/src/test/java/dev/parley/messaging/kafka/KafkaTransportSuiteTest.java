package dev.parley.messaging.kafka;

import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.messaging.ChannelNames;
import dev.parley.messaging.MessagingOptions;
import dev.parley.messaging.MessagingTransportSuite;
import dev.parley.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared messaging suite against a real Kafka broker (a child JVM started by {@link KafkaTestBroker}). */
class KafkaTransportSuiteTest extends MessagingTransportSuite {

    private static KafkaTestBroker broker;
    private static KafkaProducer<byte[], byte[]> rawProducer;
    private static final Map<String, KafkaConsumer<byte[], byte[]>> deadLetterReaders = new java.util.HashMap<>();

    @BeforeAll
    static void startBroker() {
        broker = KafkaClients.requireBroker();
        rawProducer = KafkaClients.rawProducer(broker);
    }

    @AfterAll
    static void closeClients() {
        if (rawProducer != null) {
            rawProducer.close(Duration.ofSeconds(5));
        }
        deadLetterReaders.values().forEach(KafkaConsumer::close);
        deadLetterReaders.clear();
    }

    private static MessagingOptions.Builder options() {
        return MessagingOptions.builder()
                .maxDeliveries(MAX_DELIVERIES)
                .initialBackoff(BACKOFF)
                .maxBackoff(BACKOFF.multipliedBy(4))
                .maxMessageBytes(MAX_MESSAGE_BYTES);
    }

    @Override
    protected Transport newTransport() {
        return KafkaTransport.builder().bootstrapServers(broker.bootstrapServers()).options(options().build()).build();
    }

    @Override
    protected boolean keepsRepliesAcrossRestarts() {
        return true;
    }

    @Override
    protected Transport newDurableReplyTransport(String clientId) {
        return KafkaTransport.builder().bootstrapServers(broker.bootstrapServers()).clientId(clientId)
                .options(options().durableReplies(true).build()).build();
    }

    @Override
    protected void deleteDurableReplyChannel(String clientId) throws Exception {
        String topic = ChannelNames.replies(clientId);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.deleteTopics(List.of(topic, ChannelNames.deadLetter(topic, "replies"))).all().get(30, TimeUnit.SECONDS);
            try {
                admin.deleteConsumerGroups(List.of(topic + ".replies")).all().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                // The restarted caller is still a member (the suite closes it afterwards): the group
                // goes when its offsets expire; its topic is gone already.
            }
        }
    }

    @Override
    protected void publishRaw(String channel, Map<String, String> headers, byte[] body) throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(channel, body);
        headers.forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        rawProducer.send(record).get(30, TimeUnit.SECONDS);
    }

    @Override
    protected List<Envelope> takeDeadLetters(String channel, String group) {
        String topic = ChannelNames.deadLetter(channel, group);
        KafkaConsumer<byte[], byte[]> reader = deadLetterReaders.computeIfAbsent(topic, t -> KafkaClients.reader(broker, t));
        List<Envelope> found = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
            found.add(Envelope.of(Headers.of(KafkaClients.headers(r)), r.value()));
        }
        return found;
    }
}
