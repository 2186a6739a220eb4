package dev.parley.messaging.kafka;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.messaging.Brokers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain kafka-clients producers and consumers for the tests: Kafka without Parley. */
final class KafkaClients {

    private KafkaClients() {}

    /**
     * The shared test broker. If it cannot start, the test class is skipped on a developer's
     * machine and fails when {@code CI=true}, like every broker test.
     */
    static KafkaTestBroker requireBroker() {
        KafkaTestBroker broker;
        try {
            broker = KafkaTestBroker.shared();
        } catch (RuntimeException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("the Kafka test broker did not start (CI=true: broker tests must run)", e);
            }
            assumeTrue(false, "the Kafka test broker did not start: " + e.getMessage() + ": skipping (set CI=true to make this a failure)");
            throw e;
        }
        Brokers.require("Kafka", "127.0.0.1", broker.port());
        return broker;
    }

    static KafkaProducer<byte[], byte[]> rawProducer(KafkaTestBroker broker) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A consumer without a group that reads every partition of {@code topic} from the start. */
    static KafkaConsumer<byte[], byte[]> reader(KafkaTestBroker broker, String topic) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** The record's headers as UTF-8 strings (the documented mapping). */
    static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Header h : record.headers()) {
            if (h.value() != null) {
                map.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        return map;
    }
}
