package dev.parley.examples.taxi;

import dev.parley.CallListener;
import dev.parley.Parley;
import dev.parley.console.ConsoleGauge;
import dev.parley.console.ConsoleSection;
import dev.parley.console.ConsoleSource;
import dev.parley.console.ConsoleSources;
import dev.parley.console.OperationsConsole;
import dev.parley.discovery.ServiceInstance;
import dev.parley.plugins.PluginTransport;
import dev.parley.transport.InProcessTransport;
import dev.parley.webhooks.Delivery;
import dev.parley.webhooks.DeliveryStatus;
import dev.parley.webhooks.Endpoint;
import dev.parley.webhooks.Webhooks;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The showcase's operations console: an {@link OperationsConsole} that watches every runtime the
 * application builds, plus sections for what lives outside Parley's core: the instances in the
 * embedded registry, the in-process broker's dead letters, webhook deliveries and retries, and
 * the pricing plugin's version and deployment window.
 */
final class OperationsView implements RuntimeObserver, AutoCloseable {

    /** Deliveries per endpoint the webhook section counts (the newest ones). */
    static final int DELIVERIES_COUNTED = 500;
    private final OperationsConsole console;
    private final AtomicReference<TaxiApplication> app;

    private OperationsView(OperationsConsole console, AtomicReference<TaxiApplication> app) {
        this.console = console;
        this.app = app;
    }

    /** A console on {@code host:port} (0: any free port), not yet serving; {@link #start} it with the application. */
    static OperationsView create(String host, int port) {
        // The sections read the application, which exists only after its runtimes (observed by this view) were built.
        AtomicReference<TaxiApplication> app = new AtomicReference<>();
        OperationsConsole console = OperationsConsole.builder()
                .title("Taxi operations")
                .host(host)
                .port(port)
                .source(whenRunning(app, "Discovery: embedded registry", OperationsView::instances))
                .source(whenRunning(app, "Pricing plugin", OperationsView::plugin))
                .source(whenRunning(app, "Webhook deliveries", OperationsView::webhooks))
                .source(whenRunning(app, "Queue depths", OperationsView::queueDepths))
                .source(whenRunning(app, "Dead letters", OperationsView::deadLetters))
                .build();
        return new OperationsView(console, app);
    }

    /** Serves the console for {@code application}; returns where it is. */
    URI start(TaxiApplication application) {
        app.set(application);
        console.start();
        return console.uri();
    }

    @Override
    public CallListener listener(String service) {
        return console.listener(service);
    }

    @Override
    public void observe(Parley runtime, Class<?>... servedContracts) {
        console.observe(runtime, servedContracts);
    }

    @Override
    public void close() {
        console.close();
    }

    private static ConsoleSource whenRunning(AtomicReference<TaxiApplication> app, String title,
                                             Function<TaxiApplication, ConsoleSection> section) {
        return () -> {
            TaxiApplication running = app.get();
            return running == null ? ConsoleSection.builder(title).note("starting").build() : section.apply(running);
        };
    }

    private static ConsoleSection instances(TaxiApplication app) {
        ConsoleSection.Builder section = ConsoleSection.builder("Discovery: embedded registry")
                .columns("service", "instance", "contracts", "addresses", "ready");
        app.topology().registry().ifPresentOrElse(registry -> {
            List<ServiceInstance> instances = registry.instances().stream()
                    .sorted(Comparator.comparing(ServiceInstance::service).thenComparing(ServiceInstance::id)).toList();
            for (ServiceInstance instance : instances) {
                section.row(instance.service(), instance.id(),
                        instance.contracts().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")),
                        instance.addresses().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).sorted()
                                .collect(Collectors.joining(", ")),
                        instance.ready() ? "ready" : "not ready");
            }
            section.gauge(ConsoleGauge.of("instances", instances.size()));
            section.note("registry at " + registry.url());
        }, () -> section.note("this process runs no embedded registry (taxi.discovery=" + app.config().discovery().name().toLowerCase(java.util.Locale.ROOT) + ")"));
        return section.build();
    }

    private static ConsoleSection plugin(TaxiApplication app) {
        ConsoleSection.Builder section = ConsoleSection.builder("Pricing plugin").columns("plugin", "version", "deployment window");
        app.pricingPlugins().ifPresentOrElse((PluginTransport plugins) -> section.row(plugins.name(),
                plugins.currentVersion().map(Object::toString).orElse("none loaded"),
                plugins.withinDeploymentWindow() ? "open: swaps allowed" : "closed"), () -> section.note("no pricing plugin in this process"));
        return section.build();
    }

    private static ConsoleSection webhooks(TaxiApplication app) {
        ConsoleSection.Builder section = ConsoleSection.builder("Webhook deliveries")
                .columns("endpoint", "status", "delivered", "retrying", "failed", "attempts");
        app.notification().map(NotificationService::webhooks).ifPresentOrElse((Webhooks webhooks) -> {
            long retrying = 0;
            for (Endpoint endpoint : webhooks.endpoints()) {
                List<Delivery> deliveries = webhooks.deliveries(endpoint.id(), DELIVERIES_COUNTED);
                Map<DeliveryStatus, Long> byStatus = deliveries.stream()
                        .collect(Collectors.groupingBy(Delivery::status, Collectors.counting()));
                long pendingRetries = deliveries.stream().filter(d -> d.status() == DeliveryStatus.PENDING && d.attempts() > 0).count();
                retrying += pendingRetries;
                section.row(endpoint.url().toString(), endpoint.status().name().toLowerCase(),
                        String.valueOf(byStatus.getOrDefault(DeliveryStatus.DELIVERED, 0L)), String.valueOf(pendingRetries),
                        String.valueOf(byStatus.getOrDefault(DeliveryStatus.FAILED, 0L)),
                        String.valueOf(deliveries.stream().mapToInt(Delivery::attempts).sum()));
            }
            section.gauge(ConsoleGauge.of("deliveries retrying", retrying));
            section.note("the newest " + DELIVERIES_COUNTED + " deliveries per endpoint");
        }, () -> section.note("no webhook publisher in this process"));
        return section.build();
    }

    /** The subscriptions of the showcase's services to trip events (their groups are the services' names). */
    private static final List<ConsoleSources.Subscription> SUBSCRIPTIONS = List.of(
            ConsoleSources.Subscription.events(Contracts.TripEvents.class, "trip-management"),
            ConsoleSources.Subscription.events(Contracts.TripEvents.class, "dispatcher"),
            ConsoleSources.Subscription.events(Contracts.TripEvents.class, "notification"));

    private static ConsoleSection queueDepths(TaxiApplication app) {
        return app.topology().brokerIfMade()
                .filter(broker -> broker.transport() instanceof InProcessTransport)
                .map(broker -> ConsoleSources.queueDepths((InProcessTransport) broker.transport(), SUBSCRIPTIONS).read())
                .orElseGet(() -> ConsoleSection.builder("Queue depths")
                        .note("queue depths live in the broker's own management tools for " + app.config().broker().name().toLowerCase(java.util.Locale.ROOT))
                        .build());
    }

    private static ConsoleSection deadLetters(TaxiApplication app) {
        return app.topology().brokerIfMade()
                .filter(broker -> broker.transport() instanceof InProcessTransport)
                .map(broker -> ConsoleSources.deadLetters((InProcessTransport) broker.transport()).read())
                .orElseGet(() -> ConsoleSection.builder("Dead letters")
                        .note("the broker keeps its dead letters in its own dead-letter channels (see docs/messaging.md)").build());
    }
}
