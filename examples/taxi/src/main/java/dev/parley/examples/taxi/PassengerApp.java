package dev.parley.examples.taxi;

import dev.parley.ClientOptions;
import dev.parley.Parley;
import dev.parley.ParleyClock;
import dev.parley.examples.taxi.Contracts.Location;
import dev.parley.examples.taxi.Contracts.PickupRequest;
import dev.parley.examples.taxi.Contracts.TripManagement;
import dev.parley.resilience.Fallback;
import dev.parley.resilience.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A simulated passenger app: sends one-way pickup requests to Trip Management over HTTP
 * ({@code POST /v1/pickups}, answered 202). When Trip Management cannot be reached, the
 * fallback keeps the request and the app sends it again on its next tick.
 */
final class PassengerApp implements AutoCloseable {

    private static final List<Location[]> ROUTES = List.of(
            new Location[] {new Location(52.5200, 13.4050), new Location(52.5096, 13.3759)},
            new Location[] {new Location(52.5251, 13.3694), new Location(52.4862, 13.4250)},
            new Location[] {new Location(52.5163, 13.3777), new Location(52.5450, 13.3550)});

    private final TripManagement trips;
    private final ParleyClock clock;
    private final Duration interval;
    private final Consumer<String> out;
    private final Queue<PickupRequest> unsent = new ConcurrentLinkedQueue<>();
    private final AtomicInteger sent = new AtomicInteger();
    private volatile ParleyClock.Cancellable next;
    private volatile boolean closed;

    PassengerApp(Parley runtime, Duration interval, Duration deadline, Consumer<String> out) {
        this.trips = runtime.client(TripManagement.class, ClientOptions.custom()
                .deadline(deadline)
                .retry(RetryPolicy.none())
                .method("requestPickup", m -> m.fallback(Fallback.call((request, failure) -> {
                    unsent.add((PickupRequest) request);
                    out.accept("passenger-app: trips unavailable (" + failure.code() + "); will ask again");
                    return null;
                })))
                .build());
        this.clock = runtime.clock();
        this.interval = interval;
        this.out = out;
    }

    /** Sends the first requests (one by a passenger who may not ride), then one per interval. */
    void start() {
        request(new PickupRequest("passenger-ada", ROUTES.get(0)[0], ROUTES.get(0)[1]));
        request(new PickupRequest("banned-bob", ROUTES.get(1)[0], ROUTES.get(1)[1]));
        schedule();
    }

    void request(PickupRequest request) {
        out.accept("passenger-app: " + request.passengerId() + " asks for a pickup");
        trips.requestPickup(request);
    }

    private void schedule() {
        if (interval.isZero() || closed) {
            return;
        }
        next = clock.schedule(interval, () -> {
            Thread.startVirtualThread(() -> {
                for (PickupRequest r; (r = unsent.poll()) != null; ) {
                    request(r);
                }
                int n = sent.incrementAndGet();
                Location[] route = ROUTES.get(n % ROUTES.size());
                request(new PickupRequest("passenger-" + n, route[0], route[1]));
                schedule();
            });
        });
    }

    @Override
    public void close() {
        closed = true;
        ParleyClock.Cancellable n = next;
        if (n != null) {
            n.cancel();
        }
    }
}
