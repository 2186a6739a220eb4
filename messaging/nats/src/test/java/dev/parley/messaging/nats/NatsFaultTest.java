package dev.parley.messaging.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.ErrorCode;
import dev.parley.ErrorInfo;
import dev.parley.Parley;
import dev.parley.ParleyClock;
import dev.parley.TransportException;
import dev.parley.codec.Codec;
import dev.parley.contract.Contract;
import dev.parley.contract.Event;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.messaging.ChannelNames;
import dev.parley.messaging.MessagingHeaders;
import dev.parley.messaging.MessagingOptions;
import dev.parley.transport.InboundHandler;
import dev.parley.transport.Registration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults at the broker and at the consumers, against a nats-server child process of this test
 * ({@link NatsTestServer}), which the restart test kills and starts again; the shared server at
 * 4222 is never touched.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class NatsFaultTest {

    private static NatsTestServer server;
    private static RawNats raw;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (!NatsTestServer.available() && !ci) {
            assumeTrue(false, "no nats-server binary at " + NatsTestServer.BINARY + ": skipping (CI=true makes this a failure)");
        }
        server = NatsTestServer.start();
        raw = new RawNats(server.url());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (raw != null) {
            raw.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        closeables.clear();
    }

    private NatsTransport transport(MessagingOptions options, Duration ackWait) {
        NatsTransport t = NatsTransport.builder().url(server.url()).options(options).ackWait(ackWait).build();
        closeables.add(t);
        return t;
    }

    private static Envelope event(String id, String operation, byte[] body) {
        return Envelope.of(Headers.of(Map.of(StandardHeaders.MESSAGE_ID, id, StandardHeaders.OPERATION, operation,
                StandardHeaders.CONTENT_TYPE, "application/json")), body);
    }

    private static void ok(dev.parley.transport.ReplySink replies) {
        replies.reply(Envelope.withoutBody(Headers.of(Map.of(StandardHeaders.STATUS, StandardHeaders.STATUS_OK))));
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    // ---- (a) broker restart under load

    @Test
    void everyConfirmedMessageIsProcessedAcrossABrokerRestart() throws Exception {
        int total = 100_000;
        String channel = "parley.fault.restart.v1.events";
        MessagingOptions options = MessagingOptions.builder().publishTimeout(Duration.ofSeconds(3)).build();
        NatsTransport consumer = transport(options, Duration.ofSeconds(5));
        NatsTransport publisher = transport(options, Duration.ofSeconds(5));

        Set<String> processed = ConcurrentHashMap.newKeySet();
        AtomicLong deliveries = new AtomicLong();
        consumer.subscribe(channel, "counter", (message, replies) -> {
            deliveries.incrementAndGet();
            processed.add(message.headers().valueOrNull(StandardHeaders.MESSAGE_ID));
            ok(replies);
            return ParleyClock.Cancellable.NOOP;
        });

        Set<String> confirmed = ConcurrentHashMap.newKeySet();
        AtomicInteger failedPublishes = new AtomicInteger();
        Semaphore window = new Semaphore(2_000);
        byte[] body = "{\"tick\":1}".getBytes(StandardCharsets.UTF_8);
        CountDownLatch restarted = new CountDownLatch(1);
        long start = System.nanoTime();
        Thread restarter = Thread.ofPlatform().name("restarter").start(() -> {
            try {
                while (confirmed.size() < total / 3) {
                    Thread.sleep(10);
                }
                server.restart();
                restarted.countDown();
            } catch (Exception e) {
                throw new IllegalStateException("restart failed", e);
            }
        });
        for (int i = 0; i < total; i++) {
            window.acquire();
            publishUntilConfirmed(publisher, channel, event("m-" + i, "Tick", body), confirmed, failedPublishes, window);
        }
        await("all " + total + " publishes confirmed", Duration.ofSeconds(60), () -> confirmed.size() == total);
        assertThat(restarted.await(30, TimeUnit.SECONDS)).as("the broker was restarted mid-stream").isTrue();
        restarter.join();
        await("every confirmed message processed", Duration.ofSeconds(60), () -> processed.containsAll(confirmed));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

        long duplicates = deliveries.get() - processed.size();
        System.out.printf("[restart test] %d messages confirmed, %d processed, %d duplicate deliveries, %d failed publishes"
                + " retried, %d s%n", confirmed.size(), processed.size(), duplicates, failedPublishes.get(), seconds);
        Set<String> lost = new java.util.HashSet<>(confirmed);
        lost.removeAll(processed); // (AssertJ's containsAll is quadratic: too slow for 100,000 ids)
        assertThat(lost).as("confirmed but never processed").isEmpty();
        assertThat(confirmed).hasSize(total);
        assertThat(failedPublishes.get()).as("the restart made some publishes fail (and be retried)").isPositive();
    }

    private static void publishUntilConfirmed(NatsTransport publisher, String channel, Envelope message, Set<String> confirmed,
                                              AtomicInteger failures, Semaphore window) {
        publisher.publish(channel, message).whenComplete((v, e) -> {
            if (e == null) {
                confirmed.add(message.headers().valueOrNull(StandardHeaders.MESSAGE_ID));
                window.release();
            } else {
                failures.incrementAndGet();
                CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)
                        .execute(() -> publishUntilConfirmed(publisher, channel, message, confirmed, failures, window));
            }
        });
    }

    // ---- (b) a consumer dies holding messages

    @Test
    void messagesHeldByADeadConsumerGoToAnotherMember() throws Exception {
        String channel = "parley.fault.crash.v1.events";
        MessagingOptions options = MessagingOptions.ofDefaults();
        NatsTransport doomed = transport(options, Duration.ofSeconds(2));
        NatsTransport survivor = transport(options, Duration.ofSeconds(2));
        NatsTransport publisher = transport(options, Duration.ofSeconds(2));

        Set<String> held = ConcurrentHashMap.newKeySet();
        doomed.subscribe(channel, "workers", (message, replies) -> {
            held.add(message.headers().valueOrNull(StandardHeaders.MESSAGE_ID)); // never settled: it is working when it dies
            return ParleyClock.Cancellable.NOOP;
        });
        for (int i = 0; i < 20; i++) {
            publisher.publish(channel, event("c-" + i, "Job", "{}".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        }
        await("the doomed member holds all 20", Duration.ofSeconds(30), () -> held.size() == 20);

        doomed.connection().close(); // the process dies: no acks, no naks

        Set<String> recovered = ConcurrentHashMap.newKeySet();
        survivor.subscribe(channel, "workers", (message, replies) -> {
            recovered.add(message.headers().valueOrNull(StandardHeaders.MESSAGE_ID));
            ok(replies);
            return ParleyClock.Cancellable.NOOP;
        });
        await("the survivor got the 20 after the ack wait", Duration.ofSeconds(30), () -> recovered.size() == 20);
        assertThat(recovered).isEqualTo(held);
    }

    @Test
    void aHandlerLongerThanTheAckWaitKeepsItsMessage() throws Exception {
        String channel = "parley.fault.slow.v1.events";
        NatsTransport member = transport(MessagingOptions.ofDefaults(), Duration.ofSeconds(1));
        NatsTransport other = transport(MessagingOptions.ofDefaults(), Duration.ofSeconds(1));
        List<String> deliveries = new CopyOnWriteArrayList<>();
        InboundHandler slow = (message, replies) -> {
            deliveries.add(message.headers().valueOrNull(StandardHeaders.MESSAGE_ID));
            CompletableFuture.delayedExecutor(3_500, TimeUnit.MILLISECONDS).execute(() -> ok(replies));
            return ParleyClock.Cancellable.NOOP;
        };
        member.subscribe(channel, "slow", slow);
        other.subscribe(channel, "slow", slow);

        member.publish(channel, event("slow-1", "Job", "{}".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        await("delivered", Duration.ofSeconds(10), () -> !deliveries.isEmpty());
        Thread.sleep(5_000); // 5 ack waits: without the in-progress signal the message would have come back several times

        assertThat(deliveries).as("in-progress signals keep a working member's message").containsExactly("slow-1");
    }

    @Test
    void aConsumerDeletedByAnOperatorIsCreatedAgain() throws Exception {
        String channel = "parley.fault.deleted.v1.events";
        NatsTransport transport = transport(MessagingOptions.ofDefaults(), Duration.ofSeconds(30));
        Set<String> received = ConcurrentHashMap.newKeySet();
        transport.subscribe(channel, "phoenix", (message, replies) -> {
            received.add(message.headers().valueOrNull(StandardHeaders.MESSAGE_ID));
            ok(replies);
            return ParleyClock.Cancellable.NOOP;
        });
        transport.publish(channel, event("before", "Job", "{}".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        await("the first message arrived", Duration.ofSeconds(30), () -> received.contains("before"));

        raw.management.deleteConsumer(NatsWire.stream(channel), "phoenix");
        await("the consumer is back", Duration.ofSeconds(30), () -> {
            try {
                return raw.management.getConsumerNames(NatsWire.stream(channel)).contains("phoenix");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        transport.publish(channel, event("after", "Job", "{}".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);

        await("the message after the deletion arrived", Duration.ofSeconds(30), () -> received.contains("after"));
    }

    // ---- (c) poison

    @Test
    void aPoisonMessageDoesNotBlockTheOthersAndIsDeadLetteredWithTheReason() throws Exception {
        String channel = "parley.fault.poison.v1.events";
        MessagingOptions options = MessagingOptions.builder().maxDeliveries(3).initialBackoff(Duration.ofSeconds(2))
                .maxBackoff(Duration.ofSeconds(2)).build();
        NatsTransport transport = transport(options, Duration.ofSeconds(30));
        Set<String> good = ConcurrentHashMap.newKeySet();
        AtomicInteger poisonAttempts = new AtomicInteger();
        AtomicLong goodDoneAt = new AtomicLong();
        AtomicLong lastPoisonAt = new AtomicLong();
        transport.subscribe(channel, "picky", (message, replies) -> {
            String id = message.headers().valueOrNull(StandardHeaders.MESSAGE_ID);
            if (id.equals("poison")) {
                poisonAttempts.incrementAndGet();
                lastPoisonAt.set(System.nanoTime());
                ErrorInfo error = new ErrorInfo(ErrorCode.INTERNAL.name(), "boom: cannot digest " + id, Map.of());
                replies.reply(Envelope.of(Headers.of(Map.of(StandardHeaders.STATUS, ErrorCode.INTERNAL.name(),
                        StandardHeaders.CONTENT_TYPE, "application/json")), Codec.json().forType(ErrorInfo.class).encode(error)));
            } else {
                if (good.add(id) && good.size() == 50) {
                    goodDoneAt.set(System.nanoTime());
                }
                ok(replies);
            }
            return ParleyClock.Cancellable.NOOP;
        });

        transport.publish(channel, event("poison", "Job", "{}".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 50; i++) {
            transport.publish(channel, event("g-" + i, "Job", "{}".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        }

        String deadLetters = ChannelNames.deadLetter(channel, "picky");
        List<Envelope> dead = new ArrayList<>();
        await("the poison message is in " + deadLetters, Duration.ofSeconds(30), () -> {
            try {
                dead.addAll(raw.takeStored(deadLetters));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return !dead.isEmpty();
        });
        assertThat(good).hasSize(50);
        assertThat(goodDoneAt.get() - lastPoisonAt.get()).as("the 50 good ones were done before the poison's last attempt").isNegative();
        assertThat(dead).hasSize(1);
        Headers h = dead.get(0).headers();
        assertThat(h.valueOrNull(StandardHeaders.MESSAGE_ID)).isEqualTo("poison");
        assertThat(h.valueOrNull(MessagingHeaders.DEAD_LETTER_REASON)).startsWith("INTERNAL").contains("boom: cannot digest poison");
        assertThat(h.valueOrNull(MessagingHeaders.DELIVERY_ATTEMPTS)).isEqualTo("3");
        assertThat(h.valueOrNull(MessagingHeaders.DEAD_LETTER_CHANNEL)).isEqualTo(channel);
        assertThat(h.valueOrNull(MessagingHeaders.DEAD_LETTER_GROUP)).isEqualTo("picky");
        assertThat(poisonAttempts.get()).isEqualTo(3);
    }

    // ---- (d) oversized

    @Test
    void anOversizedMessageIsRefusedAtPublishNamingTheLimit() throws Exception {
        String channel = "parley.fault.big.v1.events";
        NatsTransport small = transport(MessagingOptions.builder().maxMessageBytes(1_000).build(), Duration.ofSeconds(30));
        List<String> received = new CopyOnWriteArrayList<>();
        small.subscribe(channel, "sizes", (message, replies) -> {
            received.add(message.headers().valueOrNull(StandardHeaders.MESSAGE_ID));
            ok(replies);
            return ParleyClock.Cancellable.NOOP;
        });

        assertThatThrownBy(() -> small.publish(channel, event("big-1", "Job", new byte[1_001])).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE))
                .hasMessageContaining("1001 bytes").hasMessageContaining("limit of 1000 bytes");

        // Parley's limit above the server's max_payload (1 MiB by default): the server's limit is named.
        NatsTransport large = transport(MessagingOptions.builder().maxMessageBytes(8 << 20).build(), Duration.ofSeconds(30));
        long maxPayload = large.connection().getMaxPayload();
        assertThatThrownBy(() -> large.publish(channel, event("big-2", "Job", new byte[(int) maxPayload + 1])).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE))
                .hasMessageContaining("max_payload of " + maxPayload + " bytes");

        large.publish(channel, event("small", "Job", new byte[10])).get(10, TimeUnit.SECONDS);
        await("the small message arrived", Duration.ofSeconds(30), () -> received.contains("small"));
        assertThat(received).as("the refused messages never reached the stream").containsExactly("small");
    }

    // ---- (e) malformed input from a foreign client

    record Parcel(String id, int weight) {}

    @Contract(name = "parley.fault.parcels", version = "1.0")
    interface Parcels {
        @Event
        default void parcel(Parcel parcel) {}
    }

    @Test
    void malformedMessagesAreDeadLetteredAndTheConsumerKeepsGoing() throws Exception {
        NatsTransport transport = transport(MessagingOptions.ofDefaults(), Duration.ofSeconds(30));
        Parley parley = Parley.builder().service("parcels").transport(transport).build();
        closeables.add(parley);
        List<Parcel> received = new CopyOnWriteArrayList<>();
        Registration r = parley.subscribe(Parcels.class, new Parcels() {
            @Override
            public void parcel(Parcel parcel) {
                received.add(parcel);
            }
        }, "strict");
        closeables.add(r::close);
        String channel = "parley.fault.parcels.v1.events";

        Map<String, String> good = new LinkedHashMap<>(Map.of(StandardHeaders.MESSAGE_ID, UUID.randomUUID().toString(),
                StandardHeaders.CONTRACT, "parley.fault.parcels", StandardHeaders.CONTRACT_VERSION, "1.0",
                StandardHeaders.OPERATION, "Parcel", StandardHeaders.CONTENT_TYPE, "application/json"));
        Map<String, String> hugeHeader = new LinkedHashMap<>(good);
        hugeHeader.put("x-huge", "h".repeat(40_000)); // over Parley's 8 KiB, under JetStream's 64 KiB header limit
        Map<String, String> manyHeaders = new LinkedHashMap<>(good);
        for (int i = 0; i < 100; i++) {
            manyHeaders.put("x-h" + i, "v");
        }
        Map<String, String> noOperation = new LinkedHashMap<>(good);
        noOperation.remove(StandardHeaders.OPERATION);
        Map<String, String> unknownOperation = new LinkedHashMap<>(good);
        unknownOperation.put(StandardHeaders.OPERATION, "NoSuchEvent");

        raw.publish(channel, good, "{not json".getBytes(StandardCharsets.UTF_8));
        raw.publish(channel, good, new byte[] {(byte) 0xff, 0, (byte) 0xfe, 1});
        raw.publish(channel, noOperation, "{\"id\":\"p-0\",\"weight\":1}".getBytes(StandardCharsets.UTF_8));
        raw.publish(channel, hugeHeader, "{\"id\":\"p-0\",\"weight\":1}".getBytes(StandardCharsets.UTF_8));
        raw.publish(channel, manyHeaders, "{\"id\":\"p-0\",\"weight\":1}".getBytes(StandardCharsets.UTF_8));
        raw.publish(channel, Map.of(), "hello".getBytes(StandardCharsets.UTF_8));
        raw.publish(channel, unknownOperation, "{\"id\":\"p-0\",\"weight\":1}".getBytes(StandardCharsets.UTF_8));
        raw.publish(channel, good, "{\"id\":\"p-1\",\"weight\":7}".getBytes(StandardCharsets.UTF_8));

        await("the good parcel after 7 bad messages arrived", Duration.ofSeconds(30), () -> received.size() == 1);
        assertThat(received).containsExactly(new Parcel("p-1", 7));
        String deadLetters = ChannelNames.deadLetter(channel, "strict");
        List<Envelope> dead = new ArrayList<>();
        await("7 dead letters in " + deadLetters, Duration.ofSeconds(30), () -> {
            try {
                dead.addAll(raw.takeStored(deadLetters));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return dead.size() >= 7;
        });
        List<String> reasons = dead.stream().map(d -> d.headers().valueOrNull(MessagingHeaders.DEAD_LETTER_REASON)).toList();
        System.out.println("[malformed test] dead-letter reasons:\n  " + String.join("\n  ", reasons));
        assertThat(reasons).hasSize(7).allSatisfy(reason -> assertThat(reason).isNotBlank());
        assertThat(reasons).filteredOn(reason -> reason.contains("malformed headers")).hasSize(2);
        assertThat(reasons).filteredOn(reason -> reason.contains("not a Parley message")).hasSize(2);
        assertThat(dead).allSatisfy(d -> assertThat(d.headers().valueOrNull(MessagingHeaders.DELIVERY_ATTEMPTS)).isEqualTo("1"));
        assertThat(transport.deadLettered()).isGreaterThanOrEqualTo(7);
    }
}
