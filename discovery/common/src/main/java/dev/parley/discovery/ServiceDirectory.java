package dev.parley.discovery;

import dev.parley.ParleyClock;
import dev.parley.transport.Registration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's view of a registry: which instances serve a contract version right now. It
 * watches each version the first time someone asks for it, caches the backend's snapshots,
 * and keeps answering with the last known instances while the backend reports the registry
 * unreachable. Not-ready instances stay known but are not offered for calls.
 *
 * <pre>{@code
 * DiscoveryBackend backend = EmbeddedRegistryBackend.builder("http://127.0.0.1:8500").build();
 * ServiceDirectory directory = ServiceDirectory.create(backend);
 * List<ServiceInstance> trips = directory.awaitInstances(new ContractVersion("trips", 1), Duration.ofSeconds(2));
 * }</pre>
 *
 * <p>It also keeps what calls taught about each instance: outstanding calls and ejection after
 * transport failures ({@link EjectionPolicy}), shared by every {@link DiscoveryTransport} on
 * this directory. Share one directory per process and backend; it is thread-safe. Closing it
 * stops its watches but not the backend.
 */
public final class ServiceDirectory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceDirectory.class);

    private final DiscoveryBackend backend;
    private final ParleyClock clock;
    private final EjectionPolicy ejection;
    private final ConcurrentHashMap<ContractVersion, Resolution> resolutions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private ServiceDirectory(Builder b) {
        this.backend = b.backend;
        this.clock = b.clock;
        this.ejection = b.ejection;
    }

    /** A directory over {@code backend} with the system clock and the default {@link EjectionPolicy}. */
    public static ServiceDirectory create(DiscoveryBackend backend) {
        return builder(backend).build();
    }

    public static Builder builder(DiscoveryBackend backend) {
        return new Builder(backend);
    }

    /** The backend's name: {@code embedded}, {@code etcd}, {@code static}, ... */
    public String backendName() {
        return backend.name();
    }

    /** The ready instances of {@code version} as last seen; empty until the first snapshot (see {@link #awaitInstances}). */
    public List<ServiceInstance> instances(ContractVersion version) {
        Snapshot s = resolution(version).snapshot;
        return s == null ? List.of() : s.ready;
    }

    /** Every known instance of {@code version}, ready or not. */
    public List<ServiceInstance> allInstances(ContractVersion version) {
        Snapshot s = resolution(version).snapshot;
        return s == null ? List.of() : s.all;
    }

    /**
     * The ready instances of {@code version}, waiting up to {@code timeout} for the first
     * snapshot of a version not watched yet.
     *
     * @throws IllegalStateException when no snapshot came within the timeout
     */
    public List<ServiceInstance> awaitInstances(ContractVersion version, Duration timeout) {
        Resolution r = resolution(version);
        try {
            return r.first.get(timeout.toNanos(), TimeUnit.NANOSECONDS).ready;
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from the " + backend.name() + " backend for " + version + " within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resolving " + version, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Whether the backend currently reaches the registry for {@code version}; while it does not,
     * the last known instances are used.
     */
    public boolean reachable(ContractVersion version) {
        Snapshot s = resolution(version).snapshot;
        return s != null && s.failure == null;
    }

    /** The ids of the instances currently ejected after failures. */
    public Set<String> ejectedInstances() {
        Set<String> ids = new HashSet<>();
        endpoints.forEach((id, e) -> {
            if (e.ejected()) {
                ids.add(id);
            }
        });
        return Set.copyOf(ids);
    }

    /**
     * Calls {@code listener} with the ready instances of {@code version} now (when known) and
     * after every change, and when the registry becomes unreachable. Calls for one version are
     * never concurrent. Close the registration to stop.
     */
    public Registration listen(ContractVersion version, Listener listener) {
        Objects.requireNonNull(listener, "listener");
        Resolution r = resolution(version);
        r.listeners.add(listener);
        Snapshot s = r.snapshot;
        if (s != null) {
            synchronized (r) {
                notify(listener, version, r.snapshot);
            }
        }
        return () -> r.listeners.remove(listener);
    }

    /** Stops watching; the backend stays open. */
    @Override
    public void close() {
        closed = true;
        for (Resolution r : resolutions.values()) {
            DiscoveryBackend.Watch w = r.watch;
            if (w != null) {
                w.close();
            }
        }
        resolutions.clear();
    }

    @Override
    public String toString() {
        return "ServiceDirectory(" + backend.name() + ", " + resolutions.keySet() + ")";
    }

    ParleyClock clock() {
        return clock;
    }

    EjectionPolicy ejection() {
        return ejection;
    }

    /** The resolution of {@code version}, watching it on first use. */
    Resolution resolution(ContractVersion version) {
        Resolution r = resolutions.get(version);
        if (r != null) {
            return r;
        }
        if (closed) {
            throw new IllegalStateException("ServiceDirectory over " + backend.name() + " is closed");
        }
        Resolution created = new Resolution(version);
        r = resolutions.putIfAbsent(version, created);
        if (r != null) {
            return r;
        }
        created.watch = backend.watch(version, created);
        return created;
    }

    private void notify(Listener listener, ContractVersion version, Snapshot s) {
        try {
            if (s.failure != null) {
                listener.unavailable(version, s.failure);
            } else {
                listener.changed(version, s.ready);
            }
        } catch (RuntimeException e) {
            log.warn("directory listener for {} failed", version, e);
        }
    }

    /** What the directory knows of one contract version; also the backend's listener for it. */
    final class Resolution implements DiscoveryBackend.Listener {
        final ContractVersion version;
        final CompletableFuture<Snapshot> first = new CompletableFuture<>();
        final List<Listener> listeners = new CopyOnWriteArrayList<>();
        volatile @Nullable Snapshot snapshot;
        volatile DiscoveryBackend.@Nullable Watch watch;

        Resolution(ContractVersion version) {
            this.version = version;
        }

        @Override
        public synchronized void instances(List<ServiceInstance> instances) {
            List<ServiceInstance> all = List.copyOf(instances);
            Snapshot s;
            // One lock over every version's endpoint bookkeeping, so forgetting stale endpoints never races a new snapshot.
            synchronized (endpoints) {
                s = snapshotOf(all);
                snapshot = s;
                forgetUnknownEndpoints();
            }
            first.complete(s);
            for (Listener l : listeners) {
                ServiceDirectory.this.notify(l, version, s);
            }
        }

        private Snapshot snapshotOf(List<ServiceInstance> all) {
            List<ServiceInstance> served = new ArrayList<>();
            List<ServiceInstance> ready = new ArrayList<>();
            List<Endpoint> readyEndpoints = new ArrayList<>();
            for (ServiceInstance i : all) {
                if (!i.serves(version)) {
                    log.warn("{} backend returned instance {} for {}, which it does not serve; ignored", backend.name(), i.id(), version);
                    continue;
                }
                served.add(i);
                Endpoint e = endpoints.compute(i.id(), (id, existing) -> {
                    if (existing == null) {
                        return new Endpoint(i);
                    }
                    existing.update(i);
                    return existing;
                });
                if (i.ready()) {
                    ready.add(i);
                    readyEndpoints.add(e);
                }
            }
            return new Snapshot(List.copyOf(served), List.copyOf(ready), readyEndpoints.toArray(Endpoint[]::new), null);
        }

        @Override
        public synchronized void unavailable(Throwable cause) {
            Snapshot last = snapshot;
            Snapshot s = last == null ? new Snapshot(List.of(), List.of(), new Endpoint[0], cause)
                    : new Snapshot(last.all, last.ready, last.readyEndpoints, cause);
            snapshot = s;
            first.complete(s);
            log.warn("{} registry unreachable for {}; using the {} instances last seen: {}", backend.name(), version, s.ready.size(), cause.toString());
            for (Listener l : listeners) {
                ServiceDirectory.this.notify(l, version, s);
            }
        }
    }

    private void forgetUnknownEndpoints() {
        Set<String> known = new HashSet<>();
        for (Resolution r : resolutions.values()) {
            Snapshot s = r.snapshot;
            if (s != null) {
                s.all.forEach(i -> known.add(i.id()));
            }
        }
        endpoints.keySet().retainAll(known);
    }

    /**
     * One version's instances as last seen. {@code failure} is set while the registry is
     * unreachable; the lists are then the last ones seen.
     */
    static final class Snapshot {
        final List<ServiceInstance> all;
        final List<ServiceInstance> ready;
        final Endpoint[] readyEndpoints;
        final @Nullable Throwable failure;

        Snapshot(List<ServiceInstance> all, List<ServiceInstance> ready, Endpoint[] readyEndpoints, @Nullable Throwable failure) {
            this.all = all;
            this.ready = ready;
            this.readyEndpoints = readyEndpoints;
            this.failure = failure;
        }

        Optional<Throwable> failure() {
            return Optional.ofNullable(failure);
        }
    }

    /** Hears about a contract version's instances. */
    public interface Listener {

        /** The ready instances of {@code version} after a change (or on subscribing). */
        void changed(ContractVersion version, List<ServiceInstance> ready);

        /** The registry cannot be reached; calls go on to the instances last seen. */
        default void unavailable(ContractVersion version, Throwable cause) {
        }
    }

    /** Settings of a {@link ServiceDirectory}. */
    public static final class Builder {
        private final DiscoveryBackend backend;
        private ParleyClock clock = ParleyClock.system();
        private EjectionPolicy ejection = EjectionPolicy.ofDefaults();

        private Builder(DiscoveryBackend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
        }

        /** Where ejection periods read time; tests pass a ManualClock. */
        public Builder clock(ParleyClock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public Builder ejection(EjectionPolicy value) {
            this.ejection = Objects.requireNonNull(value, "ejection");
            return this;
        }

        public ServiceDirectory build() {
            return new ServiceDirectory(this);
        }
    }
}
