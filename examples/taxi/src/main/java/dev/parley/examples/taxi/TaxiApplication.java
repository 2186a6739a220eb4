package dev.parley.examples.taxi;

import com.nimbusds.jose.jwk.ECKey;
import dev.parley.ClientOptions;
import dev.parley.Parley;
import dev.parley.examples.taxi.Contracts.Demo;
import dev.parley.examples.taxi.Contracts.DemoStatus;
import dev.parley.examples.taxi.Contracts.Drivers;
import dev.parley.examples.taxi.Contracts.Empty;
import dev.parley.examples.taxi.Contracts.Fare;
import dev.parley.examples.taxi.Contracts.PassengerStatus;
import dev.parley.examples.taxi.Contracts.Passengers;
import dev.parley.examples.taxi.Contracts.PaymentAuthorized;
import dev.parley.examples.taxi.Contracts.Payments;
import dev.parley.examples.taxi.Contracts.Pricing;
import dev.parley.examples.taxi.Contracts.TripEvents;
import dev.parley.examples.taxi.Contracts.TripManagement;
import dev.parley.examples.taxi.Contracts.VerifyPassenger;
import dev.parley.examples.taxi.Contracts.AuthorizePayment;
import dev.parley.examples.taxi.TaxiConfig.DriverSpec;
import dev.parley.examples.taxi.TaxiConfig.Role;
import dev.parley.http.HttpTransport;
import dev.parley.jwt.JwtAuthenticator;
import dev.parley.jwt.ServiceToken;
import dev.parley.jwt.TokenIssuer;
import dev.parley.plugins.PluginEvent;
import dev.parley.plugins.PluginTransport;
import dev.parley.resilience.BreakerPolicy;
import dev.parley.resilience.Fallback;
import dev.parley.resilience.RetryPolicy;
import dev.parley.rpc.RpcTransport;
import dev.parley.transport.Registration;
import dev.parley.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The taxi-hailing application: each service with its own Parley runtime(s), on the transport
 * the design gives it (see {@link Topology}). One instance runs the parts of one process: all
 * of them for the one-command demo ({@link Role#ALL}), or one service when the services run
 * as separate processes.
 *
 * <p>A service that calls over several transports has one runtime per transport (Trip
 * Management: HTTP, binary RPC, the pricing plugin); every runtime reports its calls to the
 * {@link CallLog} with its transport's name.
 */
public final class TaxiApplication implements AutoCloseable {

    /** The breaker every client starts with: opens at half of at least 4 calls failing, for 10 s. */
    static final BreakerPolicy BREAKER = BreakerPolicy.custom().failureRateThreshold(50).minimumCalls(4)
            .waitInOpen(Duration.ofSeconds(10)).build();
    static final Fare FLAT_RATE = new Fare(1500, "flat-rate fallback");

    private final TaxiConfig config;
    private final Topology topology;
    private final Consumer<String> out;
    private final RuntimeObserver observer;
    private final CallLog calls = new CallLog();
    private final java.util.ArrayDeque<String> lines = new java.util.ArrayDeque<>();
    private final Map<String, List<Parley>> runtimes = new LinkedHashMap<>();
    private final List<AutoCloseable> parts = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private PartnerReceiver partner;
    private Services.Dispatcher dispatcher;
    private DriverFleet fleet;
    private PluginTransport pricingPlugins;
    private NotificationService notification;
    private PassengerApp passengerApp;

    private TaxiApplication(TaxiConfig config, Consumer<String> out, RuntimeObserver observer) {
        this.config = config;
        this.topology = new Topology(config);
        this.out = out;
        this.observer = observer;
    }

    /** Starts the parts of {@code config.role()}; closes what it started if a part fails. */
    public static TaxiApplication start(TaxiConfig config, Consumer<String> out) {
        return start(config, out, RuntimeObserver.NONE);
    }

    /**
     * Starts the parts of {@code config.role()}, showing every runtime to {@code observer} (e.g.
     * the operations console); closes what it started if a part fails.
     */
    public static TaxiApplication start(TaxiConfig config, Consumer<String> out, RuntimeObserver observer) {
        TaxiApplication app = new TaxiApplication(config, out, observer);
        try {
            app.startParts();
            return app;
        } catch (RuntimeException | InterruptedException e) {
            app.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException("interrupted while starting", e);
        }
    }

    private void startParts() throws InterruptedException {
        Role role = config.role();
        boolean all = role == Role.ALL;
        if (all && config.broker() == TaxiConfig.Broker.INPROCESS) {
            say("broker: in-process (embedded); set taxi.broker=rabbitmq, kafka or nats to use a real one");
        } else if (role != Role.PARTNER && role != Role.PASSENGER_APP && role != Role.PASSENGERS && role != Role.PAYMENTS
                && role != Role.REGISTRY) {
            if (config.broker() == TaxiConfig.Broker.INPROCESS) {
                throw new IllegalArgumentException("taxi.broker: 'inprocess' (expected: rabbitmq, kafka or nats when the services run as "
                        + "separate processes; the in-process broker only connects services of one process) for taxi.role="
                        + role.label());
            }
            say("broker: " + config.broker().name().toLowerCase(java.util.Locale.ROOT));
        }
        if ((all || role == Role.REGISTRY) && config.discovery() == TaxiConfig.Discovery.EMBEDDED) {
            topology.startRegistry();
        } else if (role == Role.REGISTRY) {
            throw new IllegalArgumentException("taxi.role: 'registry' (expected: taxi.discovery=embedded; with etcd, etcd is the registry)");
        }
        if (role != Role.PARTNER && role != Role.DRIVERS && role != Role.DISPATCHER && role != Role.NOTIFICATION) {
            say("discovery: " + topology.discoveryDescription());
        }
        if (all || role == Role.PASSENGERS) {
            startPassengers();
        }
        if (all || role == Role.PAYMENTS) {
            startPayments();
        }
        if (all) {
            partner = own(PartnerReceiver.bind(config.host(), config.port("partner"), this::say));
        }
        if (all || role == Role.NOTIFICATION) {
            String url = partner != null ? partner.url() : "http://" + config.host() + ":" + config.port("partner") + PartnerReceiver.PATH;
            notification = own(NotificationService.start(topology.broker().topics(), config.dataDir(), url, this::say));
            if (partner != null) {
                partner.accept(notification.partnerSecret());
            }
            Parley notifier = runtime("notification", topology.broker().transport(), true);
            notifier.subscribe(TripEvents.class, new Services.Notifier(this::say));
            observer.observe(notifier, TripEvents.class);
            say("notification: delivering trip events by webhook to " + url);
        }
        if (role == Role.PARTNER) {
            partner = own(PartnerReceiver.bind(config.host(), config.port("partner"), this::say));
            partner.accept(NotificationService.readSecret(config.dataDir(), Duration.ofSeconds(60)));
            say("partner: receiving webhooks at " + partner.url());
        }
        if (all || role == Role.DRIVERS) {
            fleet = own(new DriverFleet(config.drivers(), this::driverRuntime));
            fleet.start();
        }
        if (all || role == Role.DISPATCHER) {
            Parley runtime = runtime("dispatcher", topology.broker().transport(), true);
            TripEvents events = runtime.publisher(TripEvents.class, ClientOptions.custom().deadline(config.deadline("events"))
                    .circuitBreaker(BREAKER).build());
            dispatcher = new Services.Dispatcher(runtime, events, config.offerWindow(), config.breakerWait(), this::say);
            runtime.subscribe(TripEvents.class, dispatcher);
            observer.observe(runtime, TripEvents.class);
        }
        if (all || role == Role.TRIP_MANAGEMENT) {
            startTripManagement(all);
        }
        if (all || role == Role.PASSENGER_APP) {
            Parley appRuntime = runtime("passenger-app", topology.passengerAppClient(), false);
            awaitInstance(TripManagement.class);
            passengerApp = own(new PassengerApp(appRuntime, config.passengerAppInterval(), config.deadline("trips"), this::say));
            observer.observe(appRuntime);
        }
    }

    private void startPassengers() {
        ECKey key = ServiceKeys.loadOrCreate(config.dataDir().resolve("service-token-key.jwk"));
        JwtAuthenticator jwt = ServiceKeys.authenticator(config.tokenIssuer(), key);
        HttpTransport http = topology.passengersServer();
        Parley runtime = Parley.builder().service("passengers").transport(http).authenticator(jwt)
                .listener(calls.listener("passengers", http.name(), "none")).listener(observer.listener("passengers")).build();
        register("passengers", runtime);
        runtime.serve(Passengers.class, new Services.PassengerService());
        topology.announce(runtime, Passengers.class, http);
        observer.observe(runtime, Passengers.class);
        say("passengers: HTTP on " + topology.passengersUrl() + " (service tokens with scope " + ServiceKeys.SCOPE + ")");
    }

    private void startPayments() {
        RpcTransport rpc = topology.paymentsServer();
        Parley runtime = runtime("payments", rpc, false);
        runtime.serve(Payments.class, new Services.PaymentService(runtime.clock()));
        topology.announce(runtime, Payments.class, rpc);
        observer.observe(runtime, Payments.class);
        say("payments: binary RPC on " + config.host() + ":" + rpc.port());
    }

    private void startTripManagement(boolean withDemo) throws InterruptedException {
        ECKey key = ServiceKeys.loadOrCreate(config.dataDir().resolve("service-token-key.jwk"));
        TokenIssuer issuer = ServiceKeys.issuer(config.tokenIssuer(), key);
        ServiceToken token = ServiceToken.of(issuer, "trip-management", ServiceKeys.AUDIENCE, Set.of(ServiceKeys.SCOPE), Duration.ofMinutes(10));

        // Pricing: the plugin from the watched folder; version 1 is put there on first start.
        PricingPlugins.installFirstVersion(config.pluginsDir());
        Path v2 = PricingPlugins.publish(PricingPlugins.Release.V2, config.dataDir().resolve("plugin-drop"));
        pricingPlugins = topology.pricingPlugins(this::onPluginEvent);
        Parley pricingRuntime = runtime("trip-management", pricingPlugins, false);
        Pricing pricing = pricingRuntime.client(Pricing.class, ClientOptions.custom()
                .circuitBreaker(BREAKER).retry(RetryPolicy.none())
                .method("quote", m -> m.deadline(config.deadline("pricing")).fallback(Fallback.value(FLAT_RATE)))
                .build());

        // Payments over binary RPC: when it cannot answer, the payment is deferred, not lost.
        Parley rpcRuntime = runtime("trip-management", topology.paymentsClient(), false);
        awaitInstance(Payments.class);
        Payments payments = rpcRuntime.client(Payments.class, ClientOptions.custom()
                .deadline(config.deadline("payments")).circuitBreaker(BREAKER)
                .method("authorize", m -> m.fallback(Fallback.call((request, failure) ->
                        new PaymentAuthorized(((AuthorizePayment) request).tripId(), false, "deferred: " + failure.code()))))
                .build());

        // The REST server, which also calls the Passenger service over HTTP, and publishes on the broker.
        HttpTransport http = topology.tripsServer();
        Parley runtime = runtime("trip-management", topology.servingAndDiscovering(http), true);
        awaitInstance(Passengers.class);
        Passengers passengers = runtime.client(Passengers.class, ClientOptions.custom()
                .deadline(config.deadline("passengers")).circuitBreaker(BREAKER)
                .method("verify", m -> m.fallback(Fallback.call((request, failure) ->
                        // Degraded mode: ride now, check later; an answer (403, 401) is never overridden.
                        new PassengerStatus(((VerifyPassenger) request).passengerId(), true, "UNVERIFIED"))))
                .build());
        TripEvents events = runtime.publisher(TripEvents.class, ClientOptions.custom().deadline(config.deadline("events"))
                .circuitBreaker(BREAKER).build());
        Services.TripManagementService service = new Services.TripManagementService(passengers, token, pricing, payments, events,
                runtime.clock(), this::say);
        runtime.serve(TripManagement.class, service);
        runtime.subscribe(TripEvents.class, service);
        topology.announce(runtime, TripManagement.class, http);
        if (withDemo) {
            runtime.serve(Demo.class, new DemoControls());
            observer.observe(runtime, TripManagement.class, TripEvents.class, Demo.class);
        } else {
            observer.observe(runtime, TripManagement.class, TripEvents.class);
        }
        observer.observe(pricingRuntime);
        observer.observe(rpcRuntime);
        say("trip-management: REST API on " + topology.tripsUrl() + "/v1/trips (OpenAPI: " + topology.tripsUrl() + "/v1/openapi.json)");
        say("pricing: plugin folder " + config.pluginsDir().toAbsolutePath() + ", running "
                + pricingPlugins.currentVersion().map(Object::toString).orElse("no version yet"));
        say("pricing: to change fares without a restart: cp " + v2.toAbsolutePath() + " " + config.pluginsDir().toAbsolutePath() + "/");
    }

    private Parley driverRuntime(DriverSpec driver) {
        Transport broker = topology.broker().transport();
        Parley runtime = runtime("driver", new Topology.Calls(broker, broker.name()), Optional.of(driver.id()), true);
        observer.observe(runtime, Drivers.class);
        return runtime;
    }

    private Parley runtime(String service, Transport transport, boolean usesTopics) {
        return runtime(service, new Topology.Calls(transport, transport.name()), Optional.empty(), usesTopics);
    }

    private Parley runtime(String service, Topology.Calls calls, boolean usesTopics) {
        return runtime(service, calls, Optional.empty(), usesTopics);
    }

    private void awaitInstance(Class<?> contract) throws InterruptedException {
        if (!topology.awaitInstance(contract, Duration.ofSeconds(30))) {
            say("discovery: no instance of " + dev.parley.contract.ContractDescriptor.of(contract).address()
                    + " yet; its fallback answers until one registers");
        }
    }

    /**
     * A runtime of {@code service} whose one-to-one calls go over {@code transport} and, when it
     * {@code usesTopics}, whose events and gathers go over this process's broker.
     */
    private Parley runtime(String service, Topology.Calls calls, Optional<String> instance, boolean usesTopics) {
        Transport transport = calls.transport();
        Parley.Builder b = Parley.builder().service(service).transport(transport);
        instance.ifPresent(b::instanceId);
        String topics = "none";
        if (usesTopics) {
            Topology.Broker broker = topology.broker();
            if (transport != broker.transport()) {
                b.topics(broker.topics());
            }
            topics = broker.transport().name();
        }
        Parley p = b.listener(this.calls.listener(service, calls.wire(), topics)).listener(observer.listener(service)).build();
        register(service, p);
        return p;
    }

    private void register(String service, Parley runtime) {
        synchronized (runtimes) {
            runtimes.computeIfAbsent(service, s -> new ArrayList<>()).add(runtime);
        }
    }

    private void onPluginEvent(PluginEvent event) {
        switch (event) {
            case PluginEvent.Activated a -> say("pricing: plugin " + a.version() + " active"
                    + a.previous().map(p -> " (was " + p + ")").orElse(""));
            case PluginEvent.Rejected r -> say("pricing: plugin " + r.artifact() + " rejected: " + r.reason() + " " + r.message());
            default -> { }
        }
    }

    /** Sends the passenger app's first requests and starts its timer (if this process runs it). */
    public void startPassengerApp() {
        if (passengerApp != null) {
            passengerApp.start();
        }
    }

    // ---- what the console, the tests and the demo controls look at ----

    public TaxiConfig config() {
        return config;
    }

    /** Every call of this process's runtimes. */
    public CallLog calls() {
        return calls;
    }

    /** The Parley runtimes of this process, by service name (Trip Management has one per transport). */
    public Map<String, List<Parley>> runtimes() {
        synchronized (runtimes) {
            Map<String, List<Parley>> copy = new LinkedHashMap<>();
            runtimes.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return copy;
        }
    }

    /** What the application printed (the newest {@value CallLog#MAX_CALLS} lines), oldest first. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The base URL of the trips API, when this process serves it. */
    public Optional<String> tripsUrl() {
        return runtimes().containsKey("trip-management") ? Optional.of(topology.tripsUrl()) : Optional.empty();
    }

    String passengersUrl() {
        return topology.passengersUrl();
    }

    Optional<PartnerReceiver> partner() {
        return Optional.ofNullable(partner);
    }

    Optional<Services.Dispatcher> dispatcher() {
        return Optional.ofNullable(dispatcher);
    }

    Optional<DriverFleet> fleet() {
        return Optional.ofNullable(fleet);
    }

    Optional<NotificationService> notification() {
        return Optional.ofNullable(notification);
    }

    Topology topology() {
        return topology;
    }

    Optional<PluginTransport> pricingPlugins() {
        return Optional.ofNullable(pricingPlugins);
    }

    /** The operator controls of the all-in-one demo ({@code /v1/demo/...}). */
    private final class DemoControls implements Demo {
        @Override
        public DemoStatus status(Empty request) {
            return new DemoStatus(fleet != null && fleet.online(),
                    dispatcher == null ? "n/a" : dispatcher.breaker().getState().name(),
                    pricingPlugins.currentVersion().map(Object::toString).orElse("none"));
        }

        @Override
        public DemoStatus stopDrivers(Empty request) {
            fleet.stop();
            say("demo: every driver went offline");
            return status(request);
        }

        @Override
        public DemoStatus startDrivers(Empty request) {
            fleet.start();
            say("demo: the drivers are back");
            return status(request);
        }
    }

    private void say(String line) {
        synchronized (lines) {
            if (lines.size() == CallLog.MAX_CALLS) {
                lines.removeFirst();
            }
            lines.addLast(line);
        }
        out.accept(line);
    }

    private <T extends AutoCloseable> T own(T part) {
        parts.add(part);
        return part;
    }

    /** Deregisters this process's instances, stops the passenger app and the other parts, then every runtime, then the transports. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        topology.withdraw();
        List<AutoCloseable> reversed = new ArrayList<>(parts);
        java.util.Collections.reverse(reversed);
        for (AutoCloseable part : reversed) {
            closeQuietly(part);
        }
        runtimes().values().stream().flatMap(List::stream).forEach(TaxiApplication::closeQuietly);
        topology.close();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("closing " + c + ": " + e);
        }
    }

    /** The drivers of this process, each a gather responder with its own runtime; they can go offline and come back. */
    static final class DriverFleet implements AutoCloseable {
        private final List<DriverSpec> drivers;
        private final java.util.function.Function<DriverSpec, Parley> runtimes;
        private final Map<DriverSpec, Parley> started = new LinkedHashMap<>();
        private final List<Registration> online = new ArrayList<>();

        DriverFleet(List<DriverSpec> drivers, java.util.function.Function<DriverSpec, Parley> runtimes) {
            this.drivers = drivers;
            this.runtimes = runtimes;
        }

        synchronized void start() {
            if (!online.isEmpty()) {
                return;
            }
            for (DriverSpec d : drivers) {
                online.add(started.computeIfAbsent(d, runtimes).serve(Drivers.class, new Services.DriverApp(d.id(), d.etaSeconds(), d.onDuty())));
            }
        }

        synchronized void stop() {
            online.forEach(Registration::close);
            online.clear();
        }

        synchronized boolean online() {
            return !online.isEmpty();
        }

        @Override
        public void close() {
            stop();
        }
    }
}
