package dev.parley.discovery.etcd;

import static dev.parley.discovery.etcd.Instances.TRIPS_V1;
import static dev.parley.discovery.etcd.Instances.TRIPS_V2;
import static dev.parley.discovery.RecordingWatchListener.ids;
import static dev.parley.discovery.etcd.Instances.trips;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.discovery.DiscoveryBackend;
import dev.parley.discovery.RecordingWatchListener;
import dev.parley.discovery.ServiceInstance;
import dev.parley.discovery.backend.LineStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The etcd backend against a real etcd process. */
@org.junit.jupiter.api.Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
@SuppressWarnings("try") // watches are opened for their effect, closed by try-with-resources
class EtcdDiscoveryTest {

    private EtcdTestServer server;
    private String prefix;
    private EtcdDiscovery etcd;

    @BeforeEach
    void setUp() {
        server = EtcdTestServer.shared();
        prefix = Instances.uniquePrefix();
        etcd = backend();
    }

    @AfterEach
    void tearDown() {
        if (etcd != null) { // null when the etcd binary is missing and the test was skipped
            etcd.close();
        }
    }

    private EtcdDiscovery backend() {
        return EtcdDiscovery.builder().endpoints(server.endpoint()).keyPrefix(prefix).leaseTtl(Duration.ofSeconds(2))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500)).build();
    }

    @Test
    void aWatcherSeesRegistrationReadinessAndDeregistration() throws Exception {
        RecordingWatchListener listener = new RecordingWatchListener();
        try (DiscoveryBackend.Watch watch = etcd.watch(TRIPS_V1, listener)) {
            listener.await("no instances", List::isEmpty);
            DiscoveryBackend.Lease lease = etcd.register(trips("trips-1", TRIPS_V1));

            ServiceInstance seen = listener.await("trips-1", ids("trips-1")).get(0);
            assertThat(seen).isEqualTo(trips("trips-1", TRIPS_V1));

            lease.ready(false);
            assertThat(listener.await("trips-1 not ready", l -> l.size() == 1 && !l.get(0).ready()).get(0).addresses())
                    .containsEntry("http", "http://10.0.0.7:8080");
            lease.ready(true);
            listener.await("trips-1 ready again", l -> l.size() == 1 && l.get(0).ready());

            lease.close();
            listener.await("no instances after close", List::isEmpty);
            lease.close(); // idempotent
        }
        assertThat(listener.outages).isEmpty();
    }

    @Test
    void aWatchStartedLaterListsWhatIsAlreadyRegistered() throws Exception {
        etcd.register(trips("a", TRIPS_V1));
        etcd.register(trips("b", TRIPS_V1, TRIPS_V2));
        etcd.register(trips("c", TRIPS_V2));
        RecordingWatchListener v1 = new RecordingWatchListener();
        RecordingWatchListener v2 = new RecordingWatchListener();
        try (var w1 = etcd.watch(TRIPS_V1, v1); var w2 = etcd.watch(TRIPS_V2, v2)) {
            assertThat(v1.await("a and b", ids("a", "b"))).allMatch(i -> i.serves(TRIPS_V1));
            v2.await("b and c", ids("b", "c"));
            assertThat(v1.snapshots).noneMatch(list -> list.stream().anyMatch(i -> i.id().equals("c")));
        }
    }

    @Test
    void aQuietWatchOutlivesTheRequestTimeoutWithoutListingAgain() throws Exception {
        try (EtcdDiscovery quick = EtcdDiscovery.builder().endpoints(server.endpoint()).keyPrefix(prefix)
                .requestTimeout(Duration.ofMillis(500)).probeInterval(Duration.ofMillis(700)).build()) {
            RecordingWatchListener listener = new RecordingWatchListener();
            EtcdWatch watch = (EtcdWatch) quick.watch(TRIPS_V1, listener);
            try {
                listener.await("no instances", List::isEmpty);
                Thread.sleep(3_000); // six request timeouts, several probes
                assertThat(watch.relists()).as("the stream stayed open: one list only").isEqualTo(1);
                etcd.register(trips("late", TRIPS_V1));
                listener.await("late, through the same stream", ids("late"));
                assertThat(watch.relists()).isEqualTo(1);
            } finally {
                watch.close();
            }
        }
    }

    @Test
    void idsWithSlashesStayOneKeySegment() throws Exception {
        RecordingWatchListener listener = new RecordingWatchListener();
        try (var watch = etcd.watch(TRIPS_V1, listener)) {
            etcd.register(trips("pods/trips-1%2F", TRIPS_V1));
            listener.await("the odd id", ids("pods/trips-1%2F"));
        }
        assertThat(etcd.client().range(prefix + "/trips/v1/").kvs()).extracting(EtcdClient.KeyValue::key)
                .containsExactly(prefix + "/trips/v1/pods%2Ftrips-1%252F");
    }

    @Test
    void aCrashedProcessIsGoneOnceItsLeaseLapses() throws Exception {
        RecordingWatchListener listener = new RecordingWatchListener();
        try (var watch = etcd.watch(TRIPS_V1, listener)) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    CrashingInstance.class.getName(), server.endpoint(), prefix, "doomed");
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process child = pb.start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                assertThat(out.readLine()).isEqualTo("REGISTERED");
                listener.await("the child's instance", ids("doomed"));
            } finally {
                child.destroyForcibly(); // SIGKILL: no revoke, keep-alives just stop
                child.waitFor(30, TimeUnit.SECONDS);
            }
            listener.await("nothing once the 2 s TTL lapsed", List::isEmpty);
        }
        assertThat(etcd.client().range(prefix + "/").kvs()).isEmpty();
    }

    @Test
    void hostileValuesUnderThePrefixAreSkippedAndTheWatchGoesOn() throws Exception {
        EtcdClient raw = etcd.client();
        String v1 = prefix + "/trips/v1/";
        raw.put(v1 + "junk", "{not json".getBytes(StandardCharsets.UTF_8), 0);
        raw.put(v1 + "array", "[1,2,3]".getBytes(StandardCharsets.UTF_8), 0);
        raw.put(v1 + "wrong-shape", "{\"id\":\"wrong-shape\",\"service\":\"x\",\"contracts\":\"trips/v1\",\"ready\":true}".getBytes(StandardCharsets.UTF_8), 0);
        raw.put(v1 + "other-id", InstanceJson.write(trips("someone-else", TRIPS_V1)), 0);
        raw.put(v1 + "v2-only", InstanceJson.write(trips("v2-only", TRIPS_V2)), 0);
        raw.put(v1 + "nested/deeper", InstanceJson.write(trips("deeper", TRIPS_V1)), 0);
        raw.put(v1 + "huge", new byte[200_000], 0);
        raw.put(v1 + "good", InstanceJson.write(trips("good", TRIPS_V1)), 0);

        RecordingWatchListener listener = new RecordingWatchListener();
        try (var watch = etcd.watch(TRIPS_V1, listener)) {
            listener.await("only the good instance", ids("good"));
            // The same garbage arriving through the watch stream, then a valid registration.
            raw.put(v1 + "junk2", new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1}, 0);
            raw.put(v1 + "huge2", "{\"id\":\"".concat("x".repeat(1_000_000)).concat("\"}").getBytes(StandardCharsets.UTF_8), 0);
            raw.put(v1 + "good", "null".getBytes(StandardCharsets.UTF_8), 0);
            listener.await("the good instance skipped once overwritten with null", List::isEmpty);
            etcd.register(trips("late", TRIPS_V1));
            listener.await("the late registration", ids("late"));
        }
        assertThat(listener.outages).isEmpty();
    }

    @Test
    void aWatchFromACompactedRevisionIsCanceledWithTheCompactRevision() throws Exception {
        EtcdClient raw = etcd.client();
        raw.put(prefix + "/k", "1".getBytes(StandardCharsets.UTF_8), 0);
        raw.put(prefix + "/k", "2".getBytes(StandardCharsets.UTF_8), 0);
        long revision = raw.range(prefix + "/").revision();
        raw.compact(revision);
        LineStream lines = raw.watch(prefix + "/", 1, 1 << 20);
        try {
            String message = "";
            while (!message.contains("canceled")) {
                message = lines.next(Duration.ofSeconds(10)).orElseThrow();
            }
            assertThat(EtcdClient.parse(message).path("result").path("compact_revision").asLong()).isGreaterThanOrEqualTo(revision);
        } finally {
            lines.abort();
        }
    }

    @Test
    void closingTheBackendDeregistersEverything() throws Exception {
        RecordingWatchListener listener = new RecordingWatchListener();
        try (EtcdDiscovery watcher = backend(); var watch = watcher.watch(TRIPS_V1, listener)) {
            etcd.register(trips("x", TRIPS_V1));
            etcd.register(trips("y", TRIPS_V1));
            listener.await("x and y", ids("x", "y"));
            etcd.close();
            listener.await("nothing after close", List::isEmpty);
        }
        assertThatThrownBy(() -> etcd.register(trips("z", TRIPS_V1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
