package dev.parley.discovery;

import java.util.List;

/**
 * The service provider interface of a registry: the embedded Parley registry, etcd, Kubernetes,
 * a static list. A backend only registers and watches; caching the last known instances while
 * the registry is unreachable, readiness filtering, load balancing and ejection of failing
 * instances are done once above it, by {@link ServiceDirectory} and the balancers.
 *
 * <p>Implementations are thread-safe and talk to the registry on their own threads; listener
 * calls for one watch are never concurrent.
 */
public interface DiscoveryBackend extends AutoCloseable {

    /** A short name for logs and metric tags: {@code embedded}, {@code etcd}, {@code kubernetes}, {@code static}. */
    String name();

    /**
     * Registers {@code instance} and keeps its lease alive (heartbeats, lease keep-alives) until
     * the returned lease is closed, which deregisters it. When the process dies without closing
     * it, the registry drops the instance once the lease's time-to-live lapses. When the registry
     * is unreachable the backend keeps trying and re-registers once it is back.
     *
     * @throws UnsupportedOperationException for backends where the platform registers instances (Kubernetes, static)
     */
    Lease register(ServiceInstance instance);

    /**
     * Watches the instances serving {@code version}: the listener first gets the full current
     * list, then the full list again after every change. When the registry cannot be reached
     * the listener's {@link Listener#unavailable(Throwable)} is called (and the watch keeps
     * retrying); callers keep using the instances they last saw.
     */
    Watch watch(ContractVersion version, Listener listener);

    /** Stops every lease (deregistering) and watch. */
    @Override
    void close();

    /** A registration kept alive by the backend. */
    interface Lease extends AutoCloseable {

        /** Publishes a readiness change of the registered instance. */
        void ready(boolean value);

        /** Deregisters the instance and stops keeping its lease alive. Idempotent. */
        @Override
        void close();
    }

    /** A running watch. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /** Receives a watch's snapshots. */
    interface Listener {

        /** The complete current list of instances serving the watched version, ready or not. */
        void instances(List<ServiceInstance> instances);

        /** The registry could not be reached (the watch retries with back-off). */
        default void unavailable(Throwable cause) {
        }
    }
}
