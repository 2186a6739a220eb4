package dev.parley.examples.taxi;

import dev.parley.contract.Contract;
import dev.parley.contract.Deadline;
import dev.parley.contract.Default;
import dev.parley.contract.Event;
import dev.parley.contract.Gather;
import dev.parley.contract.Idempotent;
import dev.parley.contract.OneWay;
import dev.parley.contract.RequiresScopes;
import dev.parley.contract.http.Created;
import dev.parley.contract.http.Delete;
import dev.parley.contract.http.Get;
import dev.parley.contract.http.Link;
import dev.parley.contract.http.Post;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * The taxi-hailing services' contracts, one per service, as the "inter-process communication"
 * seed describes them. Each is what a provider would publish as a versioned contract package.
 * The HTTP annotations only matter where a contract is served over HTTP (trips, passengers,
 * demo); elsewhere they are ignored.
 */
public final class Contracts {
    private Contracts() {}

    // ---- messages ----

    /** A point on the map, in degrees. */
    public record Location(double lat, double lon) {}

    /** What a passenger app asks for: a ride from {@code pickup} to {@code destination}. */
    public record PickupRequest(String passengerId, Location pickup, Location destination) {}

    /** The id of a trip, as the path variable of {@code /v1/trips/{id}}. */
    public record TripId(String id) {}

    /**
     * A trip as Trip Management keeps it. {@code driverId} is empty until a driver was proposed;
     * {@code payment} is {@code PENDING}, {@code APPROVED}, {@code DECLINED} or {@code FAILED}.
     */
    public record Trip(String id, String passengerId, Location pickup, Location destination, long fareCents, String fareSource,
                       String status, String driverId, String payment) {}

    /** Asks whether a passenger may ride. */
    public record VerifyPassenger(String passengerId) {}

    /** Whether a passenger may ride, and their tier ({@code UNVERIFIED} when the fallback answered). */
    public record PassengerStatus(String passengerId, boolean inGoodStanding, @Default("STANDARD") String tier) {}

    /** The trip to price. */
    public record FareRequest(Location from, Location to) {}

    /** A fare in cents, and who computed it. */
    public record Fare(long cents, String source) {}

    /** Published by Trip Management when a trip exists. */
    public record TripCreated(String tripId, String passengerId, Location pickup, long fareCents, Instant at) {}

    /** Published by the Dispatcher: who drives, and how soon. */
    public record DriverProposed(String tripId, String driverId, int etaSeconds) {}

    /** The Dispatcher's question to every driver. */
    public record OfferRequest(String tripId, Location pickup) {}

    /** A driver's answer: it can be there in {@code etaSeconds}. */
    public record DriverOffer(String driverId, int etaSeconds) {}

    /** Reserve {@code amountCents} for a trip. */
    public record AuthorizePayment(String tripId, String passengerId, long amountCents) {}

    /** The card network's answer, some time later. */
    public record PaymentAuthorized(String tripId, boolean approved, String reference) {}

    /** Nothing to say: the request of a demo action without parameters. */
    public record Empty() {}

    /** What the demo's operator controls show: the drivers, the dispatch breaker and the pricing plugin. */
    public record DemoStatus(boolean driversOnline, String dispatchBreaker, String pricingPlugin) {}

    // ---- contracts ----

    /**
     * Trip Management's public API, served over HTTP: passenger apps send a one-way pickup
     * request ({@code 202}), or create a trip and get it back ({@code 201} with {@code Location}),
     * follow its {@code cancel} link, and so on.
     */
    @Contract(name = "trips", version = "1.0", deadline = "PT10S")
    public interface TripManagement {
        @OneWay
        @Post("/pickups")
        void requestPickup(PickupRequest request);

        @Post("/trips")
        @Created("/trips/{id}")
        @Link(rel = "self", path = "/trips/{id}")
        @Link(rel = "cancel", method = "DELETE", path = "/trips/{id}")
        Trip create(PickupRequest request);

        @Idempotent
        @Get("/trips/{id}")
        @Link(rel = "self", path = "/trips/{id}")
        @Link(rel = "cancel", method = "DELETE", path = "/trips/{id}")
        Trip get(TripId request);

        @Idempotent
        @Delete("/trips/{id}")
        void cancel(TripId request);
    }

    /** The Passenger service: who may ride. Callers need a service token with {@code passengers:verify}. */
    @Contract(name = "passengers", version = "1.0", deadline = "PT0.5S")
    @RequiresScopes("passengers:verify")
    public interface Passengers {
        @Idempotent
        @Get("/passengers/{passengerId}/status")
        PassengerStatus verify(VerifyPassenger request);
    }

    /** Pricing: computes fares. Implemented by a plugin loaded at runtime. */
    @Contract(name = "pricing", version = "1.0")
    public interface Pricing {
        @Idempotent
        @Deadline("PT0.5S")
        Fare quote(FareRequest request);
    }

    /** Payments: authorization may take a while, so the reply is asynchronous. */
    @Contract(name = "payments", version = "1.0", deadline = "PT3S")
    public interface Payments {
        CompletionStage<PaymentAuthorized> authorize(AuthorizePayment request);
    }

    /** Events about trips, published by Trip Management and the Dispatcher. */
    @Contract(name = "trip-events", version = "1.0", deadline = "PT5S")
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

    /** The all-in-one demo's operator controls, served next to the trips API. */
    @Contract(name = "demo", version = "1.0", deadline = "PT5S")
    public interface Demo {
        @Idempotent
        @Get("/demo/status")
        DemoStatus status(Empty request);

        @Post("/demo/drivers/stop")
        DemoStatus stopDrivers(Empty request);

        @Post("/demo/drivers/start")
        DemoStatus startDrivers(Empty request);
    }
}
