package com.example.trips;

import dev.parley.contract.Contract;
import dev.parley.contract.Event;

/** A contract with events, for {@code parley publish}. */
@Contract(name = "trip-feed", version = "1.0")
public interface TripFeed {

    @Event
    default void tripCreated(TripCreated event) {
    }

    @Event
    default void tripCancelled(TripCancelled event) {
    }

    record TripCreated(String tripId, long fareCents) {}

    record TripCancelled(String tripId) {}
}
