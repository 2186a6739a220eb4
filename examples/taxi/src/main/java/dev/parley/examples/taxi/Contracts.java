package dev.parley.examples.taxi;

import dev.parley.contract.Contract;
import dev.parley.contract.Deadline;
import dev.parley.contract.Default;
import dev.parley.contract.Event;
import dev.parley.contract.Gather;
import dev.parley.contract.Idempotent;
import dev.parley.contract.OneWay;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * The taxi-hailing services' contracts, one per service, as the "inter-process communication"
 * seed describes them. Each is what a provider would publish as a versioned contract package.
 */
public final class Contracts {
    private Contracts() {}

    // ---- messages ----

    public record Location(double lat, double lon) {}

    public record PickupRequest(String passengerId, Location pickup, Location destination) {}

    public record VerifyPassenger(String passengerId) {}

    public record PassengerStatus(String passengerId, boolean inGoodStanding, @Default("STANDARD") String tier) {}

    public record FareRequest(Location from, Location to) {}

    public record Fare(long cents, String source) {}

    public record TripCreated(String tripId, String passengerId, Location pickup, long fareCents, Instant at) {}

    public record DriverProposed(String tripId, String driverId, int etaSeconds) {}

    public record OfferRequest(String tripId, Location pickup) {}

    public record DriverOffer(String driverId, int etaSeconds) {}

    public record AuthorizePayment(String tripId, String passengerId, long amountCents) {}

    public record PaymentAuthorized(String tripId, boolean approved, String reference) {}

    // ---- contracts ----

    /** Trip Management: takes pickup requests from passenger apps. */
    @Contract(name = "trips", version = "1.0")
    public interface TripManagement {
        @OneWay
        void requestPickup(PickupRequest request);
    }

    /** The Passenger service: who may ride. */
    @Contract(name = "passengers", version = "1.0", deadline = "PT0.5S")
    public interface Passengers {
        @Idempotent
        PassengerStatus verify(VerifyPassenger request);
    }

    /** Pricing: computes fares. */
    @Contract(name = "pricing", version = "1.0")
    public interface Pricing {
        @Idempotent
        @Deadline("PT0.2S")
        Fare quote(FareRequest request);
    }

    /** Payments: authorization may take a while, so the reply is asynchronous. */
    @Contract(name = "payments", version = "1.0")
    public interface Payments {
        CompletionStage<PaymentAuthorized> authorize(AuthorizePayment request);
    }

    /** Events about trips, published by Trip Management and the Dispatcher. */
    @Contract(name = "trip-events", version = "1.0")
    public interface TripEvents {
        @Event
        default void tripCreated(TripCreated event) {}

        @Event
        default void driverProposed(DriverProposed event) {}
    }

    /** Every driver answers offer requests: the Dispatcher gathers their offers. */
    @Contract(name = "drivers", version = "1.0")
    public interface Drivers {
        @Gather
        DriverOffer offer(OfferRequest request);
    }
}
