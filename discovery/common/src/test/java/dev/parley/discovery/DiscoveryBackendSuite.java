package dev.parley.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link DiscoveryBackend} that registers instances must show, run against
 * a real registry. A backend's test subclasses it once:
 *
 * <pre>{@code
 * class EtcdBackendTest extends DiscoveryBackendSuite {
 *     protected DiscoveryBackend newBackend() { return EtcdBackend.builder(endpoint).ttl(leaseTtl()).build(); }
 *     protected void makeRegistryUnreachable() { etcd.stop(); }
 *     protected void makeRegistryReachable() { etcd.start(); }
 *     protected void crash(DiscoveryBackend.Lease lease) { ((EtcdLease) lease).stopKeepAlive(); }
 * }
 * }</pre>
 *
 * <p>Every test uses contract names of its own, so registries that keep state between tests
 * (etcd) do not leak instances from one test into another. Backends returned by
 * {@link #newBackend()} are closed after each test.
 */
public abstract class DiscoveryBackendSuite {

    private final List<DiscoveryBackend> backends = new CopyOnWriteArrayList<>();
    private final String prefix = "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    /** A new client of the registry under test, with leases of {@link #leaseTtl()}. */
    protected abstract DiscoveryBackend newBackend();

    /** Stops the registry, or cuts the way to it, so that backends cannot reach it. */
    protected abstract void makeRegistryUnreachable() throws Exception;

    /** Undoes {@link #makeRegistryUnreachable()}; the registry may have lost its state (restarted). */
    protected abstract void makeRegistryReachable() throws Exception;

    /** Stops keeping {@code lease} alive without deregistering, as a crashed process would. */
    protected abstract void crash(DiscoveryBackend.Lease lease);

    /** The lease time-to-live the backends of {@link #newBackend()} use; a crashed instance must be gone within 3 times it (plus slack). */
    protected Duration leaseTtl() {
        return Duration.ofSeconds(1);
    }

    /** How long a test waits for a change to become visible. */
    protected Duration awaitTimeout() {
        return Duration.ofSeconds(20);
    }

    /** Registers {@code instance} through {@code backend}; backends where the platform registers override this. */
    protected DiscoveryBackend.Lease register(DiscoveryBackend backend, ServiceInstance instance) {
        return backend.register(instance);
    }

    @AfterEach
    void closeBackends() {
        for (DiscoveryBackend b : backends) {
            b.close();
        }
        backends.clear();
    }

    /** A backend closed after the test. */
    protected final DiscoveryBackend backend() {
        DiscoveryBackend b = newBackend();
        backends.add(b);
        return b;
    }

    /** A contract version whose name is unique to this test class instance. */
    protected final ContractVersion version(String contract, int major) {
        return new ContractVersion(prefix + "-" + contract, major);
    }

    /** A ready instance serving {@code versions}, with an HTTP address and metadata. */
    protected final ServiceInstance instance(String id, ContractVersion... versions) {
        return new ServiceInstance(prefix + "-" + id, "suite-service", Set.of(versions),
                Map.of("http", "http://127.0.0.1:" + (20000 + Math.abs(id.hashCode() % 10000)), "rpc", "127.0.0.1:7001"),
                Map.of(ServiceInstance.ZONE, "zone-a", ServiceInstance.WEIGHT, "2"), true);
    }

    @Test
    void aRegisteredInstanceAppearsInARunningWatch() {
        ContractVersion trips = version("trips", 1);
        RecordingListener watch = new RecordingListener();
        backend().watch(trips, watch);
        watch.awaitSnapshot(List::isEmpty, "an empty first snapshot");

        ServiceInstance a = instance("a", trips);
        register(backend(), a);

        List<ServiceInstance> seen = watch.awaitIds(a.id());
        assertThat(seen).containsExactly(a);
    }

    @Test
    void aWatchStartsWithTheInstancesAlreadyRegistered() {
        ContractVersion trips = version("trips", 1);
        ServiceInstance a = instance("a", trips);
        ServiceInstance b = instance("b", trips);
        DiscoveryBackend registrar = backend();
        register(registrar, a);
        register(registrar, b);
        RecordingListener probe = new RecordingListener();
        backend().watch(trips, probe);
        probe.awaitIds(a.id(), b.id());

        RecordingListener late = new RecordingListener();
        backend().watch(trips, late);
        // The first snapshot of a new watch is complete: no partial list before it.
        assertThat(ids(late.awaitSnapshot(s -> true, "a first snapshot"))).containsExactlyInAnyOrder(a.id(), b.id());
    }

    @Test
    void addressesMetadataAndVersionsSurviveTheRoundTrip() {
        ContractVersion v1 = version("trips", 1);
        ContractVersion v2 = version("trips", 2);
        ServiceInstance a = new ServiceInstance(prefix + "-full", "trip-management", Set.of(v1, v2),
                Map.of("http", "http://10.1.2.3:8080", "rpc", "10.1.2.3:7000"),
                Map.of(ServiceInstance.ZONE, "eu-west-1a", ServiceInstance.WEIGHT, "5", "build", "2026.11.29"), true);
        register(backend(), a);
        RecordingListener watch = new RecordingListener();
        backend().watch(v2, watch);
        assertThat(watch.awaitIds(a.id())).containsExactly(a);
    }

    @Test
    void aDeregisteredInstanceDisappears() {
        ContractVersion trips = version("trips", 1);
        ServiceInstance a = instance("a", trips);
        ServiceInstance b = instance("b", trips);
        DiscoveryBackend registrar = backend();
        DiscoveryBackend.Lease leaseA = register(registrar, a);
        register(registrar, b);
        RecordingListener watch = new RecordingListener();
        backend().watch(trips, watch);
        watch.awaitIds(a.id(), b.id());

        leaseA.close();

        watch.awaitIds(b.id());
        leaseA.close(); // idempotent
    }

    @Test
    void closingTheBackendDeregistersItsInstances() {
        ContractVersion trips = version("trips", 1);
        ServiceInstance a = instance("a", trips);
        DiscoveryBackend registrar = backend();
        register(registrar, a);
        RecordingListener watch = new RecordingListener();
        backend().watch(trips, watch);
        watch.awaitIds(a.id());

        registrar.close();

        watch.awaitIds();
    }

    @Test
    void aCrashedInstanceDisappearsWhenItsLeaseLapses() {
        ContractVersion trips = version("trips", 1);
        ServiceInstance a = instance("a", trips);
        ServiceInstance b = instance("b", trips);
        DiscoveryBackend registrar = backend();
        DiscoveryBackend.Lease leaseA = register(registrar, a);
        register(registrar, b);
        RecordingListener watch = new RecordingListener();
        backend().watch(trips, watch);
        watch.awaitIds(a.id(), b.id());

        crash(leaseA);

        // b keeps heartbeating and stays; a is gone once its TTL lapses.
        watch.awaitIds(awaitTimeout().plus(leaseTtl().multipliedBy(3)), b.id());
    }

    @Test
    void aLiveInstanceOutlivesItsTtl() throws InterruptedException {
        ContractVersion trips = version("trips", 1);
        ServiceInstance a = instance("a", trips);
        register(backend(), a);
        RecordingListener watch = new RecordingListener();
        backend().watch(trips, watch);
        watch.awaitIds(a.id());
        int seen = watch.snapshots().size() - 1; // registration is asynchronous: earlier snapshots may lack it

        Thread.sleep(leaseTtl().multipliedBy(3).toMillis()); // heartbeats must keep it registered over several TTLs

        List<List<ServiceInstance>> since = watch.snapshots();
        assertThat(since.subList(seen, since.size())).allSatisfy(s -> assertThat(ids(s)).contains(a.id()));
    }

    @Test
    void aReadinessChangeIsVisibleToWatchers() {
        ContractVersion trips = version("trips", 1);
        ServiceInstance a = instance("a", trips);
        DiscoveryBackend.Lease lease = register(backend(), a);
        RecordingListener watch = new RecordingListener();
        backend().watch(trips, watch);
        watch.awaitSnapshot(s -> s.size() == 1 && s.get(0).ready(), "a ready");

        lease.ready(false);
        watch.awaitSnapshot(s -> s.size() == 1 && !s.get(0).ready(), "a registered but not ready");

        lease.ready(true);
        watch.awaitSnapshot(s -> s.size() == 1 && s.get(0).ready(), "a ready again");
    }

    @Test
    void aV1WatchNeverSeesAnInstanceThatServesOnlyV2() {
        ContractVersion v1 = version("trips", 1);
        ContractVersion v2 = version("trips", 2);
        ServiceInstance both = instance("both", v1, v2);
        ServiceInstance onlyV2 = instance("only-v2", v2);
        ServiceInstance onlyV1 = instance("only-v1", v1);
        RecordingListener v1Watch = new RecordingListener();
        RecordingListener v2Watch = new RecordingListener();
        backend().watch(v1, v1Watch);
        backend().watch(v2, v2Watch);
        DiscoveryBackend registrar = backend();
        register(registrar, onlyV2);
        register(registrar, both);
        register(registrar, onlyV1);

        v1Watch.awaitIds(both.id(), onlyV1.id());
        v2Watch.awaitIds(both.id(), onlyV2.id());
        assertThat(v1Watch.snapshots()).allSatisfy(s -> assertThat(ids(s)).doesNotContain(onlyV2.id()));
        assertThat(v2Watch.snapshots()).allSatisfy(s -> assertThat(ids(s)).doesNotContain(onlyV1.id()));
    }

    @Test
    void aClosedWatchGetsNoMoreSnapshots() {
        ContractVersion trips = version("trips", 1);
        RecordingListener closed = new RecordingListener();
        DiscoveryBackend.Watch watch = backend().watch(trips, closed);
        closed.awaitSnapshot(s -> true, "a first snapshot");
        watch.close();
        int before = closed.snapshots().size();

        ServiceInstance a = instance("a", trips);
        register(backend(), a);
        RecordingListener open = new RecordingListener();
        backend().watch(trips, open);
        open.awaitIds(a.id());

        assertThat(closed.snapshots()).hasSize(before);
        watch.close(); // idempotent
    }

    @Test
    void aWatchSurvivesARegistryRestartAndInstancesComeBack() throws Exception {
        ContractVersion trips = version("trips", 1);
        ServiceInstance a = instance("a", trips);
        register(backend(), a);
        RecordingListener watch = new RecordingListener();
        backend().watch(trips, watch);
        watch.awaitIds(a.id());

        makeRegistryUnreachable();
        try {
            watch.awaitUnavailable();
        } finally {
            makeRegistryReachable();
        }

        // a registers again by itself; an instance registered after the restart is seen too.
        ServiceInstance b = instance("b", trips);
        register(backend(), b);
        watch.awaitIds(a.id(), b.id());
    }

    @Test
    void aLeaseRegisteredWhileTheRegistryIsDownIsRegisteredOnceItIsBack() throws Exception {
        ContractVersion trips = version("trips", 1);
        DiscoveryBackend registrar = backend();
        makeRegistryUnreachable();
        ServiceInstance a = instance("a", trips);
        try {
            register(registrar, a);
        } finally {
            makeRegistryReachable();
        }
        RecordingListener watch = new RecordingListener();
        backend().watch(trips, watch);
        watch.awaitIds(a.id());
    }

    static Set<String> ids(List<ServiceInstance> instances) {
        return instances.stream().map(ServiceInstance::id).collect(Collectors.toSet());
    }

    /** Records a watch's snapshots and unavailability reports, and awaits them. */
    protected final class RecordingListener implements DiscoveryBackend.Listener {
        private final List<List<ServiceInstance>> snapshots = new ArrayList<>();
        private final List<Throwable> failures = new ArrayList<>();

        @Override
        public synchronized void instances(List<ServiceInstance> instances) {
            snapshots.add(List.copyOf(instances));
            notifyAll();
        }

        @Override
        public synchronized void unavailable(Throwable cause) {
            failures.add(cause);
            notifyAll();
        }

        public synchronized List<List<ServiceInstance>> snapshots() {
            return List.copyOf(snapshots);
        }

        /** Waits until the latest snapshot holds exactly the instances {@code ids}; returns it. */
        public List<ServiceInstance> awaitIds(String... ids) {
            return awaitIds(awaitTimeout(), ids);
        }

        public List<ServiceInstance> awaitIds(Duration timeout, String... ids) {
            Set<String> expected = new HashSet<>(Arrays.asList(ids));
            return await(timeout, s -> ids(s).equals(expected), "instances " + expected);
        }

        /** Waits until the latest snapshot matches {@code condition}; returns it. */
        public List<ServiceInstance> awaitSnapshot(Predicate<List<ServiceInstance>> condition, String what) {
            return await(awaitTimeout(), condition, what);
        }

        /** Waits until the watch reported the registry unavailable. */
        public synchronized Throwable awaitUnavailable() throws InterruptedException {
            long end = System.nanoTime() + awaitTimeout().toNanos();
            while (failures.isEmpty()) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the watch never reported the registry unavailable within " + awaitTimeout());
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return failures.get(failures.size() - 1);
        }

        private synchronized List<ServiceInstance> await(Duration timeout, Predicate<List<ServiceInstance>> condition, String what) {
            long end = System.nanoTime() + timeout.toNanos();
            while (snapshots.isEmpty() || !condition.test(snapshots.get(snapshots.size() - 1))) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("watch did not show " + what + " within " + timeout + "; snapshots: " + snapshots);
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for " + what, e);
                }
            }
            return snapshots.get(snapshots.size() - 1);
        }
    }
}
