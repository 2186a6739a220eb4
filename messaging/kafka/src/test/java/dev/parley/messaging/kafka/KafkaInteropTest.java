package dev.parley.messaging.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Parley;
import dev.parley.message.StandardHeaders;
import dev.parley.messaging.MessagingHeaders;
import dev.parley.messaging.MessagingOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Kafka clients that know nothing of Parley talk to Parley through the documented record mapping. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaInteropTest {

    private static KafkaTestBroker broker;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private String run;

    @BeforeAll
    static void broker() {
        broker = KafkaClients.requireBroker();
    }

    @BeforeEach
    void newRun() {
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private Parley runtime(String service) {
        KafkaTransport transport = KafkaTransport.builder().bootstrapServers(broker.bootstrapServers())
                .options(MessagingOptions.ofDefaults()).build();
        closeables.add(transport);
        Parley parley = Parley.builder().service(service).transport(transport).build();
        closeables.add(parley);
        return parley;
    }

    @Test
    void aRawProducersRecordWithTheDocumentedHeadersReachesAParleySubscriber() throws Exception {
        List<Ticks.Tick> seen = new CopyOnWriteArrayList<>();
        runtime("interop-in").subscribe(Ticks.class, new Ticks() {
            @Override
            public void ticked(Tick tick) {
                if (tick.run().equals(run)) {
                    seen.add(tick);
                }
            }
        }, "interop-in-" + run);

        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.rawProducer(broker)) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(Ticks.channel(), "order-7".getBytes(StandardCharsets.UTF_8),
                    Ticks.json(run, 7, "order-7"));
            for (var header : Map.of(
                    "parley-message-id", UUID.randomUUID().toString(),
                    "parley-contract", "parley.kafka.test.ticks",
                    "parley-contract-version", "1.0",
                    "parley-operation", "Tick",
                    "content-type", "application/json").entrySet()) {
                record.headers().add(header.getKey(), header.getValue().getBytes(StandardCharsets.UTF_8));
            }
            producer.send(record).get(30, TimeUnit.SECONDS);
        }

        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seen.isEmpty() && System.nanoTime() - end < 0) {
            Thread.sleep(20);
        }
        assertThat(seen).containsExactly(new Ticks.Tick(run, 7, "order-7"));
    }

    @Test
    void aParleyEventIsARecordWithHeadersKeyAndJsonBody() throws Exception {
        Parley publisher = runtime("interop-out");
        // Make sure the topic exists before the raw consumer looks for its partitions.
        Ticks ticks = publisher.publisher(Ticks.class);
        ticks.ticked(new Ticks.Tick(run, 0, "warm-up"));

        try (KafkaConsumer<byte[], byte[]> reader = KafkaClients.reader(broker, Ticks.channel())) {
            // Skip what earlier runs left: read from the current end.
            reader.seekToEnd(reader.assignment());
            reader.assignment().forEach(reader::position);
            long before = System.currentTimeMillis();
            ticks.ticked(new Ticks.Tick(run, 42, "k"));

            ConsumerRecord<byte[], byte[]> found = null;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (found == null && System.nanoTime() - end < 0) {
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    if (new String(r.value(), StandardCharsets.UTF_8).contains("\"run\":\"" + run + "\"")) {
                        found = r;
                    }
                }
            }
            assertThat(found).as("the event record").isNotNull();
            Map<String, String> headers = KafkaClients.headers(found);
            assertThat(headers).containsEntry(StandardHeaders.CONTRACT, "parley.kafka.test.ticks")
                    .containsEntry(StandardHeaders.CONTRACT_VERSION, "1.0")
                    .containsEntry(StandardHeaders.OPERATION, "Tick")
                    .containsEntry(StandardHeaders.CONTENT_TYPE, "application/json")
                    .containsKeys(StandardHeaders.MESSAGE_ID, MessagingHeaders.SENT_AT)
                    .doesNotContainKey(StandardHeaders.DEADLINE);
            assertThat(Long.parseLong(headers.get(MessagingHeaders.SENT_AT))).isBetween(before - 5_000, System.currentTimeMillis());
            assertThat(new String(found.key(), StandardCharsets.UTF_8)).as("record key = message id")
                    .isEqualTo(headers.get(StandardHeaders.MESSAGE_ID));
            assertThat(new String(found.value(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"run\":\"" + run + "\",\"n\":42,\"key\":\"k\"}");
            found.headers().forEach(h -> assertThat(h.key()).matches("[a-z0-9._-]+"));
        }
    }
}
