package dev.parley.discovery.kubernetes;

import static dev.parley.discovery.RecordingWatchListener.ids;
import static dev.parley.discovery.kubernetes.Slices.endpoint;
import static dev.parley.discovery.kubernetes.Slices.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.DiscoveryBackend;
import dev.parley.discovery.RecordingWatchListener;
import dev.parley.discovery.ServiceInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes backend against {@link FakeKubernetesApi}, a fake API server on a real socket
 * (not a cluster).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@SuppressWarnings("try") // watches are opened for their effect, closed by try-with-resources
class KubernetesDiscoveryTest {

    private static final String TOKEN = "test-token-0123";
    private static final ContractVersion TRIPS_V1 = new ContractVersion("trips", 1);
    private static final Map<String, Integer> PORTS = Map.of("http", 8080, "rpc", 7070, "metrics", 9090);

    private FakeKubernetesApi api;
    private KubernetesDiscovery k8s;

    @BeforeEach
    void setUp() {
        api = FakeKubernetesApi.start(TOKEN);
        k8s = backend(TOKEN);
    }

    @AfterEach
    void tearDown() {
        k8s.close();
        api.close();
    }

    private KubernetesDiscovery backend(String token) {
        return KubernetesDiscovery.builder().apiServer(api.url()).token(token).namespace("shop")
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500)).probeInterval(Duration.ofSeconds(1)).build();
    }

    @Test
    void endpointsAddedRemovedAndNotReadyAreReflected() throws Exception {
        api.apply("shop", slice("trips-v1-abc", "trips-v1", PORTS, endpoint("trips-1", "10.1.0.1", true, "zone-a")));
        api.apply("shop", slice("other-xyz", "pricing-v1", PORTS, endpoint("pricing-1", "10.9.0.1", true, "zone-a")));
        api.apply("other-namespace", slice("trips-v1-abc", "trips-v1", PORTS, endpoint("elsewhere", "10.8.0.1", true, "zone-a")));
        RecordingWatchListener listener = new RecordingWatchListener();
        try (DiscoveryBackend.Watch watch = k8s.watch(TRIPS_V1, listener)) {
            ServiceInstance first = listener.await("trips-1", ids("trips-1")).get(0);
            assertThat(first).isEqualTo(new ServiceInstance("trips-1", "trips-v1", Set.of(TRIPS_V1),
                    Map.of("http", "http://10.1.0.1:8080", "rpc", "10.1.0.1:7070"),
                    Map.of(ServiceInstance.ZONE, "zone-a", "node", "node-zone-a", "pod", "trips-1", "namespace", "shop"), true));

            api.apply("shop", slice("trips-v1-abc", "trips-v1", PORTS, endpoint("trips-1", "10.1.0.1", true, "zone-a"),
                    endpoint("trips-2", "10.1.0.2", false, "zone-b")));
            List<ServiceInstance> two = listener.await("trips-1 and trips-2", ids("trips-1", "trips-2"));
            assertThat(two.get(1).ready()).isFalse();
            assertThat(two.get(1).metadata()).containsEntry(ServiceInstance.ZONE, "zone-b");

            api.apply("shop", slice("trips-v1-def", "trips-v1", PORTS, endpoint("trips-3", "10.1.0.3", true, "zone-a")));
            listener.await("three pods from two slices", ids("trips-1", "trips-2", "trips-3"));

            api.apply("shop", slice("trips-v1-abc", "trips-v1", PORTS, endpoint("trips-2", "10.1.0.2", true, "zone-b")));
            listener.await("trips-1 gone, trips-2 ready", l -> ids("trips-2", "trips-3").test(l) && l.stream().allMatch(ServiceInstance::ready));

            api.delete("shop", "trips-v1-def");
            listener.await("only trips-2", ids("trips-2"));
        }
        assertThat(listener.outages).isEmpty();
    }

    @Test
    void serviceNamesComeFromThePatternAnExplicitNameOrALabelSelector() throws Exception {
        api.apply("shop", slice("trip-management-1", "trip-management", PORTS, endpoint("tm-1", "10.2.0.1", true, "zone-a")));
        ObjectNode labelled = slice("labelled-1", "whatever", PORTS, endpoint("l-1", "10.3.0.1", true, "zone-a"));
        ((ObjectNode) labelled.path("metadata").path("labels")).put("parley.dev/contract", "billing").put("parley.dev/major", "2");
        api.apply("shop", labelled);

        try (KubernetesDiscovery named = KubernetesDiscovery.builder().apiServer(api.url()).token(TOKEN).namespace("shop")
                .serviceName(TRIPS_V1, "trip-management").build()) {
            RecordingWatchListener listener = new RecordingWatchListener();
            try (var watch = named.watch(TRIPS_V1, listener)) {
                assertThat(listener.await("tm-1", ids("tm-1")).get(0).service()).isEqualTo("trip-management");
            }
        }
        try (KubernetesDiscovery byLabel = KubernetesDiscovery.builder().apiServer(api.url()).token(TOKEN).namespace("shop")
                .labelSelector("parley.dev/contract={contract},parley.dev/major={major}").build()) {
            RecordingWatchListener listener = new RecordingWatchListener();
            try (var watch = byLabel.watch(new ContractVersion("billing", 2), listener)) {
                listener.await("l-1", ids("l-1"));
            }
        }
        assertThatThrownBy(() -> k8s.watch(new ContractVersion("Trip_Management", 1), new RecordingWatchListener()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Service name 'Trip_Management-v1' for Trip_Management/v1 (from serviceNamePattern '{contract}-v{major}') "
                        + "(expected: a DNS label: lowercase letters, digits and '-', at most 63 characters; set serviceName(Trip_Management/v1, \"...\"))");
    }

    @Test
    void aCutWatchStreamIsResumedFromTheLastResourceVersion() throws Exception {
        RecordingWatchListener listener = new RecordingWatchListener();
        try (var watch = k8s.watch(TRIPS_V1, listener)) {
            listener.await("nothing yet", List::isEmpty);
            api.apply("shop", slice("trips-v1-abc", "trips-v1", PORTS, endpoint("trips-1", "10.1.0.1", true, "zone-a")));
            listener.await("trips-1", ids("trips-1"));
            int lists = api.lists.get();
            int watches = api.watches.get();

            api.cutWatches();
            api.apply("shop", slice("trips-v1-abc", "trips-v1", PORTS, endpoint("trips-2", "10.1.0.2", true, "zone-a")));
            listener.await("trips-2, changed while the stream was cut", ids("trips-2"));
            assertThat(api.watches.get()).isGreaterThan(watches);
            assertThat(api.lists.get()).as("resumed, not re-listed").isEqualTo(lists);
        }
    }

    @Test
    void goneResourceVersionsMakeTheWatchListAgain() throws Exception {
        for (boolean asHttpStatus : new boolean[] {false, true}) {
            api.goneAsHttpStatus(asHttpStatus);
            api.apply("shop", slice("trips-v1-abc", "trips-v1", PORTS, endpoint("trips-1", "10.1.0.1", true, "zone-a")));
            RecordingWatchListener listener = new RecordingWatchListener();
            try (var watch = k8s.watch(TRIPS_V1, listener)) {
                listener.await("trips-1", ids("trips-1"));
                awaitOpenWatch();
                int lists = api.lists.get();
                api.stop(); // down while things change; the history is compacted meanwhile
                api.restart();
                api.apply("shop", slice("trips-v1-abc", "trips-v1", PORTS, endpoint("trips-9", "10.1.0.9", true, "zone-a")));
                api.compact();
                listener.await("trips-9, from a new list after 410 (as HTTP status: " + asHttpStatus + ")", ids("trips-9"));
                assertThat(api.lists.get()).isGreaterThan(lists);
            }
            api.delete("shop", "trips-v1-abc");
        }
    }

    @Test
    void whileTheApiIsDownWatchersHearUnavailableAndKeepTheLastList() throws Exception {
        api.apply("shop", slice("trips-v1-abc", "trips-v1", PORTS, endpoint("trips-1", "10.1.0.1", true, "zone-a")));
        RecordingWatchListener listener = new RecordingWatchListener();
        try (var watch = k8s.watch(TRIPS_V1, listener)) {
            listener.await("trips-1", ids("trips-1"));
            awaitOpenWatch();
            int before = listener.snapshots.size();
            api.stop();
            assertThat(listener.awaitOutage()).isInstanceOf(KubernetesException.class).hasMessageContaining("connection refused")
                    .hasMessageContaining(api.url() + "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices");
            Thread.sleep(500);
            assertThat(listener.snapshots.subList(before, listener.snapshots.size())).as("no list replaces the last one during the outage").isEmpty();
            api.restart();
            api.apply("shop", slice("trips-v1-abc", "trips-v1", PORTS, endpoint("trips-1", "10.1.0.1", true, "zone-a"),
                    endpoint("trips-2", "10.1.0.2", true, "zone-a")));
            listener.awaitAfter(before, "both, after the API is back", ids("trips-1", "trips-2"));
        }
    }

    @Test
    void malformedAndHostileEventsNeverBreakTheWatch() throws Exception {
        api.apply("shop", slice("trips-v1-abc", "trips-v1", PORTS, endpoint("trips-1", "10.1.0.1", true, "zone-a")));
        try (KubernetesDiscovery small = KubernetesDiscovery.builder().apiServer(api.url()).token(TOKEN).namespace("shop")
                .maxLineBytes(64 * 1024).backoff(Duration.ofMillis(50), Duration.ofMillis(500)).build()) {
            RecordingWatchListener listener = new RecordingWatchListener();
            try (var watch = small.watch(TRIPS_V1, listener)) {
                listener.await("trips-1", ids("trips-1"));
                // Each line either ends the stream (the watch lists again) or is ignored; the next change arrives either way.
                Map<String, Boolean> hostile = new java.util.LinkedHashMap<>();
                hostile.put("{not json", true);
                hostile.put("[1,2,3]", true);
                hostile.put("{\"type\":\"ADDED\"}", true);
                hostile.put("{\"type\":\"ADDED\",\"object\":{\"metadata\":{}}}", true);
                hostile.put("{\"type\":\"SURPRISE\",\"object\":{\"metadata\":{\"name\":\"x\"}}}", false);
                hostile.put("{\"type\":\"ADDED\",\"object\":" + "[".repeat(5000) + "]".repeat(5000) + "}", true);
                hostile.put("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"" + "x".repeat(200_000) + "\"}}}", true);
                int n = 0;
                for (Map.Entry<String, Boolean> line : hostile.entrySet()) {
                    String what = line.getKey().substring(0, Math.min(40, line.getKey().length()));
                    awaitOpenWatch();
                    int lists = api.lists.get();
                    int seq = api.sendRaw(line.getKey());
                    if (line.getValue()) {
                        api.awaitWatchNewerThan(seq);
                        assertThat(api.lists.get()).as("listed again after " + what).isGreaterThan(lists);
                    }
                    String pod = "after-" + n++;
                    api.apply("shop", slice("trips-v1-abc", "trips-v1", PORTS, endpoint(pod, "10.1.0.5", true, "zone-a")));
                    listener.await("the change after " + what, ids(pod));
                }
                // Well-formed events carrying slices of the wrong shape: the bad parts are skipped.
                ObjectNode bad = slice("trips-v1-bad", "trips-v1", PORTS,
                        endpoint("ok-pod", "10.1.0.7", true, "zone-a"),
                        endpoint("bad-address", "not-an-ip", true, "zone-a"),
                        endpoint("huge-address", "1".repeat(10_000), true, "zone-a"));
                bad.withArray("endpoints").addObject().put("addresses", 42);
                bad.withArray("endpoints").add("a string");
                bad.withArray("ports").addObject().put("name", "http").put("port", "eighty");
                api.apply("shop", bad);
                api.apply("shop", slice("trips-v1-worse", "trips-v1", PORTS).put("ports", "all"));
                ObjectNode noPorts = slice("trips-v1-noports", "trips-v1", Map.of("metrics", 9090), endpoint("metrics-only", "10.1.0.8", true, "zone-a"));
                api.apply("shop", noPorts);
                listener.await("ok-pod next to the last good one", l -> l.stream().map(ServiceInstance::id).toList().contains("ok-pod") && l.size() == 2);
            }
            assertThat(listener.outages).isEmpty();
        }
    }

    @Test
    void aWrongTokenIsAClearError() throws Exception {
        try (KubernetesDiscovery wrong = backend("not-the-token")) {
            RecordingWatchListener listener = new RecordingWatchListener();
            try (var watch = wrong.watch(TRIPS_V1, listener)) {
                Throwable cause = listener.awaitOutage();
                assertThat(cause).isInstanceOf(KubernetesException.class)
                        .hasMessageContaining("HTTP 401: Unauthorized (expected: a valid bearer token");
                assertThat(((KubernetesException) cause).status()).isEqualTo(401);
            }
            assertThat(api.unauthorized.get()).isPositive();
        }
    }

    @Test
    void registeringIsLeftToThePlatform() {
        assertThatThrownBy(() -> k8s.register(new ServiceInstance("trips-1", "trips", Set.of(TRIPS_V1), Map.of(), Map.of(), true)))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageStartingWith("register(trips-1): the kubernetes discovery backend only resolves; Kubernetes registers pods itself");
    }

    @Test
    void inClusterConfigurationComesFromTheServiceAccountAndTheEnvironment(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("token"), TOKEN + "\n");
        Files.writeString(dir.resolve("namespace"), "shop");
        api.apply("shop", slice("trips-v1-abc", "trips-v1", PORTS, endpoint("trips-1", "10.1.0.1", true, "zone-a")));
        KubernetesDiscovery.Builder b = KubernetesDiscovery.builder()
                .inCluster(Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", "6443"), dir);
        assertThatThrownBy(b::build).hasMessageContaining("trustedCertificates: " + dir.resolve("ca.crt"));
        // The same files, over plain HTTP to the fake.
        try (KubernetesDiscovery inCluster = b.apiServer(api.url()).sslContext(javax.net.ssl.SSLContext.getDefault()).build()) {
            assertThat(inCluster.settings().namespace()).isEqualTo("shop");
            RecordingWatchListener listener = new RecordingWatchListener();
            try (var watch = inCluster.watch(TRIPS_V1, listener)) {
                listener.await("trips-1", ids("trips-1"));
            }
        }
        assertThatThrownBy(() -> KubernetesDiscovery.builder().inCluster(Map.of(), dir))
                .hasMessage("inCluster: KUBERNETES_SERVICE_HOST is not set (expected: running in a pod; outside a cluster set apiServer(..) and token(..))");
    }

    @Test
    void settingsComeFromPropertiesWithTheBuilderNames() {
        Properties p = new Properties();
        p.setProperty("k.apiServer", "https://10.96.0.1:443");
        p.setProperty("k.token", "abc");
        p.setProperty("k.namespace", "shop");
        p.setProperty("k.serviceName.trips/v1", "trip-management");
        p.setProperty("k.serviceNamePattern", "parley-{contract}-{major}");
        p.setProperty("k.port.grpc", "rpc,{host}:{port}");
        p.setProperty("k.watchTimeout", "PT1M");
        try (KubernetesDiscovery built = KubernetesDiscovery.fromProperties(p, "k.").build()) {
            KubernetesDiscovery.Settings s = built.settings();
            assertThat(s.apiServer().toString()).isEqualTo("https://10.96.0.1:443");
            assertThat(s.namespace()).isEqualTo("shop");
            assertThat(s.serviceName(TRIPS_V1)).isEqualTo("trip-management");
            assertThat(s.serviceName(new ContractVersion("pricing", 2))).isEqualTo("parley-pricing-2");
            assertThat(s.ports()).containsEntry("grpc", new KubernetesDiscovery.PortMapping("rpc", "{host}:{port}")).containsKey("http");
            assertThat(s.watchTimeout()).isEqualTo(Duration.ofMinutes(1));
        }
        Properties bad = new Properties();
        bad.setProperty("k.token", "has space");
        assertThatThrownBy(() -> KubernetesDiscovery.fromProperties(bad, "k.")).hasMessage(
                "k.token: '***': token: not a bearer token (expected: non-blank printable ASCII without spaces)");
        Properties badVersion = new Properties();
        badVersion.setProperty("k.serviceName.trips", "x");
        assertThatThrownBy(() -> KubernetesDiscovery.fromProperties(badVersion, "k.")).hasMessage(
                "k.serviceName.trips: 'x': 'trips' (expected: <contract>/v<major>, e.g. serviceName.trips/v1)");
        Properties badPort = new Properties();
        badPort.setProperty("k.port.http", "http");
        assertThatThrownBy(() -> KubernetesDiscovery.fromProperties(badPort, "k.")).hasMessageStartingWith("k.port.http: 'http': expected: <transport>,");
        Properties unknown = new Properties();
        unknown.setProperty("k.server", "x");
        assertThatThrownBy(() -> KubernetesDiscovery.fromProperties(unknown, "k.")).hasMessageStartingWith("k.server: 'x': unknown setting (expected: inCluster, apiServer");
        assertThatThrownBy(() -> KubernetesDiscovery.builder().build()).hasMessageStartingWith("apiServer: not set");
        assertThatThrownBy(() -> KubernetesDiscovery.builder().addressType("ipv4")).hasMessage("addressType: 'ipv4' (expected: IPv4, IPv6 or FQDN)");
    }

    private void awaitOpenWatch() throws InterruptedException {
        long deadline = System.nanoTime() + RecordingWatchListener.WAIT.toNanos();
        while (api.openWatches() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no watch open within " + RecordingWatchListener.WAIT);
            }
            Thread.sleep(10);
        }
    }
}
