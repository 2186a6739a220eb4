package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.ParleyException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What a plain HTTP client sees of a request/async-response operation: 202, a status resource, its reply. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsyncOperationHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpTransport transport;
    private Parley parley;
    private String base;
    private final BlockingQueue<CompletableFuture<Waiting.Served>> waiting = new LinkedBlockingQueue<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void start() {
        transport = HttpTransport.builder().server(0).bindAddress("127.0.0.1").build();
        parley = Parley.builder().transport(transport).build();
        parley.serve(Waiting.class, request -> {
            CompletableFuture<Waiting.Served> reply = new CompletableFuture<>();
            waiting.add(reply);
            return reply;
        });
        parley.serve(Trips.class, new RecordingTrips());
        base = "http://127.0.0.1:" + transport.port();
    }

    @AfterAll
    void stop() {
        waiting.forEach(f -> f.cancel(true));
        parley.close();
        transport.close();
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest.Builder await(String ticket) {
        return HttpRequest.newBuilder(URI.create(base + "/v1/waiting/await")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + ticket + "\"}"));
    }

    private HttpRequest.Builder at(String location) {
        return HttpRequest.newBuilder(URI.create(base + location));
    }

    /**
     * Polls the status resource as a client would, until it stops answering 202: the handler's stage
     * completing and the reply reaching the operation are separate steps, so the first poll after
     * completing may still see the operation pending.
     */
    private HttpResponse<byte[]> settled(String location) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        HttpResponse<byte[]> response = send(at(location).GET());
        while (response.statusCode() == 202 && System.nanoTime() < deadline) {
            Thread.sleep(10);
            response = send(at(location).GET());
        }
        return response;
    }

    /** Starts a call with {@code Prefer: respond-async}: answered 202 while the handler still holds its stage. */
    private String accepted(String ticket) throws Exception {
        HttpResponse<byte[]> accepted = send(await(ticket).header("Prefer", "respond-async"));
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.headers().firstValue("preference-applied")).contains("respond-async");
        assertThat(accepted.headers().firstValue("retry-after")).contains("1");
        String location = accepted.headers().firstValue("location").orElseThrow();
        assertThat(location).matches("/v1/operations/[A-Za-z0-9_-]{22}");
        return location;
    }

    @Test
    void preferRespondAsyncGets202ThenPollingGets202ThenTheReply() throws Exception {
        String location = accepted("a-1");
        CompletableFuture<Waiting.Served> onServer = waiting.poll(5, TimeUnit.SECONDS);
        assertThat(onServer).isNotNull();

        HttpResponse<byte[]> pending = send(at(location).GET());
        assertThat(pending.statusCode()).isEqualTo(202);
        assertThat(pending.headers().firstValue("retry-after")).contains("1");

        onServer.complete(new Waiting.Served("a-1"));
        HttpResponse<byte[]> done = settled(location);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.headers().firstValue("content-type")).contains("application/json");
        assertThat(done.headers().firstValue("parley-status")).contains("ok");
        assertThat(JSON.readTree(done.body()).get("id").asText()).isEqualTo("a-1");
        // The result stays fetchable until it expires or is deleted.
        assertThat(send(at(location).GET()).statusCode()).isEqualTo(200);
        assertThat(send(at(location).DELETE()).statusCode()).isEqualTo(204);
        assertThat(send(at(location).GET()).statusCode()).isEqualTo(404);
    }

    @Test
    void aFailureIsAProblemOnThePoll() throws Exception {
        String location = accepted("a-2");
        waiting.poll(5, TimeUnit.SECONDS).completeExceptionally(
                ParleyException.of(ErrorCode.CONFLICT, "ticket a-2 was taken", Map.of("ticket", "a-2")));
        HttpResponse<byte[]> failed = settled(location);
        assertThat(failed.statusCode()).isEqualTo(409);
        assertThat(failed.headers().firstValue("content-type")).contains("application/problem+json");
        JsonNode problem = JSON.readTree(failed.body());
        assertThat(problem.get("code").asText()).isEqualTo("CONFLICT");
        assertThat(problem.get("detail").asText()).isEqualTo("ticket a-2 was taken");
        assertThat(problem.get("details").get("ticket").asText()).isEqualTo("a-2");
    }

    @Test
    void deleteCancelsTheHandlersStage() throws Exception {
        String location = accepted("a-3");
        CompletableFuture<Waiting.Served> onServer = waiting.poll(5, TimeUnit.SECONDS);
        HttpResponse<byte[]> deleted = send(at(location).DELETE());
        assertThat(deleted.statusCode()).isEqualTo(204);
        Assertions.assertThatThrownBy(() -> onServer.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        assertThat(send(at(location).GET()).statusCode()).isEqualTo(404);
    }

    @Test
    void withoutPreferAReplyNotReadyWithinTheGracePeriodIsAlso202() throws Exception {
        long start = System.nanoTime();
        HttpResponse<byte[]> accepted = send(await("a-4"));
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(AsyncOperations.GRACE.toMillis());
        assertThat(accepted.headers().firstValue("preference-applied")).isEmpty();
        String location = accepted.headers().firstValue("location").orElseThrow();
        waiting.poll(5, TimeUnit.SECONDS).complete(new Waiting.Served("a-4"));
        assertThat(JSON.readTree(settled(location).body()).get("id").asText()).isEqualTo("a-4");
    }

    @Test
    void aReplyReadyWithinTheGracePeriodIsDirect() throws Exception {
        HttpResponse<byte[]> direct = send(HttpRequest.newBuilder(URI.create(base + "/v1/trips/t-1/quote"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(direct.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(direct.body()).get("amount").asInt()).isEqualTo(126);
    }

    @Test
    void unknownOperationsAre404AndOtherVerbs405() throws Exception {
        assertThat(send(at("/v1/operations/AAAAAAAAAAAAAAAAAAAAAA").GET()).statusCode()).isEqualTo(404);
        assertThat(send(at("/v1/operations/AAAAAAAAAAAAAAAAAAAAAA").DELETE()).statusCode()).isEqualTo(404);
        String location = accepted("a-5");
        assertThat(send(at(location.replace("/v1/", "/v2/")).GET()).statusCode()).isEqualTo(404);
        HttpResponse<byte[]> put = send(at(location).PUT(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("allow")).contains("DELETE, GET");
        waiting.poll(5, TimeUnit.SECONDS).complete(new Waiting.Served("a-5"));
    }

    @Test
    void theStatusResourceOutlivesTheConnectionThatStartedIt() throws Exception {
        // A fresh client (and connection) for the request, closed before polling from another.
        String location;
        try (HttpClient once = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<byte[]> accepted = once.send(await("a-6").header("Prefer", "respond-async").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            location = accepted.headers().firstValue("location").orElseThrow();
        }
        CompletableFuture<Waiting.Served> onServer = waiting.poll(5, TimeUnit.SECONDS);
        assertThat(onServer.complete(new Waiting.Served("a-6"))).as("not cancelled with the connection").isTrue();
        assertThat(JSON.readTree(settled(location).body()).get("id").asText()).isEqualTo("a-6");
    }
}
