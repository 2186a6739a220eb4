package dev.parley.messaging.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.Parley;
import dev.parley.ParleyClock;
import dev.parley.TransportException;
import dev.parley.contract.Contract;
import dev.parley.contract.Event;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.messaging.Brokers;
import dev.parley.messaging.MessagingHeaders;
import dev.parley.messaging.MessagingOptions;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Parley and a plain jnats client (no Parley classes) on the shared server at 127.0.0.1:4222,
 * exchanging events by the mapping docs/brokers/nats.md documents: subjects, stream names,
 * headers and bodies.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NatsInteropTest {

    private static final String STREAM_PREFIX = "parley_interop_";
    private static RawNats raw;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    record Shipped(String orderId, int items, String note) {}

    @Contract(name = "parley.interop.orders", version = "1.2")
    interface Orders {
        @Event
        default void shipped(Shipped event) {}
    }

    @BeforeAll
    static void broker() throws Exception {
        Brokers.require("NATS", "127.0.0.1", 4222);
        raw = new RawNats(RawNats.SHARED_URL);
        raw.deleteStreams(STREAM_PREFIX);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (raw != null) {
            raw.deleteStreams(STREAM_PREFIX);
            raw.close();
        }
    }

    @BeforeEach
    void freshStreams() throws Exception {
        raw.deleteStreams(STREAM_PREFIX);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        closeables.clear();
    }

    private Parley runtime(String service) {
        NatsTransport transport = NatsTransport.builder().url(RawNats.SHARED_URL).build();
        closeables.add(transport);
        Parley parley = Parley.builder().service(service).transport(transport).build();
        closeables.add(parley);
        return parley;
    }

    @Test
    void aParleySubscriberConsumesAnEventPublishedByAPlainNatsClient() throws Exception {
        List<Shipped> received = new CopyOnWriteArrayList<>();
        var registration = runtime("warehouse").subscribe(Orders.class, new Orders() {
            @Override
            public void shipped(Shipped event) {
                received.add(event);
            }
        }, "warehouse");
        closeables.add(registration::close);

        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("parley-message-id", UUID.randomUUID().toString());
        headers.put("parley-contract", "parley.interop.orders");
        headers.put("parley-contract-version", "1.0");
        headers.put("parley-operation", "Shipped");
        headers.put("content-type", "application/json");
        headers.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        // Non-ASCII text travels as an RFC 2047 encoded word in a header, as UTF-8 in the body.
        String body = "{\"orderId\":\"o-1\",\"items\":3,\"note\":\"fragile, caf\u00e9 \u2615\"}";
        raw.publish("parley.interop.orders.v1.events", headers, body.getBytes(StandardCharsets.UTF_8));

        await("the event arrived", () -> received.size() == 1);
        assertThat(received).containsExactly(new Shipped("o-1", 3, "fragile, caf\u00e9 \u2615"));
    }

    @Test
    void aPlainNatsConsumerReadsAnEventPublishedByParley() throws Exception {
        // The foreign consumer creates the stream (as documented) and its own durable consumer first.
        raw.management.addStream(StreamConfiguration.builder().name("parley_interop_orders_v1_events")
                .subjects("parley.interop.orders.v1.events").storageType(StorageType.File).retentionPolicy(RetentionPolicy.Interest)
                .build());
        raw.management.addOrUpdateConsumer("parley_interop_orders_v1_events", ConsumerConfiguration.builder().durable("foreign")
                .filterSubject("parley.interop.orders.v1.events").ackPolicy(AckPolicy.Explicit).deliverPolicy(DeliverPolicy.New).build());
        JetStreamSubscription foreign = raw.connection.jetStream().subscribe("parley.interop.orders.v1.events",
                PullSubscribeOptions.bind("parley_interop_orders_v1_events", "foreign"));

        long before = System.currentTimeMillis();
        runtime("shop").publisher(Orders.class).shipped(new Shipped("o-2", 5, "\u00e0 bient\u00f4t"));

        List<Message> got = foreign.fetch(1, Duration.ofSeconds(10));
        assertThat(got).hasSize(1);
        Message m = got.get(0);
        m.ack();
        io.nats.client.impl.Headers h = m.getHeaders();
        assertThat(m.getSubject()).isEqualTo("parley.interop.orders.v1.events");
        assertThat(h.getFirst("Nats-Msg-Id")).as("the message id, once, as the broker's dedupe id").matches("[0-9a-f-]{36}");
        assertThat(h.containsKey("parley-message-id")).isFalse();
        assertThat(h.getFirst("parley-operation")).isEqualTo("Shipped");
        assertThat(h.getFirst("parley-contract")).isEqualTo("parley.interop.orders");
        assertThat(h.getFirst("parley-contract-version")).isEqualTo("1.2");
        assertThat(h.getFirst("content-type")).isEqualTo("application/json");
        assertThat(Long.parseLong(h.getFirst(MessagingHeaders.SENT_AT))).isBetween(before - 1_000, System.currentTimeMillis() + 1_000);
        assertThat(h.getFirst("parley-deadline")).as("events carry no deadline on the broker").isNull();
        assertThat(new String(m.getData(), StandardCharsets.UTF_8))
                .isEqualTo("{\"orderId\":\"o-2\",\"items\":5,\"note\":\"\u00e0 bient\u00f4t\"}");
        foreign.unsubscribe();
    }

    @Test
    void aMessagePublishedTwiceWithinTheDuplicateWindowIsStoredOnce() throws Exception {
        String channel = "parley.interop.dedupe.v1.events";
        NatsTransport transport = NatsTransport.builder().url(RawNats.SHARED_URL).options(MessagingOptions.ofDefaults()).build();
        closeables.add(transport);
        List<String> received = new CopyOnWriteArrayList<>();
        transport.subscribe(channel, "once", (message, replies) -> {
            received.add(message.headers().valueOrNull(StandardHeaders.MESSAGE_ID));
            replies.reply(Envelope.withoutBody(Headers.of(Map.of(StandardHeaders.STATUS, StandardHeaders.STATUS_OK))));
            return ParleyClock.Cancellable.NOOP;
        });

        Envelope event = Envelope.of(Headers.of(Map.of(StandardHeaders.MESSAGE_ID, "dup-1", StandardHeaders.OPERATION, "Thing")),
                "{}".getBytes(StandardCharsets.UTF_8));
        transport.publish(channel, event).get(10, TimeUnit.SECONDS);
        transport.publish(channel, event).get(10, TimeUnit.SECONDS); // a publisher's retry after a lost confirmation
        transport.publish(channel, Envelope.of(Headers.of(Map.of(StandardHeaders.MESSAGE_ID, "other-1",
                StandardHeaders.OPERATION, "Thing")), "{}".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);

        await("the next message arrived", () -> received.contains("other-1"));
        assertThat(received).containsExactly("dup-1", "other-1");
        assertThat(raw.management.getStreamInfo("parley_interop_dedupe_v1_events").getStreamState().getLastSequence())
                .as("stored once").isEqualTo(2);
    }

    @Test
    void aMessageIdThatCannotBeANatsHeaderIsRefusedAtPublishAndNothingIsStored() throws Exception {
        String channel = "parley.interop.badid.v1.events";
        NatsTransport transport = NatsTransport.builder().url(RawNats.SHARED_URL).options(MessagingOptions.ofDefaults()).build();
        closeables.add(transport);
        transport.publish(channel, Envelope.of(Headers.of(Map.of(StandardHeaders.MESSAGE_ID, "ok-1", StandardHeaders.OPERATION, "Thing")),
                "{}".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);

        // parley-message-id travels RFC 2047-encoded, but Nats-Msg-Id cannot: NATS header values are printable ASCII.
        Envelope hostile = Envelope.of(Headers.of(Map.of(StandardHeaders.MESSAGE_ID, "id-\u00e9t\u00e9", StandardHeaders.OPERATION,
                "Thing")), "{}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> transport.publish(channel, hostile).get(10, TimeUnit.SECONDS))
                .isInstanceOf(java.util.concurrent.ExecutionException.class)
                .cause().isInstanceOfSatisfying(TransportException.class,
                        e -> assertThat(e.code()).isEqualTo(dev.parley.ErrorCode.INVALID_ARGUMENT));
        // Interest retention without a group keeps nothing, but every stored message took a sequence number.
        assertThat(raw.management.getStreamInfo("parley_interop_badid_v1_events").getStreamState().getLastSequence())
                .as("only the valid message was stored").isEqualTo(1);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out after 30 s waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
