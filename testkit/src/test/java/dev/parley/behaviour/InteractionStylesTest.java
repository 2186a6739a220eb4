package dev.parley.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ErrorCode;
import dev.parley.GatherOptions;
import dev.parley.Gathered;
import dev.parley.Parley;
import dev.parley.ParleyException;
import dev.parley.RemoteException;
import dev.parley.behaviour.TaxiContracts.Authorize;
import dev.parley.behaviour.TaxiContracts.CreateTrip;
import dev.parley.behaviour.TaxiContracts.Drivers;
import dev.parley.behaviour.TaxiContracts.Offer;
import dev.parley.behaviour.TaxiContracts.OfferRequest;
import dev.parley.behaviour.TaxiContracts.Payment;
import dev.parley.behaviour.TaxiContracts.PickupRequest;
import dev.parley.behaviour.TaxiContracts.TripCancelled;
import dev.parley.behaviour.TaxiContracts.TripCreated;
import dev.parley.behaviour.TaxiContracts.TripEvents;
import dev.parley.behaviour.TaxiContracts.TripId;
import dev.parley.behaviour.TaxiContracts.TripView;
import dev.parley.behaviour.TaxiContracts.Trips;
import dev.parley.codec.Codec;
import dev.parley.message.StandardHeaders;
import dev.parley.testkit.ParleyExtension;
import dev.parley.transport.ClientChannel;
import dev.parley.transport.InboundHandler;
import dev.parley.transport.Registration;
import dev.parley.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every interaction style in one JVM, on the in-process transport. */
class InteractionStylesTest {

    @RegisterExtension
    final ParleyExtension parley = ParleyExtension.create();

    /** A trips service that records what it was asked. */
    static class TripService implements Trips {
        final List<PickupRequest> pickups = new CopyOnWriteArrayList<>();
        final CountDownLatch pickupSeen = new CountDownLatch(1);
        final Map<String, CompletableFuture<Payment>> pendingPayments = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public TripView create(CreateTrip request) {
            calls.incrementAndGet();
            return new TripView("t-" + request.passengerId(), request.passengerId(), "CREATED", 1250);
        }

        @Override
        public TripView get(TripId id) {
            calls.incrementAndGet();
            if (id.id().equals("missing")) {
                throw ParleyException.of(ErrorCode.NOT_FOUND, "trip missing not found", Map.of("tripId", "missing"));
            }
            return new TripView(id.id(), "p-1", "CREATED", 990);
        }

        @Override
        public CompletionStage<Payment> authorize(Authorize request) {
            CompletableFuture<Payment> later = new CompletableFuture<>();
            pendingPayments.put(request.tripId(), later);
            return later;
        }

        @Override
        public void requestPickup(PickupRequest request) {
            pickups.add(request);
            pickupSeen.countDown();
        }

        @Override
        public TripView slowLookup(TripId id) {
            return get(id);
        }
    }

    @Test
    void requestResponseReturnsTheHandlersReplyThroughTheCodec() {
        TripService service = new TripService();
        parley.service("trip-management").serve(Trips.class, service);
        Trips trips = parley.service("passenger-app").client(Trips.class);

        TripView view = trips.create(new CreateTrip("p-7", "Main St", "Airport"));

        assertThat(view).isEqualTo(new TripView("t-p-7", "p-7", "CREATED", 1250));
        assertThat(service.calls).hasValue(1);
    }

    @Test
    void requestResponseWorksInCborToo() {
        parley.service("trip-management").serve(Trips.class, new TripService());
        Trips trips = parley.service("passenger-app", b -> b.codec(Codec.cbor())).client(Trips.class);

        assertThat(trips.get(new TripId("t-1")).fareCents()).isEqualTo(990);
    }

    @Test
    void asyncResponseReturnsAtOnceAndCompletesWhenTheServiceReplies() throws Exception {
        TripService service = new TripService();
        parley.service("payments").serve(Trips.class, service);
        Trips trips = parley.service("trip-management").client(Trips.class);

        CompletionStage<Payment> stage = trips.authorize(new Authorize("t-9", 1250));
        CompletableFuture<Payment> future = stage.toCompletableFuture();
        awaitTrue(() -> service.pendingPayments.containsKey("t-9"));
        assertThat(future).isNotDone();

        service.pendingPayments.get("t-9").complete(new Payment("t-9", true));

        assertThat(future.get(5, TimeUnit.SECONDS)).isEqualTo(new Payment("t-9", true));
    }

    @Test
    void oneWayDeliversTheMessageAndNoReplyIsEverSent() throws Exception {
        TripService service = new TripService();
        ReplyCountingTransport counting = new ReplyCountingTransport(parley.transport());
        parley.service("trip-management", b -> b.transport(counting)).serve(Trips.class, service);
        Trips trips = parley.service("passenger-app").client(Trips.class);

        trips.requestPickup(new PickupRequest("p-3", "Station"));

        assertThat(service.pickupSeen.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(service.pickups).containsExactly(new PickupRequest("p-3", "Station"));
        Thread.sleep(50); // a reply, if one were sent, would be on its way by now
        assertThat(counting.replies).hasValue(0);

        trips.create(new CreateTrip("p-3", "a", "b"));
        assertThat(counting.replies).hasValue(1);
    }

    @Test
    void oneWayFailureInTheHandlerDoesNotReachTheCaller() throws Exception {
        CountDownLatch attempted = new CountDownLatch(1);
        parley.service("trip-management").serve(Trips.class, new TripService() {
            @Override
            public void requestPickup(PickupRequest request) {
                attempted.countDown();
                throw new IllegalStateException("dispatch queue full");
            }
        });
        Trips trips = parley.service("passenger-app").client(Trips.class);

        trips.requestPickup(new PickupRequest("p-1", "here")); // returns normally

        assertThat(attempted.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void typedErrorsCrossTheBoundaryWithCodeMessageAndDetails() {
        parley.service("trip-management").serve(Trips.class, new TripService());
        Trips trips = parley.service("passenger-app").client(Trips.class);

        assertThatThrownBy(() -> trips.get(new TripId("missing")))
                .isInstanceOfSatisfying(RemoteException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo("trip missing not found");
                    assertThat(e.details()).containsEntry("tripId", "missing");
                    assertThat(e.target()).isEqualTo("trips/v1 get");
                });
    }

    @Test
    void unexpectedHandlerExceptionsReachTheCallerAsInternalWithoutInternals() {
        parley.service("trip-management").serve(Trips.class, new TripService() {
            @Override
            public TripView create(CreateTrip request) {
                throw new IllegalStateException("db password=hunter2 at 10.0.0.7");
            }
        });
        Trips trips = parley.service("passenger-app").client(Trips.class);

        assertThatThrownBy(() -> trips.create(new CreateTrip("p", "a", "b")))
                .isInstanceOfSatisfying(RemoteException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
                    assertThat(e.getMessage()).contains("Trips.create failed (error id ")
                            .doesNotContain("hunter2").doesNotContain("IllegalStateException").doesNotContain("10.0.0.7");
                    assertThat(e.details()).containsOnlyKeys("errorId");
                });
    }

    @Test
    void callingAContractNobodyServesFailsWithUnavailable() {
        Trips trips = parley.service("passenger-app").client(Trips.class);

        assertThatThrownBy(() -> trips.create(new CreateTrip("p", "a", "b")))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("no service serves trips/v1");
    }

    /** Records every event it gets. */
    static class RecordingSubscriber implements TripEvents {
        final String name;
        final List<Object> seen = new CopyOnWriteArrayList<>();
        final List<String> log;

        RecordingSubscriber(String name, List<String> log) {
            this.name = name;
            this.log = log;
        }

        @Override
        public void tripCreated(TripCreated event) {
            seen.add(event);
            log.add(name + ":" + event.tripId());
        }
    }

    @Test
    void publishSubscribeDeliversToEveryGroupOnceAndSharesWithinAGroup() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        RecordingSubscriber dispatcherA = new RecordingSubscriber("dispatcher-a", log);
        RecordingSubscriber dispatcherB = new RecordingSubscriber("dispatcher-b", log);
        RecordingSubscriber billing = new RecordingSubscriber("billing", log);
        parley.service("dispatcher").subscribe(TripEvents.class, dispatcherA);
        parley.service("dispatcher").subscribe(TripEvents.class, dispatcherB);
        parley.service("billing").subscribe(TripEvents.class, billing);
        TripEvents events = parley.service("trip-management").publisher(TripEvents.class);

        for (int i = 0; i < 10; i++) {
            events.tripCreated(new TripCreated("t-" + i, "p-" + i));
        }

        awaitTrue(() -> log.size() == 20);
        assertThat(billing.seen).hasSize(10);
        assertThat(dispatcherA.seen.size() + dispatcherB.seen.size()).isEqualTo(10);
        assertThat(dispatcherA.seen).isNotEmpty();
        assertThat(dispatcherB.seen).isNotEmpty();
        assertThat(log).filteredOn(s -> s.startsWith("dispatcher")).extracting(s -> s.substring(s.indexOf(':') + 1))
                .doesNotHaveDuplicates().hasSize(10);
    }

    @Test
    void eventsASubscriberDoesNotHandleAreSkippedAndAcknowledged() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        parley.service("dispatcher").subscribe(TripEvents.class, new RecordingSubscriber("d", log));
        TripEvents events = parley.service("trip-management").publisher(TripEvents.class);

        events.tripCancelled(new TripCancelled("t-1", "changed mind"));
        events.tripCreated(new TripCreated("t-2", "p"));

        awaitTrue(() -> log.size() == 1);
        assertThat(log).containsExactly("d:t-2");
        assertThat(parley.transport().deadLetters()).isEmpty();
    }

    @Test
    void eventsPublishedWhileAGroupHasNoMemberWaitForOne() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        Parley dispatcher = parley.service("dispatcher");
        Registration subscription = dispatcher.subscribe(TripEvents.class, new RecordingSubscriber("d", log));
        subscription.close(); // the dispatcher is down
        TripEvents events = parley.service("trip-management").publisher(TripEvents.class);

        events.tripCreated(new TripCreated("t-1", "p"));
        events.tripCreated(new TripCreated("t-2", "p"));
        assertThat(parley.transport().backlog("trip-events.v1.events", "dispatcher")).isEqualTo(2);

        dispatcher.subscribe(TripEvents.class, new RecordingSubscriber("d", log)); // it comes back

        awaitTrue(() -> log.size() == 2);
        assertThat(log).containsExactlyInAnyOrder("d:t-1", "d:t-2");
    }

    @Test
    void aFailingSubscriberGetsTheEventAgainWithBackoffThenItIsDeadLettered() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        parley.service("billing").subscribe(TripEvents.class, new TripEvents() {
            @Override
            public void tripCreated(TripCreated event) {
                attempts.incrementAndGet();
                throw new IllegalStateException("ledger offline");
            }
        });
        TripEvents events = parley.service("trip-management").publisher(TripEvents.class);

        events.tripCreated(new TripCreated("t-1", "p"));
        awaitTrue(() -> attempts.get() == 1);

        // Redeliveries wait 100 ms, 200 ms, 400 ms, 800 ms on the transport's clock.
        for (int expected = 2; expected <= 5; expected++) {
            parley.clock().advance(Duration.ofMillis(50));
            Thread.sleep(20);
            assertThat(attempts).as("no redelivery before the backoff").hasValue(expected - 1);
            parley.clock().advance(Duration.ofMillis(100L << (expected - 2)));
            int want = expected;
            awaitTrue(() -> attempts.get() == want);
        }
        awaitTrue(() -> parley.transport().deadLetters().size() == 1);
        assertThat(parley.transport().deadLetters().get(0).reason()).startsWith("INTERNAL: ");
        assertThat(parley.transport().deadLetters().get(0).attempts()).isEqualTo(5);
        assertThat(parley.transport().deadLetters().get(0).group()).isEqualTo("billing");
    }

    /** A driver that answers offers, optionally never. */
    record Driver(String id, int eta, CountDownLatch hold) implements Drivers {
        @Override
        public Offer offer(OfferRequest request) {
            if (hold != null) {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw ParleyException.of(ErrorCode.CANCELLED, "stopped");
                }
            }
            if (eta < 0) {
                throw ParleyException.of(ErrorCode.FAILED_PRECONDITION, "off duty");
            }
            return new Offer(id, eta);
        }
    }

    @Test
    void gatherCollectsEveryResponderWhenAllAnswer() {
        parley.service("driver").serve(Drivers.class, new Driver("d1", 120, null));
        parley.service("driver").serve(Drivers.class, new Driver("d2", 60, null));
        parley.service("driver").serve(Drivers.class, new Driver("d3", -1, null));
        Parley dispatcher = parley.service("dispatcher");

        Gathered<Offer> result = dispatcher.gather(Drivers.class, Drivers::offer, new OfferRequest("t-1", "north"),
                GatherOptions.within(Duration.ofSeconds(2)));

        assertThat(result.ending()).isEqualTo(Gathered.Ending.ALL_ANSWERED);
        assertThat(result.values()).extracting(Offer::driverId).containsExactlyInAnyOrder("d1", "d2");
        assertThat(result.failures()).hasSize(1);
        assertThat(result.failures().values()).allSatisfy(f -> assertThat(f.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION));
        assertThat(result.silent()).isEmpty();
    }

    @Test
    void gatherReturnsPartialResultsAtTheDeadlineNamingWhoStayedSilent() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        parley.service("driver").serve(Drivers.class, new Driver("fast", 30, null));
        Parley slow = parley.service("driver");
        slow.serve(Drivers.class, new Driver("slow", 10, never));
        Parley dispatcher = parley.service("dispatcher");

        CompletableFuture<Gathered<Offer>> pending = dispatcher.gatherAsync(Drivers.class, Drivers::offer,
                new OfferRequest("t-1", "north"), GatherOptions.within(Duration.ofSeconds(2)));
        awaitTrue(() -> parley.clock().pendingTasks() > 0);
        Thread.sleep(50);
        assertThat(pending).isNotDone();

        parley.clock().advance(Duration.ofSeconds(2));

        Gathered<Offer> result = pending.get(5, TimeUnit.SECONDS);
        assertThat(result.ending()).isEqualTo(Gathered.Ending.DEADLINE);
        assertThat(result.values()).containsExactly(new Offer("fast", 30));
        assertThat(result.silent()).containsExactly(slow.source());
        assertThat(result.elapsed()).isEqualTo(Duration.ofSeconds(2));
        never.countDown();
    }

    @Test
    void gatherStopsAtTheWantedCount() {
        for (int i = 0; i < 4; i++) {
            parley.service("driver").serve(Drivers.class, new Driver("d" + i, i, null));
        }
        Gathered<Offer> result = parley.service("dispatcher").gather(Drivers.class, Drivers::offer,
                new OfferRequest("t-1", "north"), GatherOptions.within(Duration.ofSeconds(2)).wanted(1));

        assertThat(result.ending()).isIn(Gathered.Ending.WANTED_REACHED);
        assertThat(result.replies()).hasSize(1);
    }

    @Test
    void gatherProxyMethodsAndPublishOnClientsPointToTheRightApi() {
        Drivers drivers = parley.service("app").client(Drivers.class);
        assertThatThrownBy(() -> drivers.offer(new OfferRequest("t", "a")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Parley.gather");
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(2);
        }
    }

    /** Wraps a transport and counts the replies its served handlers send. */
    static final class ReplyCountingTransport implements Transport {
        final Transport delegate;
        final AtomicInteger replies = new AtomicInteger();

        ReplyCountingTransport(Transport delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public ClientChannel connect(Class<?> contract) {
            return delegate.connect(contract);
        }

        @Override
        public Registration serve(Class<?> contract, InboundHandler handler) {
            return delegate.serve(contract, (message, sink) -> handler.handle(message, reply -> {
                assertThat(reply.headers().get(StandardHeaders.CORRELATION_ID))
                        .contains(message.headers().valueOrNull(StandardHeaders.MESSAGE_ID));
                replies.incrementAndGet();
                sink.reply(reply);
            }));
        }

        @Override
        public void close() {}
    }
}
