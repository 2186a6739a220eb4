package dev.parley.examples.taxi;

import dev.parley.CallEvent;
import dev.parley.ClientOptions;
import dev.parley.Parley;
import dev.parley.examples.taxi.Contracts.Drivers;
import dev.parley.examples.taxi.Contracts.Fare;
import dev.parley.examples.taxi.Contracts.Location;
import dev.parley.examples.taxi.Contracts.Passengers;
import dev.parley.examples.taxi.Contracts.Payments;
import dev.parley.examples.taxi.Contracts.PickupRequest;
import dev.parley.examples.taxi.Contracts.Pricing;
import dev.parley.examples.taxi.Contracts.TripEvents;
import dev.parley.examples.taxi.Contracts.TripManagement;
import dev.parley.resilience.Fallback;
import dev.parley.resilience.RetryPolicy;
import dev.parley.transport.InProcessTransport;
import dev.parley.transport.Registration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The taxi-hailing showcase on Parley's embedded defaults: every service in one JVM on the
 * in-process transport, each with its own Parley runtime, talking in all five interaction
 * styles. It prints every call with its style, then takes the pricing service down to show the
 * circuit breaker opening and the fallback fare answering.
 *
 * <pre>
 *  passenger app --one-way--> trip management --request/response--> passengers, pricing
 *                                   |--publish TripCreated--> dispatcher --gather offers--> drivers
 *                                   |                             '--publish DriverProposed--> notifier
 *                                   '--request/async response--> payments
 * </pre>
 */
public final class TaxiShowcase implements AutoCloseable {

    private final Consumer<String> out;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<CallEvent> calls = new CopyOnWriteArrayList<>();
    private final List<Parley> runtimes = new ArrayList<>();
    private final InProcessTransport transport = InProcessTransport.create();
    private Registration pricingRegistration;
    private Parley tripManagement;
    private TripManagement app;

    public TaxiShowcase(Consumer<String> out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        try (TaxiShowcase showcase = new TaxiShowcase(System.out::println)) {
            showcase.start();
            showcase.hailTrips();
            showcase.pricingOutage();
            System.out.println();
            System.out.println("Done: " + showcase.calls().size() + " calls in 5 interaction styles. See README.md for what to try next.");
        }
    }

    /** Starts every service. */
    public void start() {
        say("== Starting the taxi services on the in-process transport ==");
        runtime("passengers").serve(Passengers.class, new Services.PassengerService());
        pricingRegistration = runtime("pricing").serve(Pricing.class, new Services.PricingService());
        Parley payments = runtime("payments");
        payments.serve(Payments.class, new Services.PaymentService(payments.clock()));
        runtime("driver").serve(Drivers.class, new Services.DriverApp("driver-17", 240, true));
        runtime("driver").serve(Drivers.class, new Services.DriverApp("driver-42", 90, true));
        runtime("driver").serve(Drivers.class, new Services.DriverApp("driver-7", 60, false));
        Parley dispatcher = runtime("dispatcher");
        dispatcher.subscribe(TripEvents.class, new Services.Dispatcher(dispatcher, this::say));
        runtime("notification").subscribe(TripEvents.class, new Services.Notifier(this::say));

        tripManagement = runtime("trip-management");
        Pricing pricing = tripManagement.client(Pricing.class, ClientOptions.custom()
                .method("quote", m -> m.retry(RetryPolicy.none()).fallback(Fallback.value(new Fare(1500, "flat-rate fallback"))))
                .build());
        tripManagement.serve(TripManagement.class, new Services.TripManagementService(tripManagement, pricing, this::say));
        app = runtime("passenger-app").client(TripManagement.class);
    }

    /** Act 1: two passengers hail a taxi; one is not allowed to ride. */
    public void hailTrips() throws InterruptedException {
        say("");
        say("== Act 1: passengers hail taxis ==");
        app.requestPickup(new PickupRequest("passenger-ada", new Location(52.5200, 13.4050), new Location(52.5096, 13.3759)));
        awaitLine(l -> l.startsWith("notification: trip-1"), 1);
        awaitLine(l -> l.startsWith("trip-management: payment for trip-1"), 1);
        app.requestPickup(new PickupRequest("banned-bob", new Location(52.5, 13.4), new Location(52.6, 13.5)));
        awaitLine(l -> l.contains("may not ride"), 1);
    }

    /** Act 2: the pricing service goes down; the breaker opens and the fallback fare answers. */
    public void pricingOutage() throws InterruptedException {
        say("");
        say("== Act 2: the pricing service goes down ==");
        pricingRegistration.close();
        for (int i = 0; i < 6; i++) {
            app.requestPickup(new PickupRequest("passenger-" + i, new Location(52.52, 13.40), new Location(52.50, 13.37)));
            int trip = i + 2;
            awaitLine(l -> l.startsWith("notification: trip-" + trip + ":"), 1);
            say("   circuit breaker in-process:pricing/v1 is "
                    + tripManagement.circuitBreakers().circuitBreaker("in-process:pricing/v1").getState());
        }
        awaitLine(l -> l.startsWith("trip-management: payment for trip-7"), 1);
    }

    private Parley runtime(String service) {
        Parley p = Parley.builder().service(service).transport(transport).listener(event -> onCall(service, event)).build();
        runtimes.add(p);
        return p;
    }

    private void onCall(String service, CallEvent event) {
        if (event.side() != CallEvent.Side.CLIENT) {
            return;
        }
        calls.add(event);
        say(String.format(Locale.ROOT, "   [%s] %s -> %s %s: %s%s (%.1f ms)", style(event), service, event.contract(), event.operation(),
                event.error().map(Enum::name).orElse("ok"), event.fallbackUsed() ? ", answered by fallback" : "",
                event.durationNanos() / 1e6));
    }

    private static String style(CallEvent event) {
        return switch (event.style()) {
            case REQUEST_RESPONSE -> "request/response";
            case REQUEST_ASYNC_RESPONSE -> "request/async response";
            case ONE_WAY -> "one-way";
            case PUBLISH_SUBSCRIBE -> "publish/subscribe";
            case PUBLISH_ASYNC_RESPONSES -> "publish/async responses";
        };
    }

    private void say(String line) {
        lines.add(line);
        out.accept(line);
    }

    private void awaitLine(Predicate<String> match, int count) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lines.stream().filter(match).count() < count) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the showcase stalled: expected a line that never came");
            }
            Thread.sleep(5);
        }
    }

    /** Every client-side call so far. */
    public List<CallEvent> calls() {
        return List.copyOf(calls);
    }

    /** Everything printed so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        runtimes.forEach(Parley::close);
        transport.close();
    }
}
