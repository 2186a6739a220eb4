package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Async operations with a callback URL ({@code parley-callback}) over real sockets: a receiving
 * HTTP server gets the result, refused URLs are {@code 400} problems at request time, a failing
 * receiver is retried and then given up, and the status resource keeps working alongside.
 */
class AsyncCallbackTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SECRET = "0123456789abcdef-callback-secret".getBytes(StandardCharsets.UTF_8);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** What the receiver got: headers (lower-case names) and body. */
    record Received(Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : values.get(0);
        }
    }

    /** A served {@link Waiting} with callbacks enabled, and a receiving HTTP server answering {@code status}. */
    private static final class Fixture implements AutoCloseable {
        final BlockingQueue<CompletableFuture<Waiting.Served>> calls = new LinkedBlockingQueue<>();
        final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        final AtomicInteger attempts = new AtomicInteger();
        final HttpTransport transport;
        final Parley parley;
        final HttpServer receiver;
        final String base;
        final String callbackUrl;

        Fixture(AsyncCallbacks callbacks, int receiverStatus) throws Exception {
            transport = HttpTransport.builder().server(0).bindAddress("127.0.0.1").asyncCallbacks(callbacks).build();
            parley = Parley.builder().transport(transport).build();
            parley.serve(Waiting.class, request -> {
                CompletableFuture<Waiting.Served> reply = new CompletableFuture<>();
                calls.add(reply);
                return reply;
            });
            base = "http://127.0.0.1:" + transport.port();
            receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            receiver.createContext("/hooks/done", exchange -> {
                attempts.incrementAndGet();
                Map<String, List<String>> headers = new java.util.HashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v));
                headers.put(":method", List.of(exchange.getRequestMethod()));
                received.add(new Received(headers, exchange.getRequestBody().readAllBytes()));
                exchange.sendResponseHeaders(receiverStatus, -1);
                exchange.close();
            });
            receiver.start();
            callbackUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/done?tenant=t1";
        }

        CallbackSender sender() {
            return transport.serverForTests().callbacks();
        }

        @Override
        public void close() {
            calls.forEach(c -> c.complete(new Waiting.Served("closed")));
            parley.close();
            transport.close();
            receiver.stop(0);
        }
    }

    private HttpResponse<byte[]> awaitCall(String base, String ticket, String callback) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/waiting/await"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + ticket + "\"}"));
        if (callback != null) {
            request.header("parley-callback", callback);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void theReceiverGetsTheSignedResultAndThePollResourceStillAnswers() throws Exception {
        try (Fixture f = new Fixture(AsyncCallbacks.builder().allowPrivateNetworks().signingSecret(SECRET).build(), 204)) {
            HttpResponse<byte[]> accepted = awaitCall(f.base, "cb-1", f.callbackUrl);
            assertThat(accepted.statusCode()).as("202 at once: the result goes to the callback").isEqualTo(202);
            String location = accepted.headers().firstValue("location").orElseThrow();
            String id = location.substring(location.lastIndexOf('/') + 1);
            CompletableFuture<Waiting.Served> onServer = f.calls.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(onServer).isNotNull();
            assertThat(f.received).isEmpty();

            onServer.complete(new Waiting.Served("cb-1"));
            Received callback = f.received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(callback).isNotNull();
            assertThat(callback.header(":method")).isEqualTo("POST");
            assertThat(JSON.readTree(callback.body()).get("id").asText()).isEqualTo("cb-1");
            assertThat(callback.header("content-type")).startsWith("application/json");
            assertThat(callback.header("parley-operation-id")).isEqualTo(id);
            assertThat(callback.header("parley-reply-status")).isEqualTo("200");
            assertThat(callback.header("parley-status")).isEqualTo("ok");
            String timestamp = callback.header("parley-callback-timestamp");
            assertThat(Long.parseLong(timestamp)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(300L));
            assertThat(callback.header("parley-callback-signature"))
                    .isEqualTo("v1=" + CallbackSender.sign(SECRET, id, timestamp, callback.body()));
            assertThat(callback.header("parley-callback-signature"))
                    .isNotEqualTo("v1=" + CallbackSender.sign("another-secret-of-32-bytes......".getBytes(StandardCharsets.UTF_8), id, timestamp, callback.body()));
            awaitTrue(() -> f.sender().delivered() == 1, "the delivery is counted");

            HttpResponse<byte[]> polled = http.send(HttpRequest.newBuilder(URI.create(f.base + location)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(polled.statusCode()).isEqualTo(200);
            assertThat(polled.body()).isEqualTo(callback.body());
            assertThat(f.attempts).hasValue(1);
        }
    }

    @Test
    void anErrorResultIsSentAsAProblem() throws Exception {
        try (Fixture f = new Fixture(AsyncCallbacks.builder().allowPrivateNetworks().build(), 200)) {
            assertThat(awaitCall(f.base, "cb-err", f.callbackUrl).statusCode()).isEqualTo(202);
            f.calls.poll(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .completeExceptionally(dev.parley.ParleyException.of(ErrorCode.NOT_FOUND, "no ticket cb-err", Map.of()));
            Received callback = f.received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(callback).isNotNull();
            assertThat(callback.header("content-type")).isEqualTo("application/problem+json");
            assertThat(callback.header("parley-reply-status")).isEqualTo("404");
            assertThat(callback.header("parley-status")).isEqualTo("NOT_FOUND");
            assertThat(callback.header("parley-callback-signature")).as("unsigned without a secret").isNull();
            JsonNode problem = JSON.readTree(callback.body());
            assertThat(problem.get("code").asText()).isEqualTo("NOT_FOUND");
            assertThat(problem.get("detail").asText()).contains("no ticket cb-err");
        }
    }

    @Test
    void aNamedCallbackIsResolvedOncePerAttemptAndSentToTheCheckedAddress() throws Exception {
        List<String> lookups = new java.util.concurrent.CopyOnWriteArrayList<>();
        AsyncCallbacks callbacks = AsyncCallbacks.builder().allowPrivateNetworks().resolver(host -> {
            lookups.add(host);
            return List.of(InetAddress.getByName("127.0.0.1"));
        }).build();
        try (Fixture f = new Fixture(callbacks, 204)) {
            int port = URI.create(f.callbackUrl).getPort();
            String named = "http://hooks.customer.test:" + port + "/hooks/done";
            assertThat(awaitCall(f.base, "cb-named", named).statusCode()).isEqualTo(202);
            assertThat(lookups).as("not resolved on the request path").isEmpty();
            f.calls.poll(WAIT.toSeconds(), TimeUnit.SECONDS).complete(new Waiting.Served("cb-named"));
            Received callback = f.received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(callback).isNotNull();
            assertThat(callback.header("host")).isEqualTo("hooks.customer.test:" + port);
            awaitTrue(() -> f.sender().delivered() == 1, "the delivery is counted");
            assertThat(lookups).containsExactly("hooks.customer.test");
        }
    }

    @Test
    void aNameThatResolvesToARefusedAddressAtDeliveryIsGivenUpWithoutContact() throws Exception {
        // Accepted on the request path (names are not resolved there); at delivery time the name
        // answers the receiver and the metadata address. The guard refuses the whole answer, so
        // nothing connects, whichever address a later connection would have picked.
        AsyncCallbacks callbacks = AsyncCallbacks.builder().allowPrivateNetworks().attempts(3).backoff(Duration.ofMillis(10))
                .resolver(host -> List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("169.254.169.254")))
                .build();
        try (Fixture f = new Fixture(callbacks, 204)) {
            int port = URI.create(f.callbackUrl).getPort();
            assertThat(awaitCall(f.base, "cb-rebind", "http://rebind.customer.test:" + port + "/hooks/done").statusCode())
                    .isEqualTo(202);
            f.calls.poll(WAIT.toSeconds(), TimeUnit.SECONDS).complete(new Waiting.Served("cb-rebind"));
            awaitTrue(() -> f.sender().givenUp() == 1, "the callback was given up");
            assertThat(f.attempts).as("the receiver was never contacted").hasValue(0);
            assertThat(f.sender().delivered()).isZero();
        }
    }

    @Test
    void refusedCallbackUrlsAre400ProblemsAndNothingIsDispatched() throws Exception {
        try (Fixture f = new Fixture(AsyncCallbacks.defaults(), 200)) {
            for (String url : List.of(
                    f.callbackUrl,                                 // loopback, not allowed by default
                    "http://localhost:8080/hook",
                    "http://10.1.2.3/hook", "http://192.168.0.9/hook", "http://172.16.0.1/hook", "http://100.64.0.1/hook",
                    "http://169.254.169.254/latest/meta-data/",    // cloud metadata
                    "http://[::1]:9/hook", "http://[fe80::1]/hook", "http://[fd00:ec2::254]/", "http://[::ffff:127.0.0.1]/hook",
                    "http://0.0.0.0/hook", "http://2130706433/hook", "http://0177.0.0.1/hook", "http://0x7f.1/hook",
                    "ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "/relative/hook",
                    "http://user:pw@example.com/hook", "http://exa%6dple.com/hook", "http://example.com/hook#frag",
                    "http://bad host/hook", "http://" + "a".repeat(3000) + ".com/")) {
                HttpResponse<byte[]> refused = awaitCall(f.base, "refused", url);
                assertThat(refused.statusCode()).as(url).isEqualTo(400);
                assertThat(refused.headers().firstValue("content-type")).as(url).contains("application/problem+json");
                JsonNode problem = JSON.readTree(refused.body());
                assertThat(problem.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
                assertThat(problem.get("detail").asText()).as(url).startsWith("parley-callback: ");
            }
            assertThat(f.calls).as("no refused request reached the handler").isEmpty();
        }
    }

    @Test
    void callbacksAreRefusedWhereTheyDoNotApply() throws Exception {
        // Not enabled on this server.
        try (HttpTransport plain = HttpTransport.builder().server(0).bindAddress("127.0.0.1").build();
             Parley parley = Parley.builder().transport(plain).build()) {
            parley.serve(Waiting.class, request -> new CompletableFuture<>());
            parley.serve(Trips.class, new RecordingTrips());
            String base = "http://127.0.0.1:" + plain.port();
            HttpResponse<byte[]> off = awaitCall(base, "x", "https://example.com/hook");
            assertThat(off.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(off.body()).get("detail").asText()).contains("not enabled");
        }
        try (Fixture f = new Fixture(AsyncCallbacks.defaults(), 200)) {
            f.parley.serve(Trips.class, new RecordingTrips());
            // Not a request/async-response operation.
            HttpResponse<byte[]> sync = http.send(HttpRequest.newBuilder(URI.create(f.base + "/v1/trips/t-1"))
                    .header("parley-callback", "https://example.com/hook").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(sync.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(sync.body()).get("detail").asText()).contains("is not a request/async-response operation");
            // Two callbacks.
            HttpResponse<byte[]> twice = http.send(HttpRequest.newBuilder(URI.create(f.base + "/v1/waiting/await"))
                    .header("Content-Type", "application/json").header("parley-callback", "https://example.com/a")
                    .header("parley-callback", "https://example.com/b")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"two\"}")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(twice.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(twice.body()).get("detail").asText()).contains("more than one");
            assertThat(f.calls).isEmpty();
        }
    }

    @Test
    void aFailingReceiverIsRetriedThenGivenUpWithALogLine() throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        AsyncCallbacks callbacks = AsyncCallbacks.builder().allowPrivateNetworks().attempts(3).backoff(Duration.ofMillis(50))
                .timeout(Duration.ofSeconds(2)).build();
        try (Fixture f = new Fixture(callbacks, 503)) {
            String location = awaitCall(f.base, "cb-fail", f.callbackUrl).headers().firstValue("location").orElseThrow();
            String id = location.substring(location.lastIndexOf('/') + 1);
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            try {
                f.calls.poll(WAIT.toSeconds(), TimeUnit.SECONDS).complete(new Waiting.Served("cb-fail"));
                awaitTrue(() -> f.sender().givenUp() == 1, "the callback was given up");
            } finally {
                System.setErr(stderr);
            }
            assertThat(f.attempts).hasValue(3);
            assertThat(f.received).allSatisfy(r -> assertThat(r.header("parley-operation-id")).isEqualTo(id));
            assertThat(f.sender().delivered()).isZero();
            assertThat(log.toString(StandardCharsets.UTF_8))
                    .contains("async operation " + id + ": callback to " + f.callbackUrl + " given up after 3 attempts (last: answered 503)");
            // The result is still at the status resource.
            HttpResponse<byte[]> polled = http.send(HttpRequest.newBuilder(URI.create(f.base + location)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(polled.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(polled.body()).get("id").asText()).isEqualTo("cb-fail");
        }
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> AsyncCallbacks.builder().signingSecret(new byte[8]))
                .hasMessage("signingSecret: 8 bytes (expected: >= 16) for AsyncCallbacks");
        assertThatThrownBy(() -> AsyncCallbacks.builder().attempts(0)).hasMessage("attempts: 0 (expected: 1 to 20) for AsyncCallbacks");
        assertThatThrownBy(() -> AsyncCallbacks.builder().timeout(Duration.ZERO)).hasMessage("timeout: PT0S (expected: > 0) for AsyncCallbacks");
        assertThatThrownBy(() -> AsyncCallbacks.builder().backoff(Duration.ofSeconds(-1)))
                .hasMessage("backoff: PT-1S (expected: >= 0) for AsyncCallbacks");
        assertThatThrownBy(() -> HttpTransport.builder().asyncCallbacks(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AsyncCallbacks.builder().resolver(null)).isInstanceOf(NullPointerException.class);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(20); // polling, not asserting a duration
        }
    }
}
