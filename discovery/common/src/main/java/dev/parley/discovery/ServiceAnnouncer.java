package dev.parley.discovery;

import dev.parley.Parley;
import dev.parley.contract.ContractDescriptor;
import dev.parley.transport.AddressableTransport;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Makes a running service instance known to a registry: the contract versions it serves, the
 * address of each of its transports and its metadata, registered through a
 * {@link DiscoveryBackend} lease that is kept alive until {@link #close()} deregisters it.
 *
 * <pre>{@code
 * HttpTransport http = HttpTransport.builder().server(0).build();
 * Parley trips = Parley.builder().service("trip-management").transport(http).build();
 * trips.serve(TripService.class, new TripManagement());
 * ServiceAnnouncer announcer = ServiceAnnouncer.builder(backend, trips)
 *         .contract(TripService.class).transport(http).advertisedHost("10.0.0.7").zone("eu-west-1a")
 *         .announce();
 * ...
 * announcer.ready(false);   // stop getting new calls, e.g. while warming up or before shutdown
 * announcer.close();        // deregister first, then close the runtime and its transports
 * }</pre>
 *
 * <p>On graceful shutdown, close the announcer first: clients stop picking the instance once
 * their watch sees it gone. Give them a moment, then close the transports (they drain in-flight
 * calls and answer late ones with 503, which clients retry elsewhere), then the runtime.
 */
public final class ServiceAnnouncer implements AutoCloseable {

    private final DiscoveryBackend.Lease lease;
    private volatile ServiceInstance instance;

    private ServiceAnnouncer(DiscoveryBackend.Lease lease, ServiceInstance instance) {
        this.lease = lease;
        this.instance = instance;
    }

    /** Announces the runtime {@code parley}: its service name and instance id. */
    public static Builder builder(DiscoveryBackend backend, Parley parley) {
        String source = parley.source();
        return new Builder(backend, parley.service(), source.substring(source.indexOf('/') + 1));
    }

    /** Announces an instance named explicitly. */
    public static Builder builder(DiscoveryBackend backend, String service, String instanceId) {
        return new Builder(backend, service, instanceId);
    }

    /** The instance as registered (with its current readiness). */
    public ServiceInstance instance() {
        return instance;
    }

    /** Publishes a readiness change: a not-ready instance stays registered but gets no new calls. */
    public void ready(boolean value) {
        instance = instance.withReady(value);
        lease.ready(value);
    }

    DiscoveryBackend.Lease lease() {
        return lease;
    }

    /** Deregisters the instance. Idempotent. */
    @Override
    public void close() {
        lease.close();
    }

    @Override
    public String toString() {
        return "ServiceAnnouncer(" + instance.id() + " " + instance.contracts() + " at " + instance.addresses() + ")";
    }

    /** What to announce. */
    public static final class Builder {
        private final DiscoveryBackend backend;
        private final String service;
        private final String instanceId;
        private final Set<ContractVersion> contracts = new LinkedHashSet<>();
        private final Map<String, AddressableTransport> transports = new LinkedHashMap<>();
        private final Map<String, String> addresses = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private String advertisedHost = "127.0.0.1";
        private boolean ready = true;

        private Builder(DiscoveryBackend backend, String service, String instanceId) {
            this.backend = Objects.requireNonNull(backend, "backend");
            this.service = Objects.requireNonNull(service, "service");
            this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        }

        /** A contract the instance serves, announced with its major version. */
        public Builder contract(Class<?> contract) {
            ContractDescriptor d = ContractDescriptor.of(contract);
            contracts.add(new ContractVersion(d.name(), d.version().major()));
            return this;
        }

        /** A transport the instance serves on, announced under its {@link AddressableTransport#name()}. */
        public Builder transport(AddressableTransport transport) {
            return transport(transport.name(), transport);
        }

        /** A transport announced under {@code name}, the key clients' {@link DiscoveryTransport}s look for. */
        public Builder transport(String name, AddressableTransport transport) {
            transports.put(requireText("transport name", name), Objects.requireNonNull(transport, "transport"));
            return this;
        }

        /** An address given as is, for a server Parley does not run (e.g. behind a proxy). */
        public Builder address(String transportName, String address) {
            addresses.put(requireText("transport name", transportName), requireText("address", address));
            return this;
        }

        /** The host clients reach this machine at; default {@code 127.0.0.1} (one machine). */
        public Builder advertisedHost(String value) {
            this.advertisedHost = requireText("advertisedHost", value);
            return this;
        }

        /** Metadata {@link ServiceInstance#ZONE}. */
        public Builder zone(String value) {
            return metadata(ServiceInstance.ZONE, value);
        }

        /** Metadata {@link ServiceInstance#WEIGHT}: relative share of calls, 1..9999 (default 1). */
        public Builder weight(int value) {
            if (value < 1 || value > 9999) {
                throw new IllegalArgumentException("weight: " + value + " (expected: 1..9999) for instance " + instanceId);
            }
            return metadata(ServiceInstance.WEIGHT, Integer.toString(value));
        }

        public Builder metadata(String key, String value) {
            metadata.put(requireText("metadata key", key), requireText("metadata " + key, value));
            return this;
        }

        /** Whether the instance takes calls from the start; default true. */
        public Builder ready(boolean value) {
            this.ready = value;
            return this;
        }

        /** The instance this builder would register. */
        public ServiceInstance instance() {
            if (contracts.isEmpty()) {
                throw new IllegalStateException("announcing " + instanceId + ": no contract (expected: at least one contract(Class))");
            }
            Map<String, String> all = new LinkedHashMap<>(addresses);
            transports.forEach((name, t) -> all.put(name, t.serverAddress(advertisedHost)));
            if (all.isEmpty()) {
                throw new IllegalStateException("announcing " + instanceId + ": no address (expected: at least one transport(..) or address(..))");
            }
            return new ServiceInstance(instanceId, service, contracts, all, metadata, ready);
        }

        /** Registers the instance and keeps it registered until the announcer is closed. */
        public ServiceAnnouncer announce() {
            ServiceInstance i = instance();
            return new ServiceAnnouncer(backend.register(i), i);
        }

        private String requireText(String what, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(what + ": '" + value + "' (expected: non-blank) for instance " + instanceId);
            }
            return value;
        }
    }
}
