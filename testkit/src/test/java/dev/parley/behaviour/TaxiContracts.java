package dev.parley.behaviour;

import dev.parley.contract.Contract;
import dev.parley.contract.Deadline;
import dev.parley.contract.Event;
import dev.parley.contract.Gather;
import dev.parley.contract.Idempotent;
import dev.parley.contract.OneWay;
import java.util.concurrent.CompletionStage;

/** Contracts and messages shared by the behavioural tests. */
final class TaxiContracts {
    private TaxiContracts() {}

    record CreateTrip(String passengerId, String from, String to) {}

    record TripId(String id) {}

    record TripView(String id, String passengerId, String status, long fareCents) {}

    record Authorize(String tripId, long amountCents) {}

    record Payment(String tripId, boolean approved) {}

    record PickupRequest(String passengerId, String at) {}

    record TripCreated(String tripId, String passengerId) {}

    record TripCancelled(String tripId, String reason) {}

    record OfferRequest(String tripId, String area) {}

    record Offer(String driverId, int etaSeconds) {}

    @Contract(name = "trips", version = "1.0")
    interface Trips {
        TripView create(CreateTrip request);

        @Idempotent
        TripView get(TripId id);

        CompletionStage<Payment> authorize(Authorize request);

        @OneWay
        void requestPickup(PickupRequest request);

        @Deadline("PT1S")
        TripView slowLookup(TripId id);
    }

    record QuoteRequest(String from, String to) {}

    record Quote(long fareCents, String traceparent, long remainingMillis, String token) {}

    @Contract(name = "pricing", version = "1.0")
    interface Pricing {
        @Idempotent
        Quote quote(QuoteRequest request);
    }

    @Contract(name = "trip-events", version = "1.0")
    interface TripEvents {
        @Event
        default void tripCreated(TripCreated event) {}

        @Event
        default void tripCancelled(TripCancelled event) {}
    }

    @Contract(name = "drivers", version = "1.0")
    interface Drivers {
        @Gather
        Offer offer(OfferRequest request);
    }
}
