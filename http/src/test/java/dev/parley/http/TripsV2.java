package dev.parley.http;

import dev.parley.contract.Contract;
import dev.parley.contract.http.Get;

/** The next major version of {@link Trips}, served side by side with it. */
@Contract(name = "trips", version = "2.0")
public interface TripsV2 {

    record TripId(String id) {}

    record TripV2(String id, String driver) {}

    @Get("/trips/{id}")
    TripV2 get(TripId request);
}
