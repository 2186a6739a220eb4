package dev.parley.http;

import dev.parley.CallContext;
import dev.parley.ErrorCode;
import dev.parley.ParleyException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory {@link Trips} that records what reached it. */
final class RecordingTrips implements Trips {

    final Map<String, Trip> trips = new ConcurrentHashMap<>();
    final BlockingQueue<Pickup> pickups = new LinkedBlockingQueue<>();
    final BlockingQueue<String> cancelled = new LinkedBlockingQueue<>();
    final CountDownLatch slowInterrupted = new CountDownLatch(1);
    private final AtomicInteger ids = new AtomicInteger();

    @Override
    public Trip get(TripId request) {
        Trip trip = trips.get(request.id());
        if (trip == null) {
            throw ParleyException.of(ErrorCode.NOT_FOUND, "trip " + request.id() + " not found", Map.of("tripId", request.id()));
        }
        return trip;
    }

    @Override
    public TripList find(FindTrips request) {
        List<Trip> found = new ArrayList<>();
        for (Trip t : trips.values()) {
            if (t.rider().equals(request.rider()) && t.seats() >= request.minSeats()) {
                found.add(t);
            }
        }
        return new TripList(request.rider(), request.minSeats(), request.tags(), found);
    }

    @Override
    public Trip create(CreateTrip request) {
        Trip trip = new Trip("t-" + ids.incrementAndGet(), request.rider(), request.seats(), "open");
        trips.put(trip.id(), trip);
        return trip;
    }

    @Override
    public Trip replace(UpdateTrip request) {
        Trip trip = new Trip(request.id(), request.rider(), request.seats(), "replaced");
        trips.put(trip.id(), trip);
        return trip;
    }

    @Override
    public Trip rename(UpdateTrip request) {
        Trip old = get(new TripId(request.id()));
        Trip trip = new Trip(old.id(), request.rider(), old.seats(), "renamed");
        trips.put(trip.id(), trip);
        return trip;
    }

    @Override
    public void cancel(TripId request) {
        trips.remove(request.id());
        cancelled.add(request.id());
    }

    @Override
    public void pickup(Pickup request) {
        pickups.add(request);
    }

    @Override
    public CompletionStage<Quote> quote(TripId request) {
        return CompletableFuture.supplyAsync(() -> new Quote(request.id(), 42 * request.id().length()));
    }

    @Override
    public Remaining slow(Slow request) {
        long remaining = CallContext.current().orElseThrow().remaining().toMillis();
        if (request.sleepMillis() > 0) {
            try {
                Thread.sleep(request.sleepMillis());
            } catch (InterruptedException e) {
                slowInterrupted.countDown();
                Thread.currentThread().interrupt();
                throw ParleyException.of(ErrorCode.CANCELLED, "interrupted");
            }
        }
        return new Remaining(remaining);
    }
}
