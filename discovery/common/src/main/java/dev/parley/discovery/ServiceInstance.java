package dev.parley.discovery;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One running instance of a service as a registry knows it: which contract versions it serves,
 * where each of its transports listens, free-form metadata (zone, weight, ...) and whether it
 * is ready for traffic. Immutable; a change is a new value.
 *
 * @param id         unique per instance, e.g. {@code trips-7f3a}
 * @param service    the service name, e.g. {@code trip-management}
 * @param contracts  the contract versions it serves
 * @param addresses  transport name ({@code http}, {@code rpc}, ...) to that transport's address in
 *                   the transport's own notation ({@link dev.parley.transport.AddressableTransport})
 * @param metadata   {@link #ZONE}, {@link #WEIGHT} and anything else
 * @param ready      a not-ready instance stays registered but receives no new calls
 */
public record ServiceInstance(String id, String service, Set<ContractVersion> contracts, Map<String, String> addresses,
                              Map<String, String> metadata, boolean ready) {

    /** Metadata key of the instance's zone. */
    public static final String ZONE = "zone";
    /** Metadata key of the instance's relative weight (a positive integer, default 1). */
    public static final String WEIGHT = "weight";

    public ServiceInstance {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(service, "service");
        contracts = Set.copyOf(contracts);
        addresses = Map.copyOf(addresses);
        metadata = Map.copyOf(metadata);
        if (id.isBlank() || service.isBlank()) {
            throw new IllegalArgumentException("instance: id '" + id + "', service '" + service + "' (expected: both non-blank)");
        }
    }

    /** Whether this instance serves {@code version}. */
    public boolean serves(ContractVersion version) {
        return contracts.contains(version);
    }

    /** The address of its {@code transport} transport, if it has one. */
    public Optional<String> address(String transport) {
        return Optional.ofNullable(addresses.get(transport));
    }

    /** This instance with readiness {@code value}. */
    public ServiceInstance withReady(boolean value) {
        return new ServiceInstance(id, service, contracts, addresses, metadata, value);
    }
}
