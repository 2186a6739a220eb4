package dev.parley.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Parley;
import dev.parley.contract.Contract;
import dev.parley.contract.Event;
import dev.parley.net.AddressClass;
import dev.parley.net.GuardedHttpClient;
import dev.parley.net.SsrfPolicy;
import dev.parley.testkit.ManualClock;
import dev.parley.transport.InProcessTransport;
import dev.parley.transport.Registration;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher's behaviour, once per store (H2 file, PostgreSQL): real local receivers over
 * real sockets, time on a {@link ManualClock}.
 */
abstract class DeliverySuite {

    /** A fresh, empty store. */
    abstract WebhookStore newStore() throws Exception;

    /** The same store again, as a restarted publisher would open it. */
    abstract WebhookStore reopenStore() throws Exception;

    final ManualClock clock = ManualClock.create();
    final List<WebhookNotice> notices = new CopyOnWriteArrayList<>();
    RecordingReceiver receiver;
    WebhookStore store;
    Webhooks webhooks;

    @BeforeEach
    void startUp() throws Exception {
        receiver = RecordingReceiver.start204();
        store = newStore();
        webhooks = publisher(store, RetrySchedule.standard());
    }

    @AfterEach
    void tearDown() throws Exception {
        webhooks.close();
        store.close();
        receiver.close();
        dropStore();
    }

    /** Removes what {@link #newStore()} created, after the publisher stopped. */
    void dropStore() throws Exception {}

    Webhooks publisher(WebhookStore s, RetrySchedule schedule) {
        // The breaker is tested on its own; elsewhere it would hold due attempts back and
        // make "every due attempt was made" an unreachable condition.
        return Webhooks.builder().store(s).clock(clock).retrySchedule(schedule).random(new SplittableRandom(7))
                .circuitBreaker(1_000, Duration.ofSeconds(30))
                .httpClient(GuardedHttpClient.builder().ssrfPolicy(SsrfPolicy.strict().allowing(AddressClass.LOOPBACK))
                        .requestTimeout(Duration.ofSeconds(5)).build())
                .notices(notices::add).build();
    }

    static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Waits until every delivery of {@code endpointId} due now has been attempted. */
    void settle(String endpointId) {
        Await.until("attempts due at " + clock.instant() + " made for " + endpointId, () -> {
            if (!webhooks.idle()) {
                return false;
            }
            if (webhooks.endpoint(endpointId).orElseThrow().status() != EndpointStatus.ACTIVE) {
                return true;
            }
            return webhooks.deliveries(endpointId, 1000).stream()
                    .noneMatch(d -> d.status() == DeliveryStatus.PENDING && !d.nextAttemptAt().isAfter(clock.instant()));
        });
    }

    Instant nextAttempt(String endpointId) {
        return webhooks.deliveries(endpointId, 1000).stream().filter(d -> d.status() == DeliveryStatus.PENDING)
                .map(Delivery::nextAttemptAt).min(Instant::compareTo).orElseThrow();
    }

    /** Moves the clock to the next pending attempt of {@code endpointId} and waits for it. */
    Instant advanceToNextAttempt(String endpointId) {
        Instant next = nextAttempt(endpointId);
        clock.advance(Duration.between(clock.instant(), next).plusMillis(1));
        settle(endpointId);
        return next;
    }

    WebhookVerifier verifier(WebhookSecret... secrets) {
        WebhookVerifier.Builder b = WebhookVerifier.builder().clock(clock);
        for (WebhookSecret s : secrets) {
            b.secret(s);
        }
        return b.build();
    }

    record TripCompleted(String tripId, long fareCents) {}

    @Test
    void deliversSignedStandardWebhooksToSubscribedEndpointsOnly() {
        NewSecret trips = webhooks.createEndpoint(receiver.url("/trips"), Set.of("trips.TripCompleted"), "trip hooks");
        NewSecret invoices = webhooks.createEndpoint(receiver.url("/invoices"), Set.of("invoices.paid"), "invoice hooks");
        NewSecret all = webhooks.createEndpoint(receiver.url("/all"), Set.of(Endpoint.ALL_EVENTS), "everything");

        String id = webhooks.publish("trips.TripCompleted", json("{\"tripId\":\"t-1\",\"fareCents\":1250}"));
        settle(trips.endpoint().id());
        settle(all.endpoint().id());

        Await.until("two deliveries", () -> receiver.received().size() == 2);
        RecordingReceiver.Received got = receiver.received("/trips").get(0);
        assertThat(got.header("webhook-id")).isEqualTo(id);
        assertThat(got.header("content-type")).isEqualTo("application/json");
        WebhookEvent<TripCompleted> event = verifier(trips.secret()).verify(got.headers(), got.body(), TripCompleted.class);
        assertThat(event.type()).isEqualTo("trips.TripCompleted");
        assertThat(event.data()).isEqualTo(new TripCompleted("t-1", 1250));
        assertThat(event.occurredAt()).isEqualTo(clock.instant());
        // each endpoint signs with its own secret
        RecordingReceiver.Received toAll = receiver.received("/all").get(0);
        assertThat(verifier(all.secret()).verify(toAll.headers(), toAll.body()).id()).isEqualTo(id);
        SsrfAndSignatures.assertNotVerifiable(verifier(trips.secret()), toAll);
        assertThat(receiver.received("/invoices")).isEmpty();
        assertThat(webhooks.deliveries(invoices.endpoint().id(), 10)).isEmpty();

        Delivery d = webhooks.deliveries(trips.endpoint().id(), 10).get(0);
        assertThat(d.status()).isEqualTo(DeliveryStatus.DELIVERED);
        assertThat(d.messageId()).isEqualTo(id);
        assertThat(d.attemptLog()).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(AttemptOutcome.SUCCESS);
            assertThat(a.statusCode()).isEqualTo(204);
            assertThat(a.number()).isEqualTo(1);
        });
    }

    @Test
    void publishAllQueuesABatchInOneCallEachIdOnceAndDeliversItSigned() {
        NewSecret trips = webhooks.createEndpoint(receiver.url("/trips"), Set.of("trips.TripCompleted"), "trip hooks");
        NewSecret all = webhooks.createEndpoint(receiver.url("/all"), Set.of(Endpoint.ALL_EVENTS), "everything");
        String earlier = webhooks.publish("trips.TripCompleted", json("{\"n\":0}"));
        settle(trips.endpoint().id());
        settle(all.endpoint().id());
        receiver.clear();

        OutgoingEvent first = webhooks.event("trips.TripCompleted", json("{\"n\":1}"));
        OutgoingEvent invoice = webhooks.event("invoices.paid", json("{\"n\":2}"));
        OutgoingEvent again = new OutgoingEvent(earlier, "trips.TripCompleted", clock.instant(), json("{\"n\":0}"));
        List<String> ids = webhooks.publishAll(List.of(first, invoice, again, first)); // one repeated, one stored before
        assertThat(ids).containsExactly(first.webhookId(), invoice.webhookId(), earlier, first.webhookId());
        settle(trips.endpoint().id());
        settle(all.endpoint().id());

        Await.until("three deliveries", () -> receiver.received().size() == 3);
        assertThat(receiver.received("/trips")).extracting(r -> r.header("webhook-id")).containsExactly(first.webhookId());
        assertThat(receiver.received("/all")).extracting(r -> verifier(all.secret()).verify(r.headers(), r.body()).id())
                .containsExactlyInAnyOrder(first.webhookId(), invoice.webhookId());
        WebhookEvent<Map> event = verifier(trips.secret()).verify(receiver.received("/trips").get(0).headers(),
                receiver.received("/trips").get(0).body(), Map.class);
        assertThat(event.data()).isEqualTo(Map.of("n", 1));
        assertThat(webhooks.deliveries(trips.endpoint().id(), 10)).hasSize(2)
                .allSatisfy(d -> assertThat(d.status()).isEqualTo(DeliveryStatus.DELIVERED));
        assertThat(webhooks.deliveries(all.endpoint().id(), 10)).hasSize(3);
        assertThat(webhooks.publishAll(List.of())).isEmpty();
    }

    @Test
    void concurrentPublishersEachReturnOnlyOnceStoredAndEveryEventIsDeliveredOnce() throws Exception {
        // Publishers on several threads share commits (group commit, one thread leading for the
        // others): every one must return, none waiting on a write another thread left behind,
        // and every event must be stored and delivered once.
        String ep = webhooks.createEndpoint(receiver.url("/hook"), Set.of("*"), "").endpoint().id();
        int threads = 8;
        int perThread = 60;
        List<String> ids = new CopyOnWriteArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> publishers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                publishers.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String id = thread % 2 == 0
                                ? webhooks.publish("trips.TripCompleted", json("{\"n\":" + i + "}"))
                                : webhooks.publishAll(List.of(webhooks.event("trips.TripCompleted", json("{\"n\":" + i + "}")))).get(0);
                        ids.add(id);
                    }
                    return null;
                }));
            }
            for (var f : publishers) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        assertThat(ids).hasSize(threads * perThread).doesNotHaveDuplicates();
        settle(ep);
        Await.until("every event delivered", () -> receiver.received("/hook").size() >= ids.size());
        assertThat(receiver.received("/hook")).extracting(r -> r.header("webhook-id")).containsExactlyInAnyOrderElementsOf(ids);
        Await.until("every outcome recorded", () -> webhooks.deliveries(ep, Optional.of(DeliveryStatus.DELIVERED), 1000).size() == ids.size());
    }

    @Test
    void publishAllRefusesOversizedAndMalformedBatchesBeforeStoringAnything() {
        String ep = webhooks.createEndpoint(receiver.url("/hook"), Set.of("*"), "").endpoint().id();
        List<OutgoingEvent> tooMany = new ArrayList<>();
        for (int i = 0; i <= Webhooks.MAX_BATCH; i++) {
            tooMany.add(webhooks.event("a.b", json("{}")));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> webhooks.publishAll(tooMany))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most " + Webhooks.MAX_BATCH);
        OutgoingEvent good = webhooks.event("a.b", json("{\"ok\":true}"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> webhooks.publishAll(List.of(good, webhooks.event("a.b", json("{not json")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> webhooks.publishAll(
                        List.of(good, new OutgoingEvent("../../etc", "a.b", clock.instant(), json("{}")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("webhookId");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> webhooks.publishAll(
                        List.of(good, webhooks.event("x".repeat(301), json("{}")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventType");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new OutgoingEvent("id", "a.b", clock.instant(), null))
                .isInstanceOf(NullPointerException.class);
        assertThat(webhooks.deliveries(ep, 10)).isEmpty();
        assertThat(receiver.received()).isEmpty();
        // the publisher goes on working after the refusals
        webhooks.publishAll(List.of(good));
        settle(ep);
        Await.until("delivered", () -> receiver.received().size() == 1);
        assertThat(receiver.received().get(0).header("webhook-id")).isEqualTo(good.webhookId());
    }

    @Test
    void retriesOnTheScheduleWithJitterAndTheSameWebhookId() {
        AtomicInteger calls = new AtomicInteger();
        receiver.respondWith(r -> RecordingReceiver.Answer.of(calls.incrementAndGet() <= 2 ? 500 : 204));
        String ep = webhooks.createEndpoint(receiver.url("/hook"), Set.of("*"), "").endpoint().id();
        Instant t0 = clock.instant();
        String id = webhooks.publish("trips.TripCompleted", json("{\"tripId\":\"t-2\"}"));
        settle(ep);
        assertThat(receiver.received()).hasSize(1);

        Delivery afterFirst = webhooks.deliveries(ep, 1).get(0);
        assertThat(afterFirst.status()).isEqualTo(DeliveryStatus.PENDING);
        // first retry: 5 s, jitter only ever adds (up to 20%)
        assertThat(Duration.between(t0, afterFirst.nextAttemptAt())).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(6));
        clock.advance(Duration.ofMillis(4_900));
        settle(ep);
        assertThat(receiver.received()).hasSize(1);

        Instant second = advanceToNextAttempt(ep);
        Await.until("second attempt", () -> receiver.received().size() == 2);
        Delivery afterSecond = webhooks.deliveries(ep, 1).get(0);
        assertThat(Duration.between(second, afterSecond.nextAttemptAt())).isBetween(Duration.ofMinutes(5), Duration.ofMinutes(6));

        advanceToNextAttempt(ep);
        Await.until("third attempt", () -> receiver.received().size() == 3);
        Delivery done = Await.value("delivered", () -> webhooks.deliveries(ep, 1).get(0), d -> d.status() == DeliveryStatus.DELIVERED);
        assertThat(done.attemptLog()).extracting(DeliveryAttempt::outcome)
                .containsExactly(AttemptOutcome.HTTP_ERROR, AttemptOutcome.HTTP_ERROR, AttemptOutcome.SUCCESS);
        assertThat(receiver.received()).extracting(r -> r.header("webhook-id")).containsOnly(id);
        List<Long> stamps = receiver.received().stream().map(r -> Long.parseLong(r.header("webhook-timestamp"))).toList();
        assertThat(stamps).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void receiverDownForThreeDaysGetsEveryEventWhenItComesBack() throws Exception {
        String ep = webhooks.createEndpoint(receiver.url("/hook"), Set.of("*"), "").endpoint().id();
        receiver.stop(); // connection refused from now on
        Instant start = clock.instant();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(webhooks.publish("trips.TripCompleted", json("{\"n\":" + i + "}")));
        }
        settle(ep);
        while (nextAttempt(ep).isBefore(start.plus(Duration.ofDays(3)))) {
            advanceToNextAttempt(ep);
        }
        clock.advance(Duration.between(clock.instant(), start.plus(Duration.ofDays(3))));
        assertThat(webhooks.endpoint(ep).orElseThrow().status()).isEqualTo(EndpointStatus.ACTIVE);
        assertThat(webhooks.deliveries(ep, 10)).allSatisfy(d -> {
            assertThat(d.status()).isEqualTo(DeliveryStatus.PENDING);
            assertThat(d.attemptLog()).allSatisfy(a -> assertThat(a.outcome()).isEqualTo(AttemptOutcome.NETWORK_ERROR));
        });

        receiver.start(); // back after three days
        while (webhooks.deliveries(ep, 10).stream().anyMatch(d -> d.status() == DeliveryStatus.PENDING)) {
            advanceToNextAttempt(ep);
        }
        assertThat(webhooks.deliveries(ep, 10)).allSatisfy(d -> assertThat(d.status()).isEqualTo(DeliveryStatus.DELIVERED));
        assertThat(receiver.received()).extracting(r -> r.header("webhook-id")).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(Duration.between(start, clock.instant())).isBetween(Duration.ofHours(75), Duration.ofHours(91));
        assertThat(webhooks.deliveries(ep, 10)).allSatisfy(d -> assertThat(d.attemptLog()).hasSize(10));
    }

    @Test
    void goneDisablesTheEndpointWithANoticeAndResumeSendsWhatWasPending() {
        receiver.respondWith(410);
        String ep = webhooks.createEndpoint(receiver.url("/hook"), Set.of("*"), "").endpoint().id();
        String id = webhooks.publish("a.b", json("{}"));
        Await.until("disabled", () -> webhooks.endpoint(ep).orElseThrow().status() == EndpointStatus.DISABLED);
        assertThat(webhooks.endpoint(ep).orElseThrow().statusReason()).hasValueSatisfying(r -> assertThat(r).contains("410"));
        Await.until("notice", () -> !notices.isEmpty());
        assertThat(notices).singleElement().isInstanceOfSatisfying(WebhookNotice.EndpointDisabled.class,
                n -> assertThat(n.endpointId()).isEqualTo(ep));
        // nothing more is sent or queued while disabled
        webhooks.publish("a.b", json("{}"));
        clock.advance(Duration.ofHours(1));
        assertThat(receiver.received()).hasSize(1);

        receiver.respondWith(204);
        webhooks.resume(ep);
        Await.until("pending delivery sent after resume",
                () -> webhooks.deliveries(ep, 10).stream().allMatch(d -> d.status() == DeliveryStatus.DELIVERED));
        assertThat(webhooks.deliveries(ep, 10)).singleElement().satisfies(d -> assertThat(d.messageId()).isEqualTo(id));
    }

    @Test
    void retryAfterAndThrottlingStatusesSlowTheEndpointDown() {
        receiver.respondWith(r -> RecordingReceiver.Answer.of(429, "retry-after", "600"));
        String ep = webhooks.createEndpoint(receiver.url("/hook"), Set.of("*"), "").endpoint().id();
        Instant t0 = clock.instant();
        webhooks.publish("a.b", json("{}"));
        settle(ep);
        Delivery d = webhooks.deliveries(ep, 1).get(0);
        assertThat(d.attemptLog()).singleElement().satisfies(a -> assertThat(a.outcome()).isEqualTo(AttemptOutcome.THROTTLED));
        assertThat(d.nextAttemptAt()).isAfterOrEqualTo(t0.plusSeconds(600));

        // a new event during the Retry-After window waits too: the endpoint asked for a pause
        webhooks.publish("a.b", json("{\"second\":true}"));
        clock.advance(Duration.ofSeconds(30));
        assertThat(receiver.received()).hasSize(1);

        receiver.respondWith(204);
        clock.advance(Duration.ofSeconds(600));
        Await.until("both delivered after the Retry-After window",
                () -> webhooks.deliveries(ep, 10).stream().allMatch(x -> x.status() == DeliveryStatus.DELIVERED));
        assertThat(receiver.received()).hasSize(3);
    }

    @Test
    void aDeliveryFailingItsLastAttemptDisablesTheEndpointAndCanBeReplayed() {
        webhooks.close();
        webhooks = publisher(store, RetrySchedule.of(List.of(Duration.ofSeconds(1), Duration.ofSeconds(1))).withJitter(0));
        receiver.respondWith(500);
        String ep = webhooks.createEndpoint(receiver.url("/hook"), Set.of("*"), "").endpoint().id();
        String id = webhooks.publish("a.b", json("{}"));
        settle(ep);
        advanceToNextAttempt(ep);
        advanceToNextAttempt(ep);
        Await.until("disabled", () -> webhooks.endpoint(ep).orElseThrow().status() == EndpointStatus.DISABLED);
        Delivery failed = webhooks.deliveries(ep, Optional.of(DeliveryStatus.FAILED), 10).get(0);
        assertThat(failed.attemptLog()).hasSize(3);
        assertThat(failed.attemptLog()).allSatisfy(a -> {
            assertThat(a.statusCode()).isEqualTo(500);
            assertThat(a.outcome()).isEqualTo(AttemptOutcome.HTTP_ERROR);
        });
        Await.until("two notices", () -> notices.size() == 2);
        assertThat(notices).anySatisfy(n -> assertThat(n).isEqualTo(new WebhookNotice.DeliveryFailed(ep, id, 3, n.at())));
        assertThat(notices).anySatisfy(n -> assertThat(n).isInstanceOf(WebhookNotice.EndpointDisabled.class));

        receiver.respondWith(204);
        assertThat(webhooks.replayFailed(ep)).isEqualTo(1);
        webhooks.resume(ep);
        Delivery replayed = Await.value("replayed", () -> webhooks.deliveries(ep, 1).get(0), d -> d.status() == DeliveryStatus.DELIVERED);
        assertThat(replayed.attemptLog()).extracting(DeliveryAttempt::number).containsExactly(1, 2, 3, 4);
        assertThat(receiver.received()).extracting(r -> r.header("webhook-id")).containsOnly(id);
    }

    @Test
    void consecutiveFailuresOpenTheBreakerThenOneProbeAtATime() {
        webhooks.close();
        webhooks = Webhooks.builder().store(store).clock(clock).random(new SplittableRandom(7))
                .circuitBreaker(3, Duration.ofSeconds(60)).maxInFlightPerEndpoint(1)
                .httpClient(GuardedHttpClient.builder().ssrfPolicy(SsrfPolicy.strict().allowing(AddressClass.LOOPBACK)).build())
                .build();
        receiver.respondWith(500);
        String ep = webhooks.createEndpoint(receiver.url("/hook"), Set.of("*"), "").endpoint().id();
        for (int i = 0; i < 5; i++) {
            webhooks.publish("a.b", json("{\"n\":" + i + "}"));
        }
        Await.until("three failures", () -> attemptsMade(ep) == 3);
        assertThat(receiver.received()).hasSize(3);

        // 5 s later two retries are due, but the breaker is open for 60 s
        clock.advance(Duration.ofSeconds(59));
        Await.until("the breaker's wait passes", () -> attemptsMade(ep) == 3);
        clock.advance(Duration.ofSeconds(2));
        Await.until("one probe", () -> attemptsMade(ep) == 4);
        assertThat(receiver.received()).hasSize(4); // half-open: one attempt, not every due one

        receiver.respondWith(204);
        clock.advance(Duration.ofSeconds(61));
        Await.until("the probe succeeds, the breaker closes, the rest follows",
                () -> webhooks.deliveries(ep, 10).stream().allMatch(d -> d.status() == DeliveryStatus.DELIVERED));
    }

    long attemptsMade(String ep) {
        return webhooks.deliveries(ep, 100).stream().mapToLong(d -> d.attemptLog().size()).sum();
    }

    @Test
    void replaySendsADeliveredMessageAgainWithTheSameId() {
        String ep = webhooks.createEndpoint(receiver.url("/hook"), Set.of("*"), "").endpoint().id();
        String id = webhooks.publish("a.b", json("{}"));
        settle(ep);
        assertThat(webhooks.replay(ep, id)).isTrue();
        Await.until("sent twice", () -> receiver.received().size() == 2);
        assertThat(receiver.received()).extracting(r -> r.header("webhook-id")).containsOnly(id);
        Delivery d = Await.value("delivered", () -> webhooks.deliveries(ep, 1).get(0), x -> x.status() == DeliveryStatus.DELIVERED);
        assertThat(d.attemptLog()).hasSize(2);
    }

    @Test
    void aDeadEndpointNeverDelaysTheHealthyOnes() throws Exception {
        // A timeout far longer than the healthy endpoint may take, so that "the dead endpoint's
        // attempts are still hanging" holds however slow this machine is right now.
        webhooks.close();
        webhooks = Webhooks.builder().store(store).clock(clock).retrySchedule(RetrySchedule.standard()).random(new SplittableRandom(7))
                .circuitBreaker(1_000, Duration.ofSeconds(30))
                .httpClient(GuardedHttpClient.builder().ssrfPolicy(SsrfPolicy.strict().allowing(AddressClass.LOOPBACK))
                        .requestTimeout(Duration.ofSeconds(60)).build())
                .notices(notices::add).build();
        try (ServerSocket dead = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(dead.accept()); // accepts and never answers: each attempt waits for the timeout
                    }
                } catch (IOException closed) {
                    // test over
                }
            });
            String deadEp = webhooks.createEndpoint(URI.create("http://127.0.0.1:" + dead.getLocalPort() + "/"), Set.of("*"), "").endpoint().id();
            String healthy = webhooks.createEndpoint(receiver.url("/ok"), Set.of("*"), "").endpoint().id();
            long start = System.nanoTime();
            for (int i = 0; i < 40; i++) {
                webhooks.publish("a.b", json("{\"n\":" + i + "}"));
            }
            Await.until("healthy endpoint got all 40", Duration.ofSeconds(30),
                    () -> webhooks.deliveries(healthy, 100).stream().filter(d -> d.status() == DeliveryStatus.DELIVERED).count() == 40);
            Duration healthyTook = Duration.ofNanos(System.nanoTime() - start);
            // the dead endpoint's first attempts are still hanging (60 s timeout): they held nothing of the healthy one's
            assertThat(webhooks.deliveries(deadEp, 100)).allSatisfy(d -> assertThat(d.attemptLog()).isEmpty());
            assertThat(held.size()).isBetween(1, 4); // its own concurrency limit
            assertThat(healthyTook).isLessThan(Duration.ofSeconds(60));
            // Stop accepting before releasing the held attempts: each failure frees a slot for
            // the next due delivery, whose connection must be refused, not held for 60 s.
            dead.close();
            acceptor.join();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void secretRotationSignsWithBothSecretsDuringTheOverlap() {
        NewSecret created = webhooks.createEndpoint(receiver.url("/hook"), Set.of("*"), "");
        String ep = created.endpoint().id();
        NewSecret rotated = webhooks.rotateSecret(ep);
        assertThat(rotated.secret()).isNotEqualTo(created.secret());
        assertThat(rotated.previousValidUntil()).contains(clock.instant().plus(Duration.ofHours(24)));

        webhooks.publish("a.b", json("{}"));
        settle(ep);
        RecordingReceiver.Received during = receiver.received().get(0);
        assertThat(during.header("webhook-signature").split(" ")).hasSize(2);
        assertThat(verifier(created.secret()).verify(during.headers(), during.body())).isNotNull();
        assertThat(verifier(rotated.secret()).verify(during.headers(), during.body())).isNotNull();

        clock.advance(Duration.ofHours(24).plusSeconds(1));
        webhooks.publish("a.b", json("{}"));
        settle(ep);
        Await.until("second delivery", () -> receiver.received().size() == 2);
        RecordingReceiver.Received after = receiver.received().get(1);
        assertThat(after.header("webhook-signature").split(" ")).hasSize(1);
        assertThat(verifier(rotated.secret()).verify(after.headers(), after.body())).isNotNull();
        SsrfAndSignatures.assertNotVerifiable(verifier(created.secret()), after);
    }

    @Test
    void endpointsCanBePausedListedAndDeleted() {
        String ep = webhooks.createEndpoint(receiver.url("/hook"), Set.of("*"), "paused one").endpoint().id();
        webhooks.pause(ep);
        webhooks.publish("a.b", json("{}"));
        clock.advance(Duration.ofMinutes(1));
        assertThat(webhooks.deliveries(ep, 10)).singleElement().satisfies(d -> assertThat(d.status()).isEqualTo(DeliveryStatus.PENDING));
        assertThat(receiver.received()).isEmpty();
        webhooks.resume(ep);
        Await.until("sent after resume", () -> receiver.received().size() == 1);

        assertThat(webhooks.endpoints()).extracting(Endpoint::id).containsExactly(ep);
        assertThat(webhooks.delete(ep)).isTrue();
        assertThat(webhooks.endpoints()).isEmpty();
        assertThat(webhooks.delete(ep)).isFalse();
    }

    @Test
    void endpointsAndPendingDeliveriesSurviveARestart() throws Exception {
        receiver.respondWith(503);
        NewSecret created = webhooks.createEndpoint(receiver.url("/hook"), Set.of("*"), "");
        String ep = created.endpoint().id();
        String id = webhooks.publish("a.b", json("{}"));
        settle(ep);
        webhooks.close();
        store.close();

        receiver.respondWith(204);
        store = reopenStore();
        webhooks = publisher(store, RetrySchedule.standard());
        assertThat(webhooks.endpoint(ep)).isPresent();
        clock.advance(Duration.ofSeconds(10));
        Await.until("delivered by the restarted publisher",
                () -> webhooks.deliveries(ep, 1).get(0).status() == DeliveryStatus.DELIVERED);
        RecordingReceiver.Received last = receiver.received().get(receiver.received().size() - 1);
        assertThat(last.header("webhook-id")).isEqualTo(id);
        assertThat(verifier(created.secret()).verify(last.headers(), last.body()).id()).isEqualTo(id);
    }

    @Contract(name = "trips", version = "1.0")
    public interface TripEvents {
        @Event
        void completed(TripCompleted event);
    }

    @Test
    void forwardsTheEventsOfAParleyTopic() throws Exception {
        NewSecret created = webhooks.createEndpoint(receiver.url("/hook"), Set.of("trips.TripCompleted"), "");
        InProcessTransport transport = InProcessTransport.create();
        Registration forwarding = webhooks.forward(transport, TripEvents.class, "webhooks");
        try (Parley parley = Parley.builder().service("trip-service").transport(transport).build()) {
            parley.publisher(TripEvents.class).completed(new TripCompleted("t-9", 990));
            settle(created.endpoint().id());
            Await.until("forwarded", () -> receiver.received().size() == 1);
            RecordingReceiver.Received got = receiver.received().get(0);
            WebhookEvent<TripCompleted> e = verifier(created.secret()).verify(got.headers(), got.body(), TripCompleted.class);
            assertThat(e.type()).isEqualTo("trips.TripCompleted");
            assertThat(e.data()).isEqualTo(new TripCompleted("t-9", 990));
        } finally {
            forwarding.close();
        }
    }

    @Test
    void aReceiverBuiltWithWebhookReceiverAcceptsOnceAndRefusesForgeries() throws Exception {
        NewSecret created = webhooks.createEndpoint(receiver.url("/unused"), Set.of("*"), "");
        List<WebhookEvent<TripCompleted>> handled = new CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.createContext("/in", WebhookReceiver.handler(verifier(created.secret()), TripCompleted.class, handled::add));
        server.start();
        try {
            URI in = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/in");
            GuardedHttpClient client = GuardedHttpClient.builder().ssrfPolicy(SsrfPolicy.strict().allowing(AddressClass.LOOPBACK)).build();
            byte[] body = json("{\"type\":\"trips.TripCompleted\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"data\":{\"tripId\":\"t\",\"fareCents\":1}}");
            long ts = clock.instant().getEpochSecond();
            Map<String, String> h = Map.of("webhook-id", "msg_1", "webhook-timestamp", Long.toString(ts),
                    "webhook-signature", WebhookSignature.sign(created.secret(), "msg_1", ts, body));
            assertThat(client.post(in, h, body).status()).isEqualTo(204);
            assertThat(client.post(in, h, body).status()).isEqualTo(200); // replay: acknowledged, not handled
            byte[] tampered = json(new String(body, StandardCharsets.UTF_8).replace("\"fareCents\":1", "\"fareCents\":100"));
            Map<String, String> h2 = Map.of("webhook-id", "msg_2", "webhook-timestamp", Long.toString(ts),
                    "webhook-signature", WebhookSignature.sign(created.secret(), "msg_2", ts, body));
            assertThat(client.post(in, h2, tampered).status()).isEqualTo(401);
            assertThat(client.post(in, Map.of(), body).status()).isEqualTo(400);
            assertThat(handled).singleElement().satisfies(e -> assertThat(e.id()).isEqualTo("msg_1"));
        } finally {
            server.stop(0);
        }
    }
}
