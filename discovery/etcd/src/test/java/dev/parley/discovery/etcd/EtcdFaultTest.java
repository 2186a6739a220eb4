package dev.parley.discovery.etcd;

import static dev.parley.discovery.etcd.Instances.TRIPS_V1;
import static dev.parley.discovery.RecordingWatchListener.ids;
import static dev.parley.discovery.etcd.Instances.trips;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.discovery.DiscoveryBackend;
import dev.parley.discovery.RecordingWatchListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** etcd crashes and comes back, with its data or without: a real etcd process killed with SIGKILL. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@SuppressWarnings("try") // watches are opened for their effect, closed by try-with-resources
class EtcdFaultTest {

    private EtcdTestServer server;
    private EtcdDiscovery registrar;
    private EtcdDiscovery watcher;

    @BeforeEach
    void setUp() {
        server = EtcdTestServer.create();
        server.start();
        registrar = backend();
        watcher = backend();
    }

    @AfterEach
    void tearDown() {
        // Nothing was started when the etcd binary is missing (the test was skipped).
        if (registrar != null) {
            registrar.close();
            watcher.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private EtcdDiscovery backend() {
        return EtcdDiscovery.builder().endpoints(server.endpoint()).leaseTtl(Duration.ofSeconds(3))
                .requestTimeout(Duration.ofSeconds(2)).connectTimeout(Duration.ofMillis(500))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500)).probeInterval(Duration.ofSeconds(1)).build();
    }

    @Test
    void whileEtcdIsDownWatchersHearUnavailableKeepTheLastListAndRecoverWhenItIsBack() throws Exception {
        RecordingWatchListener listener = new RecordingWatchListener();
        try (DiscoveryBackend.Watch watch = watcher.watch(TRIPS_V1, listener)) {
            registrar.register(trips("a", TRIPS_V1));
            listener.await("a", ids("a"));
            int before = listener.snapshots.size();

            server.kill();
            assertThat(listener.awaitOutage()).isInstanceOf(EtcdException.class).hasMessageContaining(server.endpoint());
            Thread.sleep(1_000); // a few failed retries
            assertThat(listener.snapshots.subList(before, listener.snapshots.size())).as("nothing replaces the last list during the outage").isEmpty();

            server.start();
            listener.awaitAfter(before, "a fresh list with a, after the restart", ids("a"));
            registrar.register(trips("b", TRIPS_V1));
            listener.await("a and b", ids("a", "b"));
        }
    }

    @Test
    void anEtcdThatLostItsDataGetsTheRegistrationsBack() throws Exception {
        RecordingWatchListener listener = new RecordingWatchListener();
        try (DiscoveryBackend.Watch watch = watcher.watch(TRIPS_V1, listener)) {
            EtcdRegistration lease = (EtcdRegistration) registrar.register(trips("a", TRIPS_V1));
            listener.await("a", ids("a"));
            long firstLease = lease.leaseId();
            int before = listener.snapshots.size();

            server.wipe();
            server.start(); // a new, empty cluster: revisions restart at 1, the lease is unknown
            listener.awaitAfter(before, "a, registered again", ids("a"));
            long deadline = System.nanoTime() + RecordingWatchListener.WAIT.toNanos();
            while (lease.registrations() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(lease.registrations()).isEqualTo(2);
            assertThat(lease.leaseId()).isNotZero().isNotEqualTo(firstLease);

            lease.close();
            listener.await("nothing after close", List::isEmpty);
        }
    }

    @Test
    void anInstanceRegisteredWhileEtcdIsDownAppearsOnceItIsUp() throws Exception {
        server.kill();
        DiscoveryBackend.Lease lease = registrar.register(trips("early", TRIPS_V1)); // no exception: retried in the background
        lease.ready(false);
        server.start();
        RecordingWatchListener listener = new RecordingWatchListener();
        try (DiscoveryBackend.Watch watch = watcher.watch(TRIPS_V1, listener)) {
            listener.await("early, not ready", l -> ids("early").test(l) && !l.get(0).ready());
        }
    }
}
