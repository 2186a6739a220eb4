package dev.parley.examples.taxi;

import dev.parley.ErrorCode;
import dev.parley.GatherOptions;
import dev.parley.Gathered;
import dev.parley.Parley;
import dev.parley.ParleyClock;
import dev.parley.ParleyException;
import dev.parley.examples.taxi.Contracts.AuthorizePayment;
import dev.parley.examples.taxi.Contracts.DriverOffer;
import dev.parley.examples.taxi.Contracts.DriverProposed;
import dev.parley.examples.taxi.Contracts.Drivers;
import dev.parley.examples.taxi.Contracts.Fare;
import dev.parley.examples.taxi.Contracts.FareRequest;
import dev.parley.examples.taxi.Contracts.Location;
import dev.parley.examples.taxi.Contracts.OfferRequest;
import dev.parley.examples.taxi.Contracts.PassengerStatus;
import dev.parley.examples.taxi.Contracts.Passengers;
import dev.parley.examples.taxi.Contracts.PaymentAuthorized;
import dev.parley.examples.taxi.Contracts.Payments;
import dev.parley.examples.taxi.Contracts.PickupRequest;
import dev.parley.examples.taxi.Contracts.Pricing;
import dev.parley.examples.taxi.Contracts.Trip;
import dev.parley.examples.taxi.Contracts.TripCreated;
import dev.parley.examples.taxi.Contracts.TripEvents;
import dev.parley.examples.taxi.Contracts.TripId;
import dev.parley.examples.taxi.Contracts.TripManagement;
import dev.parley.examples.taxi.Contracts.VerifyPassenger;
import dev.parley.jwt.ServiceToken;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The services of the showcase. Each is an ordinary class implementing its contract. */
final class Services {
    private Services() {}

    /** At most this many trips are kept in memory; the oldest are forgotten first. */
    static final int MAX_TRIPS = 10_000;

    /**
     * Trip Management: verifies the passenger (HTTP, with its service token), prices the trip
     * (the pricing plugin), keeps it, publishes TripCreated (broker) and authorizes the payment
     * (RPC, asynchronous reply). It learns the proposed driver from DriverProposed.
     */
    static final class TripManagementService implements TripManagement, TripEvents {
        private final Passengers passengers;
        private final ServiceToken token;
        private final Pricing pricing;
        private final Payments payments;
        private final TripEvents events;
        private final ParleyClock clock;
        private final Consumer<String> out;
        private final Map<String, Trip> trips = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Trip> eldest) {
                return size() > MAX_TRIPS;
            }
        });

        TripManagementService(Passengers passengers, ServiceToken token, Pricing pricing, Payments payments, TripEvents events,
                              ParleyClock clock, Consumer<String> out) {
            this.passengers = passengers;
            this.token = token;
            this.pricing = pricing;
            this.payments = payments;
            this.events = events;
            this.clock = clock;
            this.out = out;
        }

        @Override
        public void requestPickup(PickupRequest request) {
            try {
                create(request);
            } catch (ParleyException e) {
                // A one-way request has nobody to answer: the refusal is logged, as a real service would.
                out.accept("trip-management: pickup for " + request.passengerId() + " refused: " + e.code() + " " + e.getMessage());
            }
        }

        @Override
        @SuppressWarnings("try") // the token scope is used for its effect on the call inside it
        public Trip create(PickupRequest request) {
            validate(request);
            PassengerStatus status;
            try (var scope = token.scope()) {
                status = passengers.verify(new VerifyPassenger(request.passengerId()));
            }
            if (!status.inGoodStanding()) {
                throw ParleyException.of(ErrorCode.PERMISSION_DENIED, "passenger " + request.passengerId() + " may not ride");
            }
            Fare fare = pricing.quote(new FareRequest(request.pickup(), request.destination()));
            String id = "trip-" + UUID.randomUUID().toString().substring(0, 8);
            Trip trip = new Trip(id, request.passengerId(), request.pickup(), request.destination(), fare.cents(), fare.source(),
                    "REQUESTED", "", "PENDING");
            trips.put(id, trip);
            out.accept("trip-management: created " + id + " for " + request.passengerId() + " (" + status.tier() + "), fare "
                    + fare.cents() + " cents (" + fare.source() + ")");
            events.tripCreated(new TripCreated(id, request.passengerId(), request.pickup(), fare.cents(), clock.instant()));
            payments.authorize(new AuthorizePayment(id, request.passengerId(), fare.cents())).whenComplete((auth, failure) -> {
                String payment = failure != null ? "FAILED" : auth.reference().startsWith("deferred") ? "DEFERRED"
                        : auth.approved() ? "APPROVED" : "DECLINED";
                trips.computeIfPresent(id, (k, t) -> withPayment(t, payment));
                out.accept("trip-management: payment for " + id + " " + payment.toLowerCase(Locale.ROOT)
                        + (failure != null ? ": " + failure.getMessage() : " (" + auth.reference() + ")"));
            });
            return trip;
        }

        @Override
        public Trip get(TripId request) {
            return Optional.ofNullable(trips.get(request.id()))
                    .orElseThrow(() -> ParleyException.of(ErrorCode.NOT_FOUND, "trip " + request.id() + " (expected: a trip id from POST /v1/trips)"));
        }

        @Override
        public void cancel(TripId request) {
            Trip trip = get(request);
            trips.computeIfPresent(trip.id(), (k, t) -> new Trip(t.id(), t.passengerId(), t.pickup(), t.destination(), t.fareCents(),
                    t.fareSource(), "CANCELLED", t.driverId(), t.payment()));
            out.accept("trip-management: " + trip.id() + " cancelled");
        }

        @Override
        public void driverProposed(DriverProposed event) {
            // Events may arrive for trips of another instance or an earlier run: only known trips change.
            trips.computeIfPresent(event.tripId(), (k, t) -> t.status().equals("CANCELLED") ? t
                    : new Trip(t.id(), t.passengerId(), t.pickup(), t.destination(), t.fareCents(), t.fareSource(), "DRIVER_PROPOSED",
                            event.driverId(), t.payment()));
        }

        private static Trip withPayment(Trip t, String payment) {
            return new Trip(t.id(), t.passengerId(), t.pickup(), t.destination(), t.fareCents(), t.fareSource(), t.status(), t.driverId(),
                    payment);
        }

        static void validate(PickupRequest request) {
            if (request.passengerId() == null || !request.passengerId().matches("[A-Za-z0-9._-]{1,64}")) {
                throw ParleyException.of(ErrorCode.INVALID_ARGUMENT, "passengerId: '" + abbreviate(request.passengerId())
                        + "' (expected: 1-64 letters, digits, '.', '_' or '-')");
            }
            check("pickup", request.pickup());
            check("destination", request.destination());
        }

        private static void check(String field, Location l) {
            if (l == null || !(Math.abs(l.lat()) <= 90) || !(Math.abs(l.lon()) <= 180)) {
                throw ParleyException.of(ErrorCode.INVALID_ARGUMENT, field + ": " + l
                        + " (expected: {\"lat\": -90..90, \"lon\": -180..180})");
            }
        }

        private static String abbreviate(String s) {
            return s == null ? "null" : s.length() > 40 ? s.substring(0, 40) + "..." : s;
        }
    }

    /** The Passenger service: passengers whose id starts with "banned" may not ride. */
    static final class PassengerService implements Passengers {
        @Override
        public PassengerStatus verify(VerifyPassenger request) {
            return new PassengerStatus(request.passengerId(), !request.passengerId().startsWith("banned"), "STANDARD");
        }
    }

    /** Authorizes later, as a card network would; amounts of 1,000.00 and more are declined. */
    static final class PaymentService implements Payments {
        private final ParleyClock clock;

        PaymentService(ParleyClock clock) {
            this.clock = clock;
        }

        @Override
        public CompletionStage<PaymentAuthorized> authorize(AuthorizePayment request) {
            CompletableFuture<PaymentAuthorized> reply = new CompletableFuture<>();
            clock.schedule(Duration.ofMillis(150), () -> reply.complete(
                    new PaymentAuthorized(request.tripId(), request.amountCents() < 100_000, "auth-" + request.tripId())));
            return reply;
        }
    }

    /** A driver's app: offers its ETA, or declines when off duty. */
    record DriverApp(String driverId, int etaSeconds, boolean onDuty) implements Drivers {
        @Override
        public DriverOffer offer(OfferRequest request) {
            if (!onDuty) {
                throw ParleyException.of(ErrorCode.FAILED_PRECONDITION, driverId + " is off duty");
            }
            return new DriverOffer(driverId, etaSeconds);
        }
    }

    /**
     * The Dispatcher: on TripCreated, gathers offers from every driver within the offer window
     * and proposes the nearest. A gather has no breaker of its own (its replies are many, and
     * "none" is an answer), so the Dispatcher keeps one: a gather without offers counts as a
     * failure, and while the breaker is open no request goes out at all. Either way the fallback
     * answers: the standby fleet, which is always there but slow.
     */
    static final class Dispatcher implements TripEvents {
        static final String BREAKER = "gather:drivers/v1";
        static final String STANDBY = "standby-fleet";
        static final int STANDBY_ETA_SECONDS = 900;

        private final Parley runtime;
        private final TripEvents events;
        private final Duration window;
        private final CircuitBreaker breaker;
        private final Consumer<String> out;

        Dispatcher(Parley runtime, TripEvents events, Duration window, Duration breakerWait, Consumer<String> out) {
            this.runtime = runtime;
            this.events = events;
            this.window = window;
            this.out = out;
            this.breaker = runtime.circuitBreakers().circuitBreaker(BREAKER, CircuitBreakerConfig.custom()
                    .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(4)
                    .minimumNumberOfCalls(2)
                    .failureRateThreshold(50)
                    .waitDurationInOpenState(breakerWait)
                    .permittedNumberOfCallsInHalfOpenState(1)
                    .recordException(e -> true)
                    .build());
            breaker.getEventPublisher().onStateTransition(e -> out.accept("dispatcher: breaker " + BREAKER + " "
                    + e.getStateTransition().getFromState() + " -> " + e.getStateTransition().getToState()));
        }

        CircuitBreaker breaker() {
            return breaker;
        }

        @Override
        public void tripCreated(TripCreated event) {
            DriverProposed proposal = breaker.tryAcquirePermission() ? gather(event)
                    : standby(event, "breaker " + BREAKER + " is open: no offer request sent");
            events.driverProposed(proposal);
        }

        private DriverProposed gather(TripCreated event) {
            long start = System.nanoTime();
            try {
                Gathered<DriverOffer> offers = runtime.gather(Drivers.class, Drivers::offer, new OfferRequest(event.tripId(), event.pickup()),
                        GatherOptions.within(window));
                out.accept("dispatcher: " + event.tripId() + " got " + offers.replies().size() + " offer(s), "
                        + offers.failures().size() + " refusal(s), " + offers.silent().size() + " silent, ended by " + offers.ending());
                Optional<DriverOffer> best = offers.values().stream().min(Comparator.comparingInt(DriverOffer::etaSeconds));
                if (best.isPresent()) {
                    breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    return new DriverProposed(event.tripId(), best.get().driverId(), best.get().etaSeconds());
                }
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS,
                        ParleyException.of(ErrorCode.UNAVAILABLE, "no driver offered for " + event.tripId()));
                return standby(event, "no driver offered");
            } catch (ParleyException e) {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
                return standby(event, "gather failed: " + e.code());
            }
        }

        private DriverProposed standby(TripCreated event, String why) {
            out.accept("dispatcher: " + event.tripId() + " goes to the " + STANDBY + " (fallback; " + why + ")");
            return new DriverProposed(event.tripId(), STANDBY, STANDBY_ETA_SECONDS);
        }
    }

    /** Prints which driver is coming; the partner hears the same events by webhook. */
    static final class Notifier implements TripEvents {
        private final Consumer<String> out;

        Notifier(Consumer<String> out) {
            this.out = out;
        }

        @Override
        public void driverProposed(DriverProposed event) {
            out.accept("notification: " + event.tripId() + ": driver " + event.driverId() + " arrives in " + event.etaSeconds() + " s");
        }
    }
}
