package dev.parley.discovery.etcd;

import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.ServiceInstance;
import java.util.Map;
import java.util.Set;

/** Test instances. */
final class Instances {

    static final ContractVersion TRIPS_V1 = new ContractVersion("trips", 1);
    static final ContractVersion TRIPS_V2 = new ContractVersion("trips", 2);

    private Instances() {}

    static ServiceInstance trips(String id, ContractVersion... versions) {
        return new ServiceInstance(id, "trip-management", Set.of(versions),
                Map.of("http", "http://10.0.0.7:8080", "rpc", "10.0.0.7:7070"), Map.of(ServiceInstance.ZONE, "eu-west-1a"), true);
    }

    static String uniquePrefix() {
        return "/parley-test-" + Long.toHexString(System.nanoTime());
    }
}
