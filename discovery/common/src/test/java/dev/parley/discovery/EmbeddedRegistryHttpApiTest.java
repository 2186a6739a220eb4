package dev.parley.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.testkit.ManualClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registry's HTTP API over a real socket, with hostile and out-of-order input; time from a ManualClock. */
class EmbeddedRegistryHttpApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ManualClock clock = ManualClock.create();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private EmbeddedRegistry registry;

    @BeforeEach
    void start() {
        registry = EmbeddedRegistry.builder().port(0).clock(clock).maxInstances(3).maxBodyBytes(4096).start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    record Reply(int status, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private Reply send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(registry.url() + path)).timeout(Duration.ofSeconds(10));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("content-type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    private static String instance(String id, String contracts) {
        return "{\"id\":\"" + id + "\",\"service\":\"trips\",\"contracts\":" + contracts
                + ",\"addresses\":{\"http\":\"http://127.0.0.1:8080\"},\"metadata\":{\"zone\":\"a\"},\"ready\":true}";
    }

    private String register(String id, long ttl) throws Exception {
        Reply r = send("POST", "/v1/leases", "{\"instance\":" + instance(id, "[\"trips/v1\"]") + ",\"ttlMillis\":" + ttl + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("leaseId").asText();
    }

    private JsonNode query(String contract, int major) throws Exception {
        Reply r = send("GET", "/v1/instances?contract=" + contract + "&major=" + major + "&index=0&epoch=&waitMillis=0", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void registerHeartbeatReadinessQueryAndDeregister() throws Exception {
        String lease = register("trips-1", 5000);
        JsonNode answer = query("trips", 1);
        assertThat(answer.get("instances")).hasSize(1);
        assertThat(answer.get("instances").get(0).get("id").asText()).isEqualTo("trips-1");
        assertThat(answer.get("epoch").asText()).isEqualTo(registry.epoch());
        assertThat(query("trips", 2).get("instances")).isEmpty();

        assertThat(send("POST", "/v1/leases/" + lease + "/heartbeat", "{}").status()).isEqualTo(200);
        assertThat(send("PUT", "/v1/leases/" + lease + "/ready", "{\"ready\":false}").status()).isEqualTo(200);
        assertThat(query("trips", 1).get("instances").get(0).get("ready").asBoolean()).isFalse();

        assertThat(send("DELETE", "/v1/leases/" + lease, null).status()).isEqualTo(204);
        assertThat(query("trips", 1).get("instances")).isEmpty();
        assertThat(send("DELETE", "/v1/leases/" + lease, null).status()).as("deregistering twice is fine").isEqualTo(204);
    }

    @Test
    void aLeaseLapsesWhenItsTtlPassesWithoutHeartbeat() throws Exception {
        String lease = register("trips-1", 1000);
        register("trips-2", 3000);
        clock.advance(Duration.ofMillis(999));
        assertThat(query("trips", 1).get("instances")).hasSize(2);
        clock.advance(Duration.ofMillis(1));
        assertThat(query("trips", 1).get("instances")).hasSize(1);
        Reply heartbeat = send("POST", "/v1/leases/" + lease + "/heartbeat", "{}");
        assertThat(heartbeat.status()).isEqualTo(404);
        assertThat(heartbeat.body()).contains("unknown or has lapsed");
    }

    @Test
    void heartbeatsKeepALeaseAlive() throws Exception {
        String lease = register("trips-1", 1000);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMillis(600));
            assertThat(send("POST", "/v1/leases/" + lease + "/heartbeat", "{}").status()).isEqualTo(200);
        }
        assertThat(query("trips", 1).get("instances")).hasSize(1);
    }

    @Test
    void theSweeperDropsLapsedLeasesWithoutRequests() {
        registry.close();
        registry = EmbeddedRegistry.builder().port(0).clock(clock).start();
        try {
            register("trips-1", 1000);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        clock.advance(Duration.ofMillis(1250));
        assertThat(registry.instances()).isEmpty();
    }

    @Test
    void aBlockingQueryReturnsOnChangeOrWhenItsWaitPasses() throws Exception {
        JsonNode first = query("trips", 1);
        long index = first.get("index").asLong();
        String epoch = first.get("epoch").asText();
        String path = "/v1/instances?contract=trips&major=1&index=" + index + "&epoch=" + epoch + "&waitMillis=30000";

        CompletableFuture<Reply> held = CompletableFuture.supplyAsync(() -> sendUnchecked("GET", path));
        Thread.sleep(300); // the query must be held, not answered
        assertThat(held).isNotDone();
        register("trips-1", 60_000);
        Reply changed = held.get(10, TimeUnit.SECONDS);
        assertThat(changed.json().get("instances")).hasSize(1);
        assertThat(changed.json().get("index").asLong()).isGreaterThan(index);

        // No change: answered when the wait passes on the registry's clock.
        String again = "/v1/instances?contract=trips&major=1&index=" + changed.json().get("index").asLong() + "&epoch=" + epoch + "&waitMillis=5000";
        CompletableFuture<Reply> idle = CompletableFuture.supplyAsync(() -> sendUnchecked("GET", again));
        awaitPendingTimer();
        assertThat(idle).isNotDone();
        clock.advance(Duration.ofSeconds(5));
        assertThat(idle.get(10, TimeUnit.SECONDS).json().get("instances")).hasSize(1);

        // A change to another contract version does not wake it.
        String other = "/v1/instances?contract=trips&major=2&index=" + changed.json().get("index").asLong() + "&epoch=" + epoch + "&waitMillis=5000";
        CompletableFuture<Reply> v2 = CompletableFuture.supplyAsync(() -> sendUnchecked("GET", other));
        awaitPendingTimer();
        register("trips-3", 60_000);
        Thread.sleep(200);
        assertThat(v2).isNotDone();
        clock.advance(Duration.ofSeconds(5));
        assertThat(v2.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }

    @Test
    void aQueryWithAnotherEpochIsAnsweredAtOnce() throws Exception {
        Reply r = send("GET", "/v1/instances?contract=trips&major=1&index=5&epoch=an-old-registry&waitMillis=60000", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("epoch").asText()).isEqualTo(registry.epoch());
    }

    @Test
    void malformedJsonIsRejectedWith400() throws Exception {
        Reply r = send("POST", "/v1/leases", "{\"instance\": {\"id\": ");
        assertThat(r.status()).isEqualTo(400);
        assertThat(registry.instances()).isEmpty();
        assertThat(send("POST", "/v1/leases", "[1,2,3]").status()).isEqualTo(400);
        assertThat(send("POST", "/v1/leases", "{\"instance\": \"trips\", \"ttlMillis\": 1000}").status()).isEqualTo(400);
    }

    @Test
    void anOversizedBodyIsRejectedWith413() throws Exception {
        String huge = "{\"instance\":" + instance("big", "[\"trips/v1\"]").replace("\"zone\":\"a\"", "\"zone\":\"" + "x".repeat(10_000) + "\"")
                + ",\"ttlMillis\":1000}";
        assertThat(send("POST", "/v1/leases", huge).status()).isEqualTo(413);
        assertThat(registry.instances()).isEmpty();
    }

    @Test
    void invalidInstancesAreRejectedNamingTheField() throws Exception {
        Reply noInstance = send("POST", "/v1/leases", "{\"ttlMillis\":1000}");
        assertThat(noInstance.status()).isEqualTo(400);
        assertThat(noInstance.body()).contains("instance: missing");

        Reply badContract = send("POST", "/v1/leases", "{\"instance\":" + instance("a", "[\"Trips/1\"]") + ",\"ttlMillis\":1000}");
        assertThat(badContract.status()).isEqualTo(400);
        assertThat(badContract.body()).contains("instance.contracts: 'Trips/1'");

        Reply noContracts = send("POST", "/v1/leases", "{\"instance\":" + instance("a", "[]") + ",\"ttlMillis\":1000}");
        assertThat(noContracts.body()).contains("instance.contracts: 0 entries");

        Reply badId = send("POST", "/v1/leases", "{\"instance\":" + instance("../etc", "[\"trips/v1\"]") + ",\"ttlMillis\":1000}");
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.body()).contains("instance.id: '../etc'");

        String noAddress = instance("a", "[\"trips/v1\"]").replace("{\"http\":\"http://127.0.0.1:8080\"}", "{}");
        assertThat(send("POST", "/v1/leases", "{\"instance\":" + noAddress + ",\"ttlMillis\":1000}").body()).contains("instance.addresses: empty");

        String badWeight = instance("a", "[\"trips/v1\"]").replace("\"zone\":\"a\"", "\"weight\":\"-3\"");
        assertThat(send("POST", "/v1/leases", "{\"instance\":" + badWeight + ",\"ttlMillis\":1000}").body()).contains("instance.metadata.weight: '-3'");
        assertThat(registry.instances()).isEmpty();
    }

    @Test
    void ttlsOutsideTheLimitsAreRejected() throws Exception {
        for (String ttl : new String[] {"0", "-1", "999", "300001"}) {
            Reply r = send("POST", "/v1/leases", "{\"instance\":" + instance("a", "[\"trips/v1\"]") + ",\"ttlMillis\":" + ttl + "}");
            assertThat(r.status()).as("ttl " + ttl).isEqualTo(400);
            assertThat(r.body()).contains("ttlMillis: " + ttl + " (expected: 1000..300000)");
        }
        assertThat(send("POST", "/v1/leases", "{\"instance\":" + instance("a", "[\"trips/v1\"]") + ",\"ttlMillis\":\"soon\"}").status()).isEqualTo(400);
    }

    @Test
    void unknownLeasesAnswer404AndBadLeaseIds400() throws Exception {
        assertThat(send("POST", "/v1/leases/7c3b2a52-0000-4000-8000-000000000000/heartbeat", "{}").status()).isEqualTo(404);
        assertThat(send("PUT", "/v1/leases/7c3b2a52-0000-4000-8000-000000000000/ready", "{\"ready\":true}").status()).isEqualTo(404);
        assertThat(send("POST", "/v1/leases/%2e%2e%2f/heartbeat", "{}").status()).isIn(400, 404);
    }

    @Test
    void aFullRegistryAnswers429ButLetsKnownInstancesRegisterAgain() throws Exception {
        register("a", 5000);
        register("b", 5000);
        register("c", 5000);
        Reply full = send("POST", "/v1/leases", "{\"instance\":" + instance("d", "[\"trips/v1\"]") + ",\"ttlMillis\":1000}");
        assertThat(full.status()).isEqualTo(429);
        assertThat(full.body()).contains("registry is full");
        register("a", 5000); // a restarted instance replaces its old lease
        assertThat(registry.instances()).hasSize(3);
    }

    @Test
    void badQueriesAreRejected() throws Exception {
        assertThat(send("GET", "/v1/instances?contract=Trips&major=1&index=0&epoch=&waitMillis=0", null).body()).contains("contract: 'Trips'");
        assertThat(send("GET", "/v1/instances?contract=trips&major=-1&index=0&epoch=&waitMillis=0", null).status()).isEqualTo(400);
        assertThat(send("GET", "/v1/instances?contract=trips&major=1&index=-4&epoch=&waitMillis=0", null).body()).contains("index: -4");
        assertThat(send("GET", "/v1/instances?contract=trips&major=1&index=0&epoch=&waitMillis=60001", null).body()).contains("waitMillis: 60001");
        assertThat(send("GET", "/v1/instances?contract=trips&major=one", null).status()).isEqualTo(400);
        assertThat(send("GET", "/v1/instances", null).status()).isEqualTo(400);
    }

    @Test
    void unknownRoutesAndMethodsAreRefused() throws Exception {
        assertThat(send("GET", "/v1/leases", null).status()).isIn(404, 405);
        assertThat(send("PATCH", "/v1/instances", "{}").status()).isIn(404, 405);
        assertThat(send("GET", "/v2/instances?contract=trips&major=1", null).status()).isIn(404, 501);
    }

    private Reply sendUnchecked(String method, String path) {
        try {
            return send(method, path, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until a blocking query has scheduled its timeout on the manual clock (the sweeper's task is always there). */
    private void awaitPendingTimer() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (clock.pendingTasks() < 2 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(clock.pendingTasks()).as("the blocking query is waiting").isGreaterThanOrEqualTo(2);
    }
}
