package dev.parley.examples.taxi;

import dev.parley.Parley;
import dev.parley.contract.ContractDescriptor;
import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.DiscoveryBackend;
import dev.parley.discovery.DiscoveryTransport;
import dev.parley.discovery.EmbeddedRegistry;
import dev.parley.discovery.EmbeddedRegistryBackend;
import dev.parley.discovery.ServiceAnnouncer;
import dev.parley.discovery.ServiceDirectory;
import dev.parley.discovery.etcd.EtcdDiscovery;
import dev.parley.examples.taxi.Contracts.Pricing;
import dev.parley.http.HttpTransport;
import dev.parley.messaging.kafka.KafkaTransport;
import dev.parley.messaging.nats.NatsTransport;
import dev.parley.messaging.rabbitmq.RabbitMqTransport;
import dev.parley.plugins.PluginEvent;
import dev.parley.plugins.PluginRepository;
import dev.parley.plugins.PluginTransport;
import dev.parley.rpc.RpcTransport;
import dev.parley.transport.AddressableTransport;
import dev.parley.transport.InProcessTransport;
import dev.parley.transport.TopicTransport;
import dev.parley.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where every transport of the showcase is made: which service is served on which transport
 * and port, and how each client finds its target. Servers announce themselves to the
 * registry ({@code taxi.discovery}: Parley's embedded registry or etcd), and HTTP and RPC
 * clients are {@link DiscoveryTransport}s that pick a ready instance per call; events and
 * gathers go over the broker, which needs no discovery.
 *
 * <pre>
 *  passenger app --HTTP--> trip management --HTTP + JWT--> passengers
 *                               |  \--RPC--> payments            \--plugin--> pricing
 *                               '--broker: TripCreated--> dispatcher --broker gather--> drivers
 *                                              DriverProposed <--'   notification --webhook--> partner
 * </pre>
 *
 * <p>A topology owns the transports, announcements and registry clients it made, and closes
 * them: announcements first (clients stop picking the instances), then the transports, last
 * made first. Servers are bound when made, so a port of 0 is known by the time it is announced.
 */
final class Topology implements AutoCloseable {

    /** A broker: the same object carries one-to-one calls (if any) and topics. */
    record Broker(Transport transport, TopicTransport topics) {}

    /**
     * A runtime's transport for one-to-one calls, and the name of the transport its calls really
     * go over ({@code http}, {@code rpc}, ...; a {@link DiscoveryTransport} only picks the instance).
     */
    record Calls(Transport transport, String wire) {}

    private final TaxiConfig config;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final List<ServiceAnnouncer> announced = new ArrayList<>();
    private Broker broker;
    private EmbeddedRegistry registry;
    private DiscoveryBackend backend;
    private ServiceDirectory directory;
    private int tripsPort = -1;
    private int passengersPort = -1;

    Topology(TaxiConfig config) {
        this.config = config;
    }

    TaxiConfig config() {
        return config;
    }

    /** The broker of this process; made once and shared by its runtimes. */
    synchronized Broker broker() {
        if (broker == null) {
            broker = switch (config.broker()) {
                case INPROCESS -> {
                    InProcessTransport t = InProcessTransport.create();
                    yield new Broker(t, t);
                }
                case RABBITMQ -> {
                    RabbitMqTransport t = RabbitMqTransport.builder().uri(config.rabbitMqUri()).build();
                    yield new Broker(t, t);
                }
                case NATS -> {
                    NatsTransport t = NatsTransport.builder().url(config.natsUrl()).build();
                    yield new Broker(t, t);
                }
                case KAFKA -> {
                    KafkaTransport t = KafkaTransport.builder().bootstrapServers(config.kafkaBootstrapServers()).build();
                    yield new Broker(t, t);
                }
            };
            owned.add(broker.transport());
        }
        return broker;
    }

    /** Trip Management's REST server. */
    synchronized HttpTransport tripsServer() {
        HttpTransport t = own(HttpTransport.builder().server(config.port("trips")).bindAddress(config.host()).build());
        tripsPort = t.port();
        return t;
    }

    /** A runtime's transport that serves on {@code server} and calls other services' instances through discovery. */
    synchronized Calls servingAndDiscovering(AddressableTransport server) {
        return new Calls(own(DiscoveryTransport.builder(server, directory()).build()), server.name());
    }

    synchronized HttpTransport passengersServer() {
        HttpTransport t = own(HttpTransport.builder().server(config.port("passengers")).bindAddress(config.host()).build());
        passengersPort = t.port();
        return t;
    }

    /** The passenger app's client of the trips API: HTTP, to an instance found through discovery. */
    synchronized Calls passengerAppClient() {
        return servingAndDiscovering(own(HttpTransport.builder().build()));
    }

    synchronized RpcTransport paymentsServer() {
        return own(RpcTransport.builder().server(config.port("payments")).bindAddress(config.host()).build());
    }

    /** Trip Management's client of Payments: binary RPC, to an instance found through discovery. */
    synchronized Calls paymentsClient() {
        return servingAndDiscovering(own(RpcTransport.builder().build()));
    }

    /** The registry of the all-in-one application (or of {@code taxi.role=registry}), for {@code taxi.discovery=embedded}. */
    synchronized EmbeddedRegistry startRegistry() {
        registry = own(EmbeddedRegistry.builder().port(config.port("registry")).bindAddress(config.host()).start());
        return registry;
    }

    /** The embedded registry this process runs, if it runs one. */
    synchronized java.util.Optional<EmbeddedRegistry> registry() {
        return java.util.Optional.ofNullable(registry);
    }

    /** The broker of this process, if one was made. */
    synchronized java.util.Optional<Broker> brokerIfMade() {
        return java.util.Optional.ofNullable(broker);
    }

    /** Makes {@code runtime}'s instance serving {@code contract} on {@code transport} known to the registry. */
    synchronized void announce(Parley runtime, Class<?> contract, AddressableTransport transport) {
        announced.add(ServiceAnnouncer.builder(backend(), runtime).contract(contract).transport(transport)
                .advertisedHost(config.host()).announce());
    }

    /**
     * Waits up to {@code patience} until some instance of {@code contract} is ready; false when
     * none came (its clients' fallbacks answer until one does).
     */
    boolean awaitInstance(Class<?> contract, Duration patience) throws InterruptedException {
        ContractDescriptor d = ContractDescriptor.of(contract);
        ContractVersion version = new ContractVersion(d.name(), d.version().major());
        long end = System.nanoTime() + patience.toNanos();
        while (directory().instances(version).isEmpty()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** Where instances are registered and looked up. */
    synchronized String discoveryDescription() {
        return switch (config.discovery()) {
            case EMBEDDED -> "embedded registry at " + registryUrl();
            case ETCD -> "etcd at " + String.join(",", config.etcdEndpoints());
        };
    }

    private synchronized DiscoveryBackend backend() {
        if (backend == null) {
            backend = own(switch (config.discovery()) {
                case EMBEDDED -> EmbeddedRegistryBackend.builder(registryUrl()).build();
                case ETCD -> EtcdDiscovery.builder().endpoints(config.etcdEndpoints().toArray(String[]::new)).build();
            });
        }
        return backend;
    }

    private synchronized ServiceDirectory directory() {
        if (directory == null) {
            directory = own(ServiceDirectory.create(backend()));
        }
        return directory;
    }

    private String registryUrl() {
        return registry != null ? registry.url() : "http://" + config.host() + ":" + port(-1, "registry");
    }

    /** Deregisters every instance this process announced: clients stop picking them while in-flight calls finish. */
    synchronized void withdraw() {
        announced.forEach(ServiceAnnouncer::close);
        announced.clear();
    }

    /** The pricing plugin, loaded from the watched folder. */
    synchronized PluginTransport pricingPlugins(Consumer<PluginEvent> events) {
        return own(PluginTransport.builder(Pricing.class)
                .repository(PluginRepository.folder(config.pluginsDir()))
                .pollInterval(config.pluginPollInterval())
                .listener(events)
                .build());
    }

    synchronized String tripsUrl() {
        return "http://" + config.host() + ":" + port(tripsPort, "trips");
    }

    synchronized String passengersUrl() {
        return "http://" + config.host() + ":" + port(passengersPort, "passengers");
    }

    private int port(int bound, String service) {
        if (bound >= 0) {
            return bound;
        }
        int configured = config.port(service);
        if (configured == 0) {
            throw new IllegalStateException("taxi." + service + ".port is 0 (any free port) but " + service
                    + " is not served in this process (expected: a fixed port to reach it at)");
        }
        return configured;
    }

    private <T extends AutoCloseable> T own(T transport) {
        owned.add(transport);
        return transport;
    }

    /** Closes every transport this topology made, servers last-made first. */
    @Override
    public synchronized void close() {
        withdraw();
        List<AutoCloseable> reversed = new ArrayList<>(owned);
        java.util.Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
        owned.clear();
    }
}
