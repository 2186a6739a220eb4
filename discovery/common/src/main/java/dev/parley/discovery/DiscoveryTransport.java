package dev.parley.discovery;

import dev.parley.codec.Codec;
import dev.parley.contract.ContractDescriptor;
import dev.parley.transport.AddressableTransport;
import dev.parley.transport.ClientChannel;
import dev.parley.transport.InboundHandler;
import dev.parley.transport.Registration;
import dev.parley.transport.ReplySink;
import dev.parley.transport.Transport;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client transport that finds its targets through a {@link ServiceDirectory}: each call of
 * {@code trips/v1} goes to one of the ready instances serving {@code trips/v1}, picked by the
 * {@link Balancer}, over the wrapped {@link AddressableTransport} to the instance's address for
 * that transport ({@link ServiceInstance#addresses()}, key {@link Builder#transportName}).
 *
 * <pre>{@code
 * HttpTransport http = HttpTransport.builder().build();
 * ServiceDirectory directory = ServiceDirectory.create(EmbeddedRegistryBackend.builder(registryUrl).build());
 * DiscoveryTransport discovery = DiscoveryTransport.builder(http, directory).build();   // least outstanding, "http" addresses
 * Parley app = Parley.builder().service("passenger-app").transport(discovery).build();
 * TripService trips = app.client(TripService.class);     // deadline, breaker, retries, fallback, then an instance per call
 * }</pre>
 *
 * <pre>
 *  proxy -> deadline/bulkhead/breaker/retries -> DiscoveryTransport channel -> balancer -> instance's channel -> wire
 *                                                      |  outstanding +1 ... -1          (one per address, cached)
 *                                                      +- transport failure: eject the instance for a back-off
 * </pre>
 *
 * <p>The resilience pipeline sits above it, so a retry of an {@code @Idempotent} call picks
 * again and usually lands on another instance; the breaker and bulkhead are per contract
 * version ({@code discovery:http:trips/v1}), ejection per instance. When no instance can be
 * called the call fails at once with a {@link dev.parley.TransportException}
 * ({@link dev.parley.ErrorCode#UNAVAILABLE}) that names the contract version and why.
 * {@link #serve} is the wrapped transport's, so one runtime can serve and call. Closing this
 * transport closes neither the wrapped transport nor the directory: their owner does.
 */
public final class DiscoveryTransport implements Transport {

    private final AddressableTransport transport;
    private final ServiceDirectory directory;
    private final String transportName;
    private final Balancer balancer;
    private final ConcurrentHashMap<Class<?>, DiscoveryChannel> channels = new ConcurrentHashMap<>();

    private DiscoveryTransport(Builder b) {
        this.transport = b.transport;
        this.directory = b.directory;
        this.transportName = b.transportName != null ? b.transportName : b.transport.name();
        this.balancer = b.balancer;
    }

    /** Calls over {@code transport} to the instances {@code directory} knows. */
    public static Builder builder(AddressableTransport transport, ServiceDirectory directory) {
        return new Builder(transport, directory);
    }

    @Override
    public String name() {
        return "discovery:" + transportName;
    }

    /** The directory this transport resolves through. */
    public ServiceDirectory directory() {
        return directory;
    }

    @Override
    public ClientChannel connect(Class<?> contract) {
        return channels.computeIfAbsent(contract, c -> {
            ContractDescriptor d = ContractDescriptor.of(c);
            ContractVersion version = new ContractVersion(d.name(), d.version().major());
            return new DiscoveryChannel(c, version, transport, transportName, directory, balancer);
        });
    }

    @Override
    public Registration serve(Class<?> contract, InboundHandler handler) {
        return transport.serve(contract, handler);
    }

    @Override
    public Optional<Codec> preferredCodec() {
        return transport.preferredCodec();
    }

    @Override
    public Registration lateReplies(ReplySink sink) {
        return transport.lateReplies(sink);
    }

    /** Forgets its channels; the wrapped transport and the directory stay open. */
    @Override
    public void close() {
        channels.clear();
    }

    @Override
    public String toString() {
        return "DiscoveryTransport(" + transportName + ", " + balancer + ", " + directory + ")";
    }

    /** Settings of a {@link DiscoveryTransport}. */
    public static final class Builder {
        private final AddressableTransport transport;
        private final ServiceDirectory directory;
        private String transportName;
        private Balancer balancer = Balancer.leastOutstanding();

        private Builder(AddressableTransport transport, ServiceDirectory directory) {
            this.transport = Objects.requireNonNull(transport, "transport");
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        /**
         * Which of an instance's addresses to use ({@code http}, {@code rpc}); default the wrapped
         * transport's {@link Transport#name()}. Instances without an address for it are skipped.
         */
        public Builder transportName(String value) {
            if (value.isBlank()) {
                throw new IllegalArgumentException("transportName: '' (expected: the address key, e.g. http or rpc) for DiscoveryTransport");
            }
            this.transportName = value;
            return this;
        }

        /** How each call picks its instance; default {@link Balancer#leastOutstanding()}. */
        public Builder balancer(Balancer value) {
            this.balancer = Objects.requireNonNull(value, "balancer");
            return this;
        }

        public DiscoveryTransport build() {
            return new DiscoveryTransport(this);
        }
    }
}
