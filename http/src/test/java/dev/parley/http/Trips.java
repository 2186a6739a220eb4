package dev.parley.http;

import dev.parley.contract.Contract;
import dev.parley.contract.OneWay;
import dev.parley.contract.http.Created;
import dev.parley.contract.http.Delete;
import dev.parley.contract.http.Get;
import dev.parley.contract.http.Link;
import dev.parley.contract.http.Patch;
import dev.parley.contract.http.Post;
import dev.parley.contract.http.Put;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The contract the end-to-end suites serve over HTTP: one method per REST mapping. */
@Contract(name = "trips", version = "1.2")
public interface Trips {

    record TripId(String id) {}

    record Trip(String id, String rider, int seats, String status) {}

    record FindTrips(String rider, int minSeats, List<String> tags) {}

    record TripList(String rider, int minSeats, List<String> tags, List<Trip> trips) {}

    record CreateTrip(String rider, int seats) {}

    record UpdateTrip(String id, String rider, int seats) {}

    record Pickup(String id, String note) {}

    record Slow(long sleepMillis) {}

    record Remaining(long remainingMillis) {}

    record Quote(String id, int amount) {}

    @Get("/trips/{id}")
    @Link(rel = "self", path = "/trips/{id}")
    @Link(rel = "cancel", method = "DELETE", path = "/trips/{id}")
    Trip get(TripId request);

    @Get("/trips")
    TripList find(FindTrips request);

    @Post("/trips")
    @Created("/trips/{id}")
    Trip create(CreateTrip request);

    @Put("/trips/{id}")
    Trip replace(UpdateTrip request);

    @Patch("/trips/{id}")
    Trip rename(UpdateTrip request);

    @Delete("/trips/{id}")
    void cancel(TripId request);

    @OneWay
    @Post("/trips/{id}/pickup")
    void pickup(Pickup request);

    @Post("/trips/{id}/quote")
    CompletionStage<Quote> quote(TripId request);

    /** By convention: {@code POST /v1/trips/slow}. */
    Remaining slow(Slow request);
}
