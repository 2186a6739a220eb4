package dev.parley.discovery;

import dev.parley.contract.Contract;
import dev.parley.contract.Deadline;
import dev.parley.contract.Idempotent;
import dev.parley.contract.http.Created;
import dev.parley.contract.http.Delete;
import dev.parley.contract.http.Get;
import dev.parley.contract.http.Post;
import dev.parley.contract.http.Put;
import java.util.List;
import java.util.Map;

/**
 * The embedded registry's API, a Parley contract served over HTTP by {@link EmbeddedRegistry}
 * and called by {@link EmbeddedRegistryBackend}. Any HTTP client can use it too:
 *
 * <pre>
 * POST   /v1/leases                        {"instance": {...}, "ttlMillis": 10000}  -> 201 Lease
 * POST   /v1/leases/{leaseId}/heartbeat    {}                                       -> 200 Lease (404: unknown or lapsed lease)
 * PUT    /v1/leases/{leaseId}/ready        {"ready": false}                         -> 200 Lease
 * DELETE /v1/leases/{leaseId}                                                       -> 204
 * GET    /v1/instances?contract=trips&amp;major=1&amp;index=41&amp;epoch=..&amp;waitMillis=30000 -> 200 Instances
 * </pre>
 *
 * <p>{@code GET /v1/instances} is a blocking query like Consul's: with the {@code index} and
 * {@code epoch} of the previous answer it is held until the instances of that contract version
 * change or {@code waitMillis} passes. A registry that restarted has another epoch, so the
 * query returns at once. Errors are Parley problem bodies: 400 for invalid input (the message
 * names the field), 404 for unknown leases, 413 for oversized bodies, 429 when the registry is
 * full. docs/discovery.md describes the API.
 */
@Contract(name = "registry", version = "1.1")
public interface RegistryService {

    /**
     * One instance on the wire.
     *
     * @param contracts contract versions in the form {@code trips/v1}
     */
    record Instance(String id, String service, List<String> contracts, Map<String, String> addresses,
                    Map<String, String> metadata, boolean ready) {}

    /** Registers {@code instance} for {@code ttlMillis}; heartbeats renew it. */
    record Register(Instance instance, long ttlMillis) {}

    /** A live registration. */
    record Lease(String leaseId, long ttlMillis, String epoch) {}

    /** Names a lease. */
    record LeaseId(String leaseId) {}

    /** Changes a registered instance's readiness. */
    record Readiness(String leaseId, boolean ready) {}

    /**
     * A (blocking) query for the instances serving {@code contract} at {@code major}.
     *
     * @param index      the {@link Instances#index()} of the previous answer, 0 for none
     * @param epoch      the {@link Instances#epoch()} of the previous answer, empty for none
     * @param waitMillis how long to hold the query for a change; 0 answers at once
     */
    record Query(String contract, int major, long index, String epoch, long waitMillis) {}

    /** The instances of a contract version, with the index of its last change. */
    record Instances(long index, String epoch, List<Instance> instances) {}

    @Post("/leases")
    @Created("/leases/{leaseId}")
    Lease register(Register request);

    @Post("/leases/{leaseId}/heartbeat")
    @Deadline("PT5S")
    Lease heartbeat(LeaseId request);

    @Put("/leases/{leaseId}/ready")
    Lease ready(Readiness request);

    @Delete("/leases/{leaseId}")
    @Idempotent
    void deregister(LeaseId request);

    @Get("/instances")
    @Idempotent
    @Deadline("PT75S")
    Instances instances(Query request);

    /** Asks for every registered instance, whatever it serves. */
    record CatalogQuery() {}

    /** Every registered instance, ordered by service and id, and the registry's epoch. */
    record Catalog(String epoch, List<Instance> instances) {}

    /** Every registered instance (for operators and {@code parley services}); since 1.1. */
    @Get("/catalog")
    @Idempotent
    Catalog catalog(CatalogQuery request);
}
