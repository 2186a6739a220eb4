package dev.parley.bench.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * kafka-clients used directly, with the guarantees Parley's Kafka transport gives: an
 * idempotent producer with {@code acks=all}, a consumer that commits only after handling
 * (asynchronously after each poll), the same partition count.
 */
final class KafkaRaw implements Race.Contender {

    private final String bootstrap;
    private final String topic;
    private final String group;
    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> producer;
    private volatile boolean running = true;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread loop;

    KafkaRaw(String bootstrap, String run, int partitions) throws Exception {
        this.bootstrap = bootstrap;
        this.topic = "bench.raw." + run;
        this.group = "bench-raw-" + run;
        admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public String label() {
        return "kafka-clients";
    }

    @Override
    public void startConsumer(Race.Sink sink) throws Exception {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Race.WINDOW), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        CountDownLatch assigned = new CountDownLatch(1);
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) { }

            @Override
            public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    assigned.countDown();
                }
            }
        });
        loop = Thread.ofPlatform().name("race-raw-kafka-consumer").start(() -> {
            try {
                while (running) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        sink.consumed(Race.sentNanos(r.value()));
                    }
                    if (!records.isEmpty()) {
                        consumer.commitAsync();
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        });
        if (!assigned.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no partitions assigned to the raw Kafka consumer in 60 s");
        }
    }

    @Override
    public CompletableFuture<?> publish(long sentNanos, String pad) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, Race.body(sentNanos, pad)), (metadata, e) -> {
            if (e == null) {
                acked.complete(null);
            } else {
                acked.completeExceptionally(e);
            }
        });
        return acked;
    }

    @Override
    public void close() throws Exception {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
            loop.join(10_000);
        }
        producer.close(Duration.ofSeconds(5));
        admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        admin.close(Duration.ofSeconds(5));
    }
}
