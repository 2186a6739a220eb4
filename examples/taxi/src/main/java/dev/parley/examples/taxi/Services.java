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
import dev.parley.examples.taxi.Contracts.OfferRequest;
import dev.parley.examples.taxi.Contracts.PassengerStatus;
import dev.parley.examples.taxi.Contracts.Passengers;
import dev.parley.examples.taxi.Contracts.Payments;
import dev.parley.examples.taxi.Contracts.PaymentAuthorized;
import dev.parley.examples.taxi.Contracts.PickupRequest;
import dev.parley.examples.taxi.Contracts.Pricing;
import dev.parley.examples.taxi.Contracts.TripCreated;
import dev.parley.examples.taxi.Contracts.TripEvents;
import dev.parley.examples.taxi.Contracts.TripManagement;
import dev.parley.examples.taxi.Contracts.VerifyPassenger;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** The services of the showcase. Each is an ordinary class implementing its contract. */
final class Services {
    private Services() {}

    /** Trip Management: verifies the passenger, prices the trip, publishes TripCreated, authorizes payment. */
    static final class TripManagementService implements TripManagement {
        private final Passengers passengers;
        private final Pricing pricing;
        private final Payments payments;
        private final TripEvents events;
        private final ParleyClock clock;
        private final Consumer<String> out;
        private final AtomicInteger sequence = new AtomicInteger();

        TripManagementService(Parley runtime, Pricing pricing, Consumer<String> out) {
            this.passengers = runtime.client(Passengers.class);
            this.pricing = pricing;
            this.payments = runtime.client(Payments.class);
            this.events = runtime.publisher(TripEvents.class);
            this.clock = runtime.clock();
            this.out = out;
        }

        @Override
        public void requestPickup(PickupRequest request) {
            PassengerStatus status = passengers.verify(new VerifyPassenger(request.passengerId()));
            if (!status.inGoodStanding()) {
                out.accept("trip-management: passenger " + request.passengerId() + " may not ride; request dropped");
                return;
            }
            Fare fare = pricing.quote(new FareRequest(request.pickup(), request.destination()));
            String tripId = "trip-" + sequence.incrementAndGet();
            out.accept("trip-management: created " + tripId + " for " + request.passengerId() + ", fare " + fare.cents()
                    + " cents (" + fare.source() + ")");
            events.tripCreated(new TripCreated(tripId, request.passengerId(), request.pickup(), fare.cents(), clock.instant()));
            payments.authorize(new AuthorizePayment(tripId, request.passengerId(), fare.cents()))
                    .whenComplete((auth, failure) -> out.accept(failure == null
                            ? "trip-management: payment for " + tripId + " " + (auth.approved() ? "approved" : "declined") + " (" + auth.reference() + ")"
                            : "trip-management: payment for " + tripId + " failed: " + failure.getMessage()));
        }
    }

    static final class PassengerService implements Passengers {
        @Override
        public PassengerStatus verify(VerifyPassenger request) {
            return new PassengerStatus(request.passengerId(), !request.passengerId().startsWith("banned"), "STANDARD");
        }
    }

    /** Prices by straight-line distance; a real one would call a routing engine. */
    static final class PricingService implements Pricing {
        @Override
        public Fare quote(FareRequest request) {
            double dLat = request.to().lat() - request.from().lat();
            double dLon = request.to().lon() - request.from().lon();
            double km = Math.sqrt(dLat * dLat + dLon * dLon) * 111;
            return new Fare(300 + Math.round(km * 150), "pricing service");
        }
    }

    /** Authorizes later, as a card network would. */
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

    /** The Dispatcher: on TripCreated, gathers offers from drivers and proposes the nearest. */
    static final class Dispatcher implements TripEvents {
        private final Parley runtime;
        private final TripEvents events;
        private final Consumer<String> out;

        Dispatcher(Parley runtime, Consumer<String> out) {
            this.runtime = runtime;
            this.events = runtime.publisher(TripEvents.class);
            this.out = out;
        }

        @Override
        public void tripCreated(TripCreated event) {
            Gathered<DriverOffer> offers = runtime.gather(Drivers.class, Drivers::offer, new OfferRequest(event.tripId(), event.pickup()),
                    GatherOptions.within(Duration.ofMillis(300)));
            out.accept("dispatcher: " + event.tripId() + " got " + offers.replies().size() + " offer(s), "
                    + offers.failures().size() + " refusal(s), " + offers.silent().size() + " silent, ended by " + offers.ending());
            offers.values().stream().min(Comparator.comparingInt(DriverOffer::etaSeconds)).ifPresentOrElse(
                    best -> events.driverProposed(new DriverProposed(event.tripId(), best.driverId(), best.etaSeconds())),
                    () -> out.accept("dispatcher: no driver for " + event.tripId()));
        }
    }

    /** Tells the passenger which driver is coming. */
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
