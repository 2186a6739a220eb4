package dev.parley.messaging.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.TransportException;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.messaging.ChannelNames;
import dev.parley.messaging.MessagingHeaders;
import dev.parley.messaging.MessagingOptions;
import dev.parley.messaging.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What goes wrong in production, on a real broker: crashed consumers, poison messages, hostile records. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaFaultTest {

    private static final Duration WAIT = Duration.ofSeconds(45);
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

    private KafkaTransport transport(MessagingOptions options) {
        KafkaTransport transport = KafkaTransport.builder().bootstrapServers(broker.bootstrapServers()).options(options).build();
        closeables.add(transport);
        return transport;
    }

    private Parley runtime(String service, KafkaTransport transport) {
        Parley parley = Parley.builder().service(service).transport(transport).build();
        closeables.add(parley);
        return parley;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A handler that records the ticks of this run. */
    private final class Recorder implements Ticks {
        final List<Tick> seen = new CopyOnWriteArrayList<>();

        @Override
        public void ticked(Tick tick) {
            if (tick.run().equals(run)) {
                seen.add(tick);
            }
        }

        Set<Integer> numbers() {
            Set<Integer> s = ConcurrentHashMap.newKeySet();
            seen.forEach(t -> s.add(t.n()));
            return s;
        }
    }

    // ---- (b) a consumer that goes away mid-batch

    @Test
    void recordsAConsumerHeldUnsettledGoToTheOtherGroupMemberWhenItCloses() throws Exception {
        String group = "crash-" + run;
        Recorder survivor = new Recorder();
        Set<Integer> heldByLeaver = ConcurrentHashMap.newKeySet();
        CountDownLatch never = new CountDownLatch(1);
        closeables.add(never::countDown);

        runtime("survivor", transport(MessagingOptions.ofDefaults())).subscribe(Ticks.class, survivor, group);
        KafkaTransport leaverTransport = transport(MessagingOptions.ofDefaults());
        runtime("leaver", leaverTransport).subscribe(Ticks.class, new Ticks() {
            @Override
            public void ticked(Tick tick) {
                if (tick.run().equals(run)) {
                    heldByLeaver.add(tick.n());
                    try {
                        never.await(); // the handler is still busy when its consumer goes away
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }, group);
        String groupId = KafkaTransport.groupId(new Subscription(Ticks.channel(), ChannelNames.groupName(group), true));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            await("both members own partitions", () -> {
                try {
                    ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(groupId)).all().get(10, TimeUnit.SECONDS).get(groupId);
                    return d.members().size() == 2 && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                } catch (Exception e) {
                    return false;
                }
            });
        }

        KafkaTransport publisher = transport(MessagingOptions.ofDefaults());
        for (int n = 0; n < 30; n++) {
            publisher.publish(Ticks.channel(), Ticks.event(run, n, null)).get(30, TimeUnit.SECONDS);
        }
        await("all 30 events were handed to one member or the other", () -> heldByLeaver.size() + survivor.numbers().size() == 30);
        assertThat(heldByLeaver).as("the leaving member got some of them").isNotEmpty();

        leaverTransport.close(); // its handlers never finished: nothing of theirs was committed

        await("the survivor processed all 30, those the leaver held included", () -> survivor.numbers().size() == 30);
        assertThat(survivor.numbers()).containsAll(heldByLeaver);
    }

    // ---- (c) poison messages

    @Test
    void aPoisonEventIsRetriedAndDeadLetteredWithoutBlockingOtherKeys() throws Exception {
        String group = "poison-" + run;
        MessagingOptions options = MessagingOptions.builder().maxDeliveries(3).initialBackoff(Duration.ofSeconds(2))
                .maxBackoff(Duration.ofSeconds(10)).build();
        AtomicInteger poisonAttempts = new AtomicInteger();
        Map<Integer, Integer> attemptsWhenProcessed = new ConcurrentHashMap<>();
        List<Integer> followers = new CopyOnWriteArrayList<>();
        runtime("poison", transport(options)).subscribe(Ticks.class, new Ticks() {
            @Override
            public void ticked(Tick tick) {
                if (!tick.run().equals(run)) {
                    return;
                }
                if (tick.n() == 0) {
                    throw new IllegalStateException("tick 0 is poison (attempt " + poisonAttempts.incrementAndGet() + ")");
                }
                attemptsWhenProcessed.put(tick.n(), poisonAttempts.get());
                if (tick.key().equals("p")) {
                    followers.add(tick.n());
                }
            }
        }, group);

        KafkaTransport publisher = transport(MessagingOptions.ofDefaults());
        publisher.publish(Ticks.channel(), Ticks.event(run, 0, "p")).get(30, TimeUnit.SECONDS);
        for (int n = 1; n <= 3; n++) {
            publisher.publish(Ticks.channel(), Ticks.event(run, n, "p")).get(30, TimeUnit.SECONDS);
        }
        int partitions = 3;
        int poisonPartition = partition("p", partitions);
        List<Integer> samePartition = new ArrayList<>();
        for (int n = 100; n < 130; n++) {
            String key = "k" + n;
            if (partition(key, partitions) == poisonPartition) {
                samePartition.add(n);
            }
            publisher.publish(Ticks.channel(), Ticks.event(run, n, key)).get(30, TimeUnit.SECONDS);
        }
        assertThat(samePartition).as("some other keys share the poison's partition").isNotEmpty();

        await("the 30 events with other keys were processed", () -> attemptsWhenProcessed.keySet().stream().filter(n -> n >= 100).count() == 30);
        assertThat(samePartition).allSatisfy(n -> assertThat(attemptsWhenProcessed.get(n))
                .as("event %d (same partition, other key) was processed before the poison was given up", n).isLessThan(3));

        List<ConsumerRecord<byte[], byte[]>> dead = readAll(ChannelNames.deadLetter(Ticks.channel(), ChannelNames.groupName(group)), 1);
        await("the events behind the poison with its key were processed", () -> followers.size() == 3);
        assertThat(followers).as("in publish order, after the poison").containsExactly(1, 2, 3);
        assertThat(List.of(1, 2, 3)).allSatisfy(n -> assertThat(attemptsWhenProcessed.get(n)).isEqualTo(3));

        ConsumerRecord<byte[], byte[]> letter = dead.get(0);
        Map<String, String> h = KafkaClients.headers(letter);
        assertThat(h.get(MessagingHeaders.DEAD_LETTER_REASON)).startsWith("INTERNAL").contains("after 3 deliveries");
        assertThat(h).containsEntry(MessagingHeaders.DELIVERY_ATTEMPTS, "3")
                .containsEntry(MessagingHeaders.DEAD_LETTER_CHANNEL, Ticks.channel())
                .containsEntry(MessagingHeaders.DEAD_LETTER_GROUP, ChannelNames.groupName(group))
                .containsEntry("parley-message-id", run + "-p-0");
        assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("p");
        assertThat(letter.value()).isEqualTo(Ticks.json(run, 0, "p"));
        assertThat(poisonAttempts.get()).isEqualTo(3);
    }

    /** The partition Kafka's default partitioner picks for a keyed record. */
    private static int partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    // ---- (d) oversized messages

    @Test
    void anOversizedMessageIsRefusedAtPublishNamingTheLimitAndDeadLetteredWhenARawClientSendsIt() throws Exception {
        int limit = 64 * 1024;
        MessagingOptions options = MessagingOptions.builder().maxMessageBytes(limit).build();
        KafkaTransport publisher = transport(options);
        Envelope big = Envelope.of(Ticks.headers(run + "-big", null), new byte[limit + 1]);

        assertThatThrownBy(() -> publisher.publish(Ticks.channel(), big).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE))
                .hasMessageContaining(Integer.toString(limit));

        String group = "size-" + run;
        Recorder recorder = new Recorder();
        runtime("size", transport(options)).subscribe(Ticks.class, recorder, group);
        try (KafkaProducer<byte[], byte[]> raw = KafkaClients.rawProducer(broker)) {
            raw.send(record(Ticks.channel(), Ticks.headers(run + "-huge", null).asMap(), new byte[2 * limit])).get(30, TimeUnit.SECONDS);
            raw.send(record(Ticks.channel(), Ticks.headers(run + "-fine", null).asMap(), Ticks.json(run, 1, ""))).get(30, TimeUnit.SECONDS);
        }
        await("the event after the huge one was processed", () -> recorder.numbers().contains(1));
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(ChannelNames.deadLetter(Ticks.channel(), ChannelNames.groupName(group)), 1);
        assertThat(KafkaClients.headers(dead.get(0)).get(MessagingHeaders.DEAD_LETTER_REASON))
                .startsWith("PAYLOAD_TOO_LARGE").contains(Integer.toString(limit));
        assertThat(dead.get(0).value()).hasSize(2 * limit);
    }

    // ---- (e) malformed records from clients that are not Parley

    @Test
    void malformedRecordsAreDeadLetteredAndTheConsumerKeepsGoing() throws Exception {
        String group = "hostile-" + run;
        Recorder recorder = new Recorder();
        runtime("hostile", transport(MessagingOptions.ofDefaults())).subscribe(Ticks.class, recorder, group);
        String channel = Ticks.channel();
        Map<String, String> good = Ticks.headers(run + "-x", null).asMap();

        List<ProducerRecord<byte[], byte[]>> hostile = new ArrayList<>();
        hostile.add(record(channel, with(good, "parley-message-id", run + "-1"), "{not json".getBytes(StandardCharsets.UTF_8)));
        hostile.add(record(channel, without(with(good, "parley-message-id", run + "-2"), "parley-operation"), Ticks.json(run, 2, "")));
        ProducerRecord<byte[], byte[]> nullOperation = record(channel, without(with(good, "parley-message-id", run + "-3"), "parley-operation"),
                Ticks.json(run, 3, ""));
        nullOperation.headers().add("parley-operation", null);
        hostile.add(nullOperation);
        ProducerRecord<byte[], byte[]> notUtf8 = record(channel, without(with(good, "parley-message-id", run + "-4"), "parley-operation"),
                Ticks.json(run, 4, ""));
        notUtf8.headers().add("parley-operation", new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF});
        hostile.add(notUtf8);
        hostile.add(record(channel, with(good, "parley-message-id", run + "-5"), null));
        hostile.add(record(channel, with(with(good, "parley-message-id", run + "-6"), "X-Upper\nCase", "v"), Ticks.json(run, 6, "")));
        hostile.add(record(channel, with(with(good, "parley-message-id", run + "-7"), "x-huge", "h".repeat(20_000)), Ticks.json(run, 7, "")));
        hostile.add(record(channel, Map.of(), new byte[] {0, 1, 2, (byte) 0xFF}));

        try (KafkaProducer<byte[], byte[]> raw = KafkaClients.rawProducer(broker)) {
            for (ProducerRecord<byte[], byte[]> r : hostile) {
                raw.send(r).get(30, TimeUnit.SECONDS);
            }
            raw.send(record(channel, with(good, "parley-message-id", run + "-100"), Ticks.json(run, 100, ""))).get(30, TimeUnit.SECONDS);
        }

        await("the good record after the hostile ones was processed", () -> recorder.numbers().contains(100));
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(ChannelNames.deadLetter(channel, ChannelNames.groupName(group)), hostile.size());
        assertThat(dead).hasSize(hostile.size());
        assertThat(dead).allSatisfy(d -> assertThat(KafkaClients.headers(d).get(MessagingHeaders.DEAD_LETTER_REASON)).isNotBlank()
                .startsWith("INVALID_ARGUMENT"));
        assertThat(dead).allSatisfy(d -> assertThat(KafkaClients.headers(d)).containsEntry(MessagingHeaders.DELIVERY_ATTEMPTS, "1"));
        assertThat(recorder.numbers()).containsExactly(100);
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, Map<String, String> headers, byte[] value) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, value);
        headers.forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        return r;
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> m = new java.util.LinkedHashMap<>(headers);
        m.put(name, value);
        return m;
    }

    private static Map<String, String> without(Map<String, String> headers, String name) {
        Map<String, String> m = new java.util.LinkedHashMap<>(headers);
        m.remove(name);
        return m;
    }

    /** Reads {@code topic} from the start until {@code count} records arrived. */
    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int count) throws InterruptedException {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader = KafkaClients.reader(broker, topic)) {
            await(count + " records in " + topic, () -> {
                reader.poll(Duration.ofMillis(100)).forEach(found::add);
                return found.size() >= count;
            });
        }
        return found;
    }

    static Headers headersOf(ConsumerRecord<byte[], byte[]> r) {
        return Headers.of(KafkaClients.headers(r));
    }
}
