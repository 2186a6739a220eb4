package dev.parley.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.CallContext;
import dev.parley.ErrorCode;
import dev.parley.GatherOptions;
import dev.parley.LateReply;
import dev.parley.Gathered;
import dev.parley.Parley;
import dev.parley.ParleyException;
import dev.parley.contract.Contract;
import dev.parley.contract.DurableReply;
import dev.parley.contract.Event;
import dev.parley.contract.Gather;
import dev.parley.contract.OneWay;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.TopicTransport;
import dev.parley.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every messaging transport must have, run unchanged against each of them
 * (in-process, RabbitMQ, Kafka, NATS JetStream), the way Netty runs one socket test suite
 * against each of its transports. A subclass says how to make a transport and how to reach
 * the broker without Parley (to publish raw bytes and to read dead letters).
 *
 * <p>The transports a subclass makes must use {@link #MAX_DELIVERIES}, {@link #BACKOFF} and
 * {@link #MAX_MESSAGE_BYTES}. Each test marks its messages with a fresh run id and uses fresh
 * consumer groups, so that what earlier runs left in a broker's durable channels does not
 * disturb it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class MessagingTransportSuite {

    public static final int MAX_DELIVERIES = 3;
    public static final Duration BACKOFF = Duration.ofMillis(50);
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(30);

    // ---- the contracts the suite exercises

    public record Ping(String run, String text) {}

    public record Pong(String run, String text, String traceparent, long remainingMillis, String token) {}

    public record Note(String run, int n) {}

    @Contract(name = "parley.suite.echo", version = "1.0")
    public interface Echo {
        Pong ping(Ping ping);

        CompletionStage<Pong> pingLater(Ping ping);

        @OneWay
        void note(Note note);

        @DurableReply
        CompletionStage<Pong> settle(Ping ping);
    }

    public record Entry(String run, int n, String payload) {}

    @Contract(name = "parley.suite.ledger", version = "1.0")
    public interface Ledger {
        @Event
        default void recorded(Entry entry) {}
    }

    public record QuoteRequest(String run) {}

    public record Quote(String run, String responder) {}

    @Contract(name = "parley.suite.quotes", version = "1.0")
    public interface Quotes {
        @Gather
        Quote quote(QuoteRequest request);
    }

    // ---- what a subclass provides

    /**
     * A new transport, as one process of a service would have it (its own connection), with
     * the suite's {@link #MAX_DELIVERIES}, {@link #BACKOFF} and {@link #MAX_MESSAGE_BYTES}. It
     * must also be a {@link TopicTransport}. The suite closes it.
     */
    protected abstract Transport newTransport();

    /** Publishes {@code body} with {@code headers} to {@code channel} with the broker's own client, not Parley. */
    protected abstract void publishRaw(String channel, Map<String, String> headers, byte[] body) throws Exception;

    /**
     * Takes the dead letters that are now in {@link ChannelNames#deadLetter}{@code (channel, group)},
     * read with the broker's own client where there is one; each carries the
     * {@link MessagingHeaders} dead-letter headers. The suite polls it.
     */
    protected abstract List<Envelope> takeDeadLetters(String channel, String group) throws Exception;

    /** Whether the transport keeps the replies of a caller that restarts (a durable reply channel); false by default. */
    protected boolean keepsRepliesAcrossRestarts() {
        return false;
    }

    /**
     * A transport for the instance {@code clientId} whose reply channel is durable
     * ({@code MessagingOptions.durableReplies(true)}); called only when
     * {@link #keepsRepliesAcrossRestarts()}. The suite closes it.
     */
    protected Transport newDurableReplyTransport(String clientId) {
        throw new UnsupportedOperationException("no durable reply channels");
    }

    /** Removes from the broker what the durable reply channel of {@code clientId} left there. */
    protected void deleteDurableReplyChannel(String clientId) throws Exception {}

    // ---- plumbing

    private final List<AutoCloseable> closeables = new ArrayList<>();
    protected String run;

    @BeforeEach
    void newRun() {
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        closeables.clear();
    }

    /** A Parley runtime of {@code service} on a new transport. */
    protected Parley runtime(String service) {
        Transport transport = newTransport();
        closeables.add(transport);
        Parley parley = Parley.builder().service(service).transport(transport).build();
        closeables.add(parley);
        return parley;
    }

    private String group(String name) {
        return name + "-" + run;
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

    private List<Envelope> awaitDeadLetters(String channel, String group, int count) throws Exception {
        List<Envelope> found = new ArrayList<>();
        long end = System.nanoTime() + WAIT.toNanos();
        while (found.size() < count) {
            found.addAll(takeDeadLetters(channel, group));
            if (found.size() >= count) {
                break;
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out waiting for " + count + " dead letters in " + channel + " / " + group
                        + "; found " + found.size());
            }
            Thread.sleep(50);
        }
        return found;
    }

    private static final class Server implements Echo {
        final String run;
        final List<Note> notes = new CopyOnWriteArrayList<>();
        final List<String> pinged = new CopyOnWriteArrayList<>();
        final Map<String, CompletableFuture<Pong>> settling = new ConcurrentHashMap<>();

        Server(String run) {
            this.run = run;
        }

        @Override
        public Pong ping(Ping ping) {
            pinged.add(ping.text());
            if (ping.text().equals("missing")) {
                throw ParleyException.of(ErrorCode.NOT_FOUND, "no such thing: " + ping.text());
            }
            CallContext ctx = CallContext.current().orElseThrow();
            return new Pong(ping.run(), ping.text().toUpperCase(), ctx.traceparent().orElse(""), ctx.remaining().toMillis(),
                    ctx.bearerToken().orElse(""));
        }

        @Override
        public CompletionStage<Pong> pingLater(Ping ping) {
            return CompletableFuture.supplyAsync(() -> new Pong(ping.run(), ping.text() + "!", "", 0, ""),
                    CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
        }

        @Override
        public CompletionStage<Pong> settle(Ping ping) {
            return settling.computeIfAbsent(ping.text(), t -> new CompletableFuture<>());
        }

        @Override
        public void note(Note note) {
            if (note.run().equals(run)) {
                notes.add(note);
            }
        }
    }

    private final class Recorder implements Ledger {
        final List<Entry> seen = new CopyOnWriteArrayList<>();
        final Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final Set<Integer> failing = ConcurrentHashMap.newKeySet();
        volatile int failFirst;

        @Override
        public void recorded(Entry entry) {
            if (!entry.run().equals(run)) {
                return;
            }
            int attempt = attempts.computeIfAbsent(entry.n(), n -> new AtomicInteger()).incrementAndGet();
            if (failing.contains(entry.n()) || attempt <= failFirst) {
                throw new IllegalStateException("entry " + entry.n() + " fails on attempt " + attempt);
            }
            seen.add(entry);
        }

        List<Integer> numbers() {
            return seen.stream().map(Entry::n).toList();
        }
    }

    // ---- request/response, async, one-way

    @Test
    void requestResponseCarriesDeadlineTraceAndToken() {
        runtime("echo-server").serve(Echo.class, new Server(run));
        Echo echo = runtime("echo-client").client(Echo.class);

        Pong pong;
        try (CallContext.Scope s = CallContext.withHeader(StandardHeaders.AUTHORIZATION, "Bearer t0k3n")) {
            pong = echo.ping(new Ping(run, "hello"));
        }

        assertThat(pong.text()).isEqualTo("HELLO");
        assertThat(pong.run()).isEqualTo(run);
        assertThat(pong.traceparent()).as("W3C trace context travels").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
        assertThat(pong.remainingMillis()).as("the deadline travels as remaining time").isPositive().isLessThanOrEqualTo(10_000);
        assertThat(pong.token()).as("the token travels").isEqualTo("t0k3n");
    }

    @Test
    void asyncResponseCompletesTheStage() throws Exception {
        runtime("echo-server").serve(Echo.class, new Server(run));
        Echo echo = runtime("echo-client").client(Echo.class);

        List<CompletableFuture<Pong>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(echo.pingLater(new Ping(run, "p" + i)).toCompletableFuture());
        }

        for (int i = 0; i < 20; i++) {
            assertThat(calls.get(i).get(30, TimeUnit.SECONDS).text()).isEqualTo("p" + i + "!");
        }
    }

    @Test
    void errorsArriveAsTypedErrors() {
        runtime("echo-server").serve(Echo.class, new Server(run));
        Echo echo = runtime("echo-client").client(Echo.class);

        assertThatThrownBy(() -> echo.ping(new Ping(run, "missing")))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("no such thing: missing");
    }

    @Test
    void oneWayCommandsAreDeliveredOnceAndWaitForTheServer() throws Exception {
        Echo echo = runtime("echo-client").client(Echo.class);
        // No server yet: the commands wait in the broker.
        for (int i = 0; i < 10; i++) {
            echo.note(new Note(run, i));
        }
        Server server = new Server(run);
        runtime("echo-server").serve(Echo.class, server);

        await("10 notes arrived", () -> server.notes.size() >= 10);
        Thread.sleep(300); // room for a wrong extra delivery to show
        assertThat(server.notes).extracting(Note::n).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void aRequestWhoseDeadlinePassedInTheBrokerIsNotProcessed() throws Exception {
        Echo echo = runtime("echo-client").client(Echo.class);
        // No server: the call times out while its request waits in the broker.
        try (CallContext.Scope s = CallContext.withDeadline(Duration.ofMillis(300))) {
            // A broker keeps the request until the deadline passes; the in-process transport says at once that nobody serves.
            assertThatThrownBy(() -> echo.ping(new Ping(run, "too-late")))
                    .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isIn(ErrorCode.DEADLINE_EXCEEDED, ErrorCode.UNAVAILABLE));
        }
        Server server = new Server(run);
        runtime("echo-server").serve(Echo.class, server);

        assertThat(echo.ping(new Ping(run, "in-time")).text()).isEqualTo("IN-TIME");
        Thread.sleep(500); // the expired request is consumed by now; it must have been dropped
        assertThat(server.pinged).contains("in-time").doesNotContain("too-late");
    }

    @Test
    void aReplyThatArrivesAfterTheCallerRestartedReachesItsLateReplyHandler() throws Exception {
        assumeTrue(keepsRepliesAcrossRestarts(), "this transport keeps no replies across a restart of the caller");
        String callerId = "caller-" + run;
        try {
            Server server = new Server(run);
            runtime("payments").serve(Echo.class, server);
            Transport before = newDurableReplyTransport(callerId);
            Parley caller = Parley.builder().service("trips").transport(before).build();
            caller.client(Echo.class).settle(new Ping(run, "pay-" + run));
            await("the server holds the request", () -> server.settling.containsKey("pay-" + run));
            caller.close();
            before.close();

            // The caller is down: the reply waits in its durable reply channel.
            server.settling.get("pay-" + run).complete(new Pong(run, "PAID", "", 0, ""));
            Transport after = newDurableReplyTransport(callerId);
            closeables.add(after);
            Parley restarted = Parley.builder().service("trips").transport(after).build();
            closeables.add(restarted);
            List<LateReply> late = new CopyOnWriteArrayList<>();
            restarted.lateReplies(Echo.class, late::add);

            await("the late reply reached the handler", () -> !late.isEmpty());
            LateReply reply = late.get(0);
            assertThat(reply.contract()).isEqualTo("parley.suite.echo/v1");
            assertThat(reply.method()).isEqualTo("settle");
            assertThat(reply.correlationId()).isNotEmpty();
            assertThat(reply.valueAs(Pong.class).text()).isEqualTo("PAID");
        } finally {
            deleteDurableReplyChannel(callerId);
        }
    }

    // ---- publish/subscribe

    @Test
    void eventsReachEveryGroupOnceAndAreSharedWithinAGroup() throws Exception {
        Recorder billingA = new Recorder();
        Recorder billingB = new Recorder();
        Recorder audit = new Recorder();
        runtime("billing-1").subscribe(Ledger.class, billingA, group("billing"));
        runtime("billing-2").subscribe(Ledger.class, billingB, group("billing"));
        runtime("audit").subscribe(Ledger.class, audit, group("audit"));
        Ledger ledger = runtime("ledger").publisher(Ledger.class);

        for (int i = 0; i < 40; i++) {
            ledger.recorded(new Entry(run, i, "x"));
        }

        await("audit saw 40 events", () -> audit.seen.size() >= 40);
        await("billing's members saw 40 events between them", () -> billingA.seen.size() + billingB.seen.size() >= 40);
        Thread.sleep(300);
        assertThat(audit.numbers()).hasSize(40).doesNotHaveDuplicates();
        List<Integer> billing = new ArrayList<>(billingA.numbers());
        billing.addAll(billingB.numbers());
        assertThat(billing).as("each event once within the group").hasSize(40).doesNotHaveDuplicates();
    }

    @Test
    void eventsPublishedWhileTheSubscriberIsDownWaitForIt() throws Exception {
        Recorder first = new Recorder();
        Parley subscriberProcess = runtime("reports");
        var subscription = subscriberProcess.subscribe(Ledger.class, first, group("reports"));
        Ledger ledger = runtime("ledger").publisher(Ledger.class);
        ledger.recorded(new Entry(run, 0, "before"));
        await("the first event arrived", () -> first.seen.size() == 1);
        subscription.close();

        for (int i = 1; i <= 25; i++) {
            ledger.recorded(new Entry(run, i, "while down"));
        }
        Recorder back = new Recorder();
        runtime("reports").subscribe(Ledger.class, back, group("reports"));

        await("the 25 events published while down arrived", () -> back.seen.size() >= 25);
        assertThat(back.numbers()).containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.rangeClosed(1, 25).boxed().toList());
    }

    @Test
    void aFailedEventIsRedeliveredWithBackoff() throws Exception {
        Recorder flaky = new Recorder();
        flaky.failFirst = MAX_DELIVERIES - 1;
        runtime("flaky").subscribe(Ledger.class, flaky, group("flaky"));
        Ledger ledger = runtime("ledger").publisher(Ledger.class);

        ledger.recorded(new Entry(run, 7, "x"));

        await("the event succeeded on its last delivery", () -> flaky.seen.size() == 1);
        assertThat(flaky.attempts.get(7)).hasValue(MAX_DELIVERIES);
    }

    @Test
    void aPoisonEventIsDeadLetteredWithTheReasonAndDoesNotBlockTheOthers() throws Exception {
        Recorder recorder = new Recorder();
        recorder.failing.add(0);
        String group = group("poison");
        runtime("poison").subscribe(Ledger.class, recorder, group);
        Ledger ledger = runtime("ledger").publisher(Ledger.class);

        for (int i = 0; i < 10; i++) {
            ledger.recorded(new Entry(run, i, "x"));
        }

        await("the 9 good events were processed", () -> recorder.seen.size() >= 9);
        List<Envelope> dead = awaitDeadLetters(TopicNameOf.ledger(), ChannelNames.groupName(group), 1);
        Headers h = dead.get(0).headers();
        assertThat(h.valueOrNull(MessagingHeaders.DEAD_LETTER_REASON)).startsWith("INTERNAL").contains("failed (error id");
        assertThat(h.valueOrNull(MessagingHeaders.DELIVERY_ATTEMPTS)).isEqualTo(Integer.toString(MAX_DELIVERIES));
        assertThat(h.valueOrNull(MessagingHeaders.DEAD_LETTER_CHANNEL)).isEqualTo(TopicNameOf.ledger());
        assertThat(h.valueOrNull(StandardHeaders.OPERATION)).isEqualTo("Entry");
        assertThat(new String(dead.get(0).body(), StandardCharsets.UTF_8)).contains("\"n\":0");
        assertThat(recorder.attempts.get(0)).hasValue(MAX_DELIVERIES);
    }

    @Test
    void anUndecodableOrForeignMessageGoesStraightToTheDeadLetterChannel() throws Exception {
        Recorder recorder = new Recorder();
        String group = group("strict");
        runtime("strict").subscribe(Ledger.class, recorder, group);
        String channel = TopicNameOf.ledger();

        publishRaw(channel, eventHeaders(UUID.randomUUID().toString()), "{not json".getBytes(StandardCharsets.UTF_8));
        publishRaw(channel, Map.of("content-type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8));
        publishRaw(channel, eventHeaders(UUID.randomUUID().toString()), entryJson(1));

        await("the good event after the bad ones was processed", () -> recorder.seen.size() == 1);
        List<Envelope> dead = awaitDeadLetters(channel, ChannelNames.groupName(group), 2);
        assertThat(dead).extracting(d -> d.headers().valueOrNull(MessagingHeaders.DEAD_LETTER_REASON))
                .anySatisfy(r -> assertThat(r).startsWith("INVALID_ARGUMENT").contains("recorded"))
                .anySatisfy(r -> assertThat(r).containsAnyOf("not a Parley message", "has no operation"));
        assertThat(dead).extracting(d -> d.headers().valueOrNull(MessagingHeaders.DELIVERY_ATTEMPTS)).containsOnly("1");
    }

    @Test
    void aDuplicateEventIsProcessedOnce() throws Exception {
        Recorder recorder = new Recorder();
        Parley subscriber = runtime("dedupe");
        subscriber.subscribe(Ledger.class, recorder, group("dedupe"));
        TopicTransport publisher = (TopicTransport) newTransport();
        closeables.add((AutoCloseable) publisher);
        long before = subscriber.idempotency().duplicates();

        String id = UUID.randomUUID().toString();
        Envelope event = Envelope.of(Headers.of(eventHeaders(id)), entryJson(1));
        publisher.publish(TopicNameOf.ledger(), event).get(30, TimeUnit.SECONDS);
        publisher.publish(TopicNameOf.ledger(), event).get(30, TimeUnit.SECONDS);
        Envelope next = Envelope.of(Headers.of(eventHeaders(UUID.randomUUID().toString())), entryJson(2));
        publisher.publish(TopicNameOf.ledger(), next).get(30, TimeUnit.SECONDS);

        await("both distinct events arrived", () -> recorder.seen.size() >= 2);
        await("the duplicate was counted", () -> subscriber.idempotency().duplicates() - before >= 1);
        assertThat(recorder.numbers()).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void anOversizedMessageIsRefusedAtPublishNamingTheLimit() {
        Ledger ledger = runtime("ledger").publisher(Ledger.class);

        assertThatThrownBy(() -> ledger.recorded(new Entry(run, 1, "x".repeat(MAX_MESSAGE_BYTES + 1))))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE))
                .hasMessageContaining(Integer.toString(MAX_MESSAGE_BYTES));
    }

    // ---- publish/async responses

    @Test
    void aGatherCollectsRepliesUntilTheWantedCountOrTheDeadline() {
        for (String name : List.of("north", "south", "east")) {
            runtime("quoter-" + name).serve(Quotes.class, request -> new Quote(request.run(), name));
        }
        Parley asker = runtime("asker");

        Gathered<Quote> three = asker.gather(Quotes.class, Quotes::quote, new QuoteRequest(run),
                GatherOptions.within(Duration.ofSeconds(20)).wanted(3));
        assertThat(three.ending()).isEqualTo(Gathered.Ending.WANTED_REACHED);
        assertThat(three.values()).extracting(Quote::responder).containsExactlyInAnyOrder("north", "south", "east");

        Gathered<Quote> partial = asker.gather(Quotes.class, Quotes::quote, new QuoteRequest(run),
                GatherOptions.within(Duration.ofSeconds(4)).wanted(5));
        // A broker cannot tell who will answer, so the gather runs to its deadline; in-process knows everyone answered.
        assertThat(partial.ending()).as("partial results are normal").isIn(Gathered.Ending.DEADLINE, Gathered.Ending.ALL_ANSWERED);
        assertThat(partial.values()).extracting(Quote::responder).containsExactlyInAnyOrder("north", "south", "east");
    }

    // ---- helpers for raw messages

    /** The headers of a {@code recorded(Entry)} event, as docs/messaging.md documents them. */
    protected static Map<String, String> eventHeaders(String messageId) {
        return Map.of(
                StandardHeaders.MESSAGE_ID, messageId,
                StandardHeaders.CONTRACT, "parley.suite.ledger",
                StandardHeaders.CONTRACT_VERSION, "1.0",
                StandardHeaders.OPERATION, "Entry",
                StandardHeaders.CONTENT_TYPE, "application/json");
    }

    protected byte[] entryJson(int n) {
        return ("{\"run\":\"" + run + "\",\"n\":" + n + ",\"payload\":\"raw\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Channel names of the suite's contracts. */
    protected static final class TopicNameOf {
        private TopicNameOf() {}

        public static String ledger() {
            return ChannelNames.events(dev.parley.contract.ContractDescriptor.of(Ledger.class));
        }
    }
}
