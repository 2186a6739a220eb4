package dev.parley.messaging.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.parley.ErrorCode;
import dev.parley.IdempotencyStore;
import dev.parley.Parley;
import dev.parley.ParleyException;
import dev.parley.messaging.MessagingOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults with real processes: the broker restarting mid-stream, a consumer process killed while
 * it holds messages, poison and hostile messages. Each test uses its own consumer groups and
 * deletes their queues afterwards.
 */
class RabbitMqFaultTest {

    private RabbitTestSupport rabbit;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void setUp() throws Exception {
        dev.parley.messaging.Brokers.require("RabbitMQ", RabbitTestSupport.HOST, RabbitTestSupport.PORT);
        rabbit = new RabbitTestSupport();
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
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        if (rabbit != null) {
            rabbit.close();
        }
    }

    private Parley runtime(String service, MessagingOptions options, IdempotencyStore store) {
        RabbitMqTransport transport = RabbitMqTransport.builder().options(options).build();
        closeables.add(transport);
        Parley parley = Parley.builder().service(service).transport(transport).idempotency(store).build();
        closeables.add(parley);
        return parley;
    }

    private Parley runtime(String service, MessagingOptions options) {
        return runtime(service, options, IdempotencyStore.inMemory(Duration.ofMinutes(10), 10_000));
    }

    private String group(String name) {
        String group = name + "-" + run;
        rabbit.cleanUpGroup(Meters.channel(), group);
        return group;
    }

    /** Records what a subscriber processed; optionally fails for some readings. */
    private static final class Recorder implements Meters {
        final Set<Long> processed = ConcurrentHashMap.newKeySet();
        final LongAdder calls = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        final Map<Long, AtomicLong> attempts = new ConcurrentHashMap<>();
        final Set<Long> poison = ConcurrentHashMap.newKeySet();
        final String run;

        Recorder(String run) {
            this.run = run;
        }

        @Override
        public void reading(Reading reading) {
            if (!reading.run().equals(run)) {
                return;
            }
            calls.increment();
            attempts.computeIfAbsent(reading.n(), n -> new AtomicLong()).incrementAndGet();
            if (poison.contains(reading.n())) {
                throw new IllegalStateException("reading " + reading.n() + " is poison");
            }
            if (!processed.add(reading.n())) {
                // A redelivery the idempotency store could not recognise (a re-published copy has a new message id).
                duplicates.increment();
            }
        }
    }

    // ---- (a) broker restart while 100,000 messages stream through

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aBrokerRestartMidStreamLosesNoConfirmedMessage() throws Exception {
        int total = Integer.getInteger("parley.test.stream", 100_000);
        String group = group("stream");
        MessagingOptions options = MessagingOptions.builder().prefetch(500).publishTimeout(Duration.ofSeconds(5)).build();
        IdempotencyStore store = IdempotencyStore.inMemory(Duration.ofMinutes(10), 250_000);
        Recorder recorder = new Recorder(run);
        runtime("stream-consumer", options, store).subscribe(Meters.class, recorder, group);
        Meters publisher = runtime("stream-producer", options).publisher(Meters.class);

        Set<Long> confirmed = ConcurrentHashMap.newKeySet();
        LongAdder failedPublishes = new LongAdder();
        AtomicLong next = new AtomicLong();
        long started = System.nanoTime();
        int publishers = 48; // below the default bulkhead of 64 concurrent calls
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        for (int t = 0; t < publishers; t++) {
            pool.execute(() -> {
                for (long n = next.getAndIncrement(); n < total; n = next.getAndIncrement()) {
                    while (true) {
                        try {
                            publisher.reading(new Meters.Reading(run, n, "m"));
                            confirmed.add(n);
                            break;
                        } catch (ParleyException e) {
                            // Not confirmed (broker away, breaker open): the test publishes it again.
                            failedPublishes.increment();
                            try {
                                Thread.sleep(50);
                            } catch (InterruptedException ie) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    }
                }
            });
        }
        boolean stopped = false;
        try {
            RabbitTestSupport.await(Duration.ofSeconds(60), "30% confirmed", () -> confirmed.size() >= total * 3 / 10);
            long processedBefore = recorder.processed.size();
            RabbitTestSupport.rabbitmqctl("stop_app");
            stopped = true;
            long downAt = System.nanoTime();
            RabbitTestSupport.rabbitmqctl("start_app");
            stopped = false;
            System.out.printf("broker restarted at %d confirmed / %d processed; down for %d ms%n",
                    confirmed.size(), processedBefore, (System.nanoTime() - downAt) / 1_000_000);
        } finally {
            if (stopped) {
                RabbitTestSupport.rabbitmqctl("start_app");
            }
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(100, TimeUnit.SECONDS)).as("every message published and confirmed").isTrue();
        assertThat(confirmed).hasSize(total);
        RabbitTestSupport.await(Duration.ofSeconds(60), "every confirmed message processed",
                () -> recorder.processed.size() == total);
        long elapsed = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("stream of %d: confirmed %d, failed publish attempts %d, processed %d distinct, handler calls %d, "
                        + "duplicates skipped by the idempotency store %d, duplicates seen by the handler %d, %d ms%n",
                total, confirmed.size(), failedPublishes.sum(), recorder.processed.size(), recorder.calls.sum(),
                store.duplicates(), recorder.duplicates.sum(), elapsed);
        Set<Long> lost = new java.util.HashSet<>(confirmed);
        lost.removeAll(recorder.processed);
        assertThat(lost).as("confirmed but never processed").isEmpty();
        assertThat(failedPublishes.sum()).as("the restart was felt by the publishers").isPositive();
    }

    // ---- (b) a consumer process killed while it holds unacknowledged messages

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void messagesHeldByAKilledConsumerGoToAnotherInstance() throws Exception {
        String group = group("crash");
        int prefetch = 20;
        int total = 50;
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldingConsumerProcess.class.getName(), group, Integer.toString(prefetch))
                .redirectErrorStream(true).start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                lines.add("EOF " + e);
            }
        });
        try {
            awaitLine(lines, "READY", Duration.ofSeconds(60));
            Meters publisher = runtime("crash-producer", MessagingOptions.ofDefaults()).publisher(Meters.class);
            for (int n = 0; n < total; n++) {
                publisher.reading(new Meters.Reading(run, n, "held?"));
            }
            Set<Long> held = new java.util.HashSet<>();
            while (held.size() < prefetch) {
                String line = awaitLine(lines, "HOLDING", Duration.ofSeconds(30));
                held.add(Long.parseLong(line.substring("HOLDING ".length()).trim()));
            }
            String queue = Topology.queue(Meters.channel(), group);
            RabbitTestSupport.await(Duration.ofSeconds(30), "the rest ready in the queue", () -> count(queue) == total - prefetch);

            holder.destroyForcibly();
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();

            Recorder other = new Recorder(run);
            runtime("crash-survivor", MessagingOptions.ofDefaults()).subscribe(Meters.class, other, group);
            RabbitTestSupport.await(Duration.ofSeconds(60), "the other instance to get all " + total,
                    () -> other.processed.size() == total);
            assertThat(other.processed).containsAll(held);
            System.out.printf("killed consumer held %s; the other instance processed %d%n", held, other.processed.size());
        } finally {
            holder.destroyForcibly();
            reader.join(10_000);
        }
    }

    private static String awaitLine(LinkedBlockingQueue<String> lines, String prefix, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        List<String> skipped = new ArrayList<>();
        while (System.nanoTime() < end) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line == null) {
                continue;
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            skipped.add(line);
        }
        throw new AssertionError("no line starting with " + prefix + " from the consumer process within " + timeout + "; it printed "
                + skipped);
    }

    // ---- (c) a poison message

    @Test
    void aPoisonMessageDoesNotBlockTheOthersAndIsDeadLetteredWithTheReason() throws Exception {
        String group = group("poison");
        MessagingOptions options = MessagingOptions.builder().maxDeliveries(3).initialBackoff(Duration.ofMillis(20))
                .maxBackoff(Duration.ofMillis(100)).build();
        Recorder recorder = new Recorder(run);
        recorder.poison.add(0L);
        runtime("poison-consumer", options).subscribe(Meters.class, recorder, group);
        Meters publisher = runtime("poison-producer", options).publisher(Meters.class);

        for (long n = 0; n < 20; n++) {
            publisher.reading(new Meters.Reading(run, n, "p"));
        }

        RabbitTestSupport.await(Duration.ofSeconds(30), "the 19 good readings processed", () -> recorder.processed.size() == 19);
        String dlq = dev.parley.messaging.ChannelNames.deadLetter(Meters.channel(), group);
        RabbitTestSupport.await(Duration.ofSeconds(30), "the poison in the dead-letter queue", () -> count(dlq) == 1);
        GetResponse dead = rabbit.get(dlq);
        Map<String, Object> h = dead.getProps().getHeaders();
        assertThat(h.get("parley-dead-letter-reason").toString()).startsWith("INTERNAL").contains("after 3 deliveries");
        assertThat(h.get("parley-dead-letter-channel")).hasToString(Meters.channel());
        assertThat(h.get("parley-dead-letter-group")).hasToString(group);
        assertThat(h.get("parley-delivery-attempts")).hasToString("3");
        assertThat(h.get("parley-operation")).hasToString("Reading");
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).contains("\"n\":0");
        assertThat(recorder.attempts.get(0L)).hasValue(3);
        assertThat(count(Topology.queue(Meters.channel(), group))).isZero();
        assertThat(count(Topology.retryQueue(Meters.channel(), group))).isZero();
    }

    // ---- (d) an oversized message

    @Test
    void anOversizedMessageIsRefusedAtPublishNamingTheLimit() throws Exception {
        String group = group("oversized");
        MessagingOptions options = MessagingOptions.builder().maxMessageBytes(64 * 1024).build();
        Recorder recorder = new Recorder(run);
        runtime("oversized-consumer", options).subscribe(Meters.class, recorder, group);
        Meters publisher = runtime("oversized-producer", options).publisher(Meters.class);

        assertThatThrownBy(() -> publisher.reading(new Meters.Reading(run, 1, "x".repeat(64 * 1024))))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE))
                .hasMessageContaining("65536");
        publisher.reading(new Meters.Reading(run, 2, "small"));

        RabbitTestSupport.await(Duration.ofSeconds(30), "the small reading", () -> recorder.processed.contains(2L));
        assertThat(recorder.processed).containsExactly(2L);
    }

    // ---- (e) malformed input from a raw client

    @Test
    void malformedInputFromARawClientIsDeadLetteredAndTheConsumerKeepsGoing() throws Exception {
        String group = group("hostile");
        Recorder recorder = new Recorder(run);
        runtime("hostile-consumer", MessagingOptions.ofDefaults()).subscribe(Meters.class, recorder, group);

        String good = "{\"run\":\"" + run + "\",\"n\":99,\"payload\":\"after the bad ones\"}";
        try (Channel raw = rabbit.admin().createChannel()) {
            publishRaw(raw, headers("not-json"), "{this is not json".getBytes(StandardCharsets.UTF_8));
            Map<String, Object> noOperation = headers("no-operation");
            noOperation.remove("parley-operation");
            publishRaw(raw, noOperation, good.getBytes(StandardCharsets.UTF_8));
            Map<String, Object> numeric = headers("numeric-header");
            numeric.put("parley-operation", 42);
            publishRaw(raw, numeric, good.getBytes(StandardCharsets.UTF_8));
            Map<String, Object> huge = headers("huge-header");
            huge.put("huge-header", "h".repeat(20_000));
            publishRaw(raw, huge, good.getBytes(StandardCharsets.UTF_8));
            publishRaw(raw, headers("good"), good.getBytes(StandardCharsets.UTF_8));
        }

        RabbitTestSupport.await(Duration.ofSeconds(30), "the good message after the bad ones", () -> recorder.processed.contains(99L));
        String dlq = dev.parley.messaging.ChannelNames.deadLetter(Meters.channel(), group);
        RabbitTestSupport.await(Duration.ofSeconds(30), "4 dead letters", () -> count(dlq) == 4);
        Map<String, String> reasons = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            GetResponse dead = rabbit.get(dlq);
            Map<String, Object> h = dead.getProps().getHeaders();
            reasons.put(h.get("parley-message-id").toString(), h.get("parley-dead-letter-reason").toString());
            assertThat(h.get("parley-dead-letter-group")).hasToString(group);
            assertThat(h).doesNotContainKey("huge-header");
        }
        assertThat(reasons.get("not-json")).startsWith("INVALID_ARGUMENT");
        assertThat(reasons.get("no-operation")).startsWith("INVALID_ARGUMENT").contains("not a Parley message");
        assertThat(reasons.get("numeric-header")).startsWith("INVALID_ARGUMENT").contains("parley-operation").contains("Integer");
        assertThat(reasons.get("huge-header")).startsWith("INVALID_ARGUMENT").contains("huge-header").contains("8192");
        assertThat(recorder.processed).containsExactly(99L);
        assertThat(count(Topology.queue(Meters.channel(), group))).isZero();
    }

    private static Map<String, Object> headers(String messageId) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("parley-message-id", messageId);
        h.put("parley-contract", "parley.rabbitmq.test.meters");
        h.put("parley-contract-version", "1.0");
        h.put("parley-operation", "Reading");
        h.put("content-type", "application/json");
        return h;
    }

    private static void publishRaw(Channel raw, Map<String, Object> headers, byte[] body) throws Exception {
        raw.basicPublish(Meters.channel(), "", new AMQP.BasicProperties.Builder().deliveryMode(2).headers(headers).build(), body);
    }

    private long count(String queue) {
        try {
            return rabbit.messageCount(queue);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
