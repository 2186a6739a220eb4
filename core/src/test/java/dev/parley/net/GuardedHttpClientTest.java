package dev.parley.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pinned-address POST client against real local sockets. */
class GuardedHttpClientTest {

    /** A request as a local receiver saw it. */
    record Received(String method, String target, String host, String body) {}

    final SsrfPolicy loopbackAllowed = SsrfPolicy.strict().allowing(AddressClass.LOOPBACK);
    final List<Received> received = new CopyOnWriteArrayList<>();
    volatile int answer = 204;
    volatile Map<String, String> answerHeaders = Map.of();
    HttpServer receiver;

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        receiver.createContext("/", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                        exchange.getRequestHeaders().getFirst("host"), body));
                answerHeaders.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                exchange.sendResponseHeaders(answer, -1);
            }
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    int port() {
        return receiver.getAddress().getPort();
    }

    @Test
    void connectsToTheAddressItCheckedAndResolvesOnce() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        List<String> asked = new ArrayList<>();
        HostResolver counting = host -> {
            lookups.incrementAndGet();
            asked.add(host);
            return List.of(InetAddress.getByName("127.0.0.1"));
        };
        GuardedHttpClient client = GuardedHttpClient.builder().ssrfPolicy(loopbackAllowed).resolver(counting).build();
        HttpResult r = client.post(URI.create("http://hooks.customer.test:" + port() + "/in?a=1"),
                Map.of("content-type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.isSuccess()).isTrue();
        assertThat(lookups).hasValue(1);
        assertThat(asked).containsExactly("hooks.customer.test");
        assertThat(received).containsExactly(new Received("POST", "/in?a=1", "hooks.customer.test:" + port(), "{}"));
    }

    @Test
    void aRebindingAnswerIsRefusedBeforeConnecting() {
        // The first address is the receiver, the second a private one: whichever a later
        // connection would pick, the name is refused and nothing is sent.
        HostResolver rebinding = host -> List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("10.0.0.5"));
        GuardedHttpClient client = GuardedHttpClient.builder().ssrfPolicy(loopbackAllowed).resolver(rebinding).build();
        assertThatThrownBy(() -> client.post(URI.create("http://rebind.test:" + port() + "/"), Map.of(), new byte[0]))
                .isInstanceOf(UnsafeTargetException.class).hasMessageContaining("10.0.0.5 is PRIVATE");
        assertThat(received).isEmpty();
    }

    @Test
    void refusedTargetIsNeverContacted() {
        GuardedHttpClient strict = GuardedHttpClient.builder().resolver(SsrfPolicyTest.DNS).build();
        assertThatThrownBy(() -> strict.post(URI.create("http://127.0.0.1:" + port() + "/"), Map.of(), new byte[0]))
                .isInstanceOf(UnsafeTargetException.class);
        assertThatThrownBy(() -> strict.post(URI.create("http://localhost:" + port() + "/"), Map.of(), new byte[0]))
                .isInstanceOf(UnsafeTargetException.class);
        assertThatThrownBy(() -> strict.post(URI.create("http://2130706433:" + port() + "/"), Map.of(), new byte[0]))
                .isInstanceOf(UnsafeTargetException.class);
        assertThat(received).isEmpty();
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        GuardedHttpClient client = GuardedHttpClient.builder().ssrfPolicy(loopbackAllowed).build();
        for (int status : new int[] {301, 302, 303, 307, 308}) {
            answer = status;
            answerHeaders = Map.of("location", "http://169.254.169.254/latest/meta-data/");
            HttpResult r = client.post(URI.create("http://127.0.0.1:" + port() + "/hook"), Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.isSuccess()).isFalse();
            assertThat(r.header("Location")).contains("http://169.254.169.254/latest/meta-data/");
        }
        assertThat(received).extracting(Received::target).containsOnly("/hook");
    }

    @Test
    void headersThatWouldSplitTheRequestAreRefused() {
        GuardedHttpClient client = GuardedHttpClient.builder().ssrfPolicy(loopbackAllowed).build();
        URI url = URI.create("http://127.0.0.1:" + port() + "/");
        assertThatThrownBy(() -> client.post(url, Map.of("x-a", "1\r\nhost: evil"), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x-a");
        assertThatThrownBy(() -> client.post(url, Map.of("bad name", "1"), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(received).isEmpty();
    }

    @Test
    void callerCannotOverrideFramingHeaders() throws Exception {
        GuardedHttpClient client = GuardedHttpClient.builder().ssrfPolicy(loopbackAllowed).build();
        client.post(URI.create("http://127.0.0.1:" + port() + "/"),
                Map.of("host", "internal.admin", "content-length", "0", "transfer-encoding", "chunked"),
                "abc".getBytes(StandardCharsets.UTF_8));
        assertThat(received).containsExactly(new Received("POST", "/", "127.0.0.1:" + port(), "abc"));
    }

    @Test
    void requestTimeoutBoundsASilentReceiver() throws Exception {
        try (RawReceiver silent = new RawReceiver(socket -> {})) { // accepts, reads nothing, answers nothing
            GuardedHttpClient client = GuardedHttpClient.builder().ssrfPolicy(loopbackAllowed)
                    .requestTimeout(Duration.ofMillis(300)).build();
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.post(silent.url(), Map.of(), "{}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void malformedOrOversizedAnswersAreIoErrors() throws Exception {
        GuardedHttpClient client = GuardedHttpClient.builder().ssrfPolicy(loopbackAllowed).build();
        try (RawReceiver junk = new RawReceiver(answering("SMTP ready\r\n\r\n"))) {
            assertThatThrownBy(() -> client.post(junk.url(), Map.of(), new byte[0]))
                    .isInstanceOf(IOException.class).hasMessageContaining("malformed status line");
        }
        try (RawReceiver huge = new RawReceiver(answering("HTTP/1.1 200 OK\r\nx: " + "a".repeat(20_000) + "\r\n\r\n"))) {
            assertThatThrownBy(() -> client.post(huge.url(), Map.of(), new byte[0]))
                    .isInstanceOf(IOException.class).hasMessageContaining("response head over");
        }
        try (RawReceiver cut = new RawReceiver(answering("HTTP/1.1 200 OK\r\ncontent-le"))) {
            assertThatThrownBy(() -> client.post(cut.url(), Map.of(), new byte[0])).isInstanceOf(IOException.class);
        }
    }

    @Test
    void interimAnswersAreSkippedAndTheSnippetIsBounded() throws Exception {
        GuardedHttpClient client = GuardedHttpClient.builder().ssrfPolicy(loopbackAllowed).snippetBytes(5).build();
        String chunked = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Oops\r\ntransfer-encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";
        try (RawReceiver r = new RawReceiver(answering(chunked))) {
            HttpResult result = client.post(r.url(), Map.of(), new byte[0]);
            assertThat(result.status()).isEqualTo(500);
            assertThat(result.snippet()).isEqualTo("abcde");
        }
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> GuardedHttpClient.builder().requestTimeout(Duration.ZERO))
                .hasMessageContaining("requestTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> GuardedHttpClient.builder().connectTimeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> GuardedHttpClient.builder().snippetBytes(-1)).hasMessageContaining("snippetBytes: -1");
    }

    static Consumer<Socket> answering(String response) {
        return socket -> {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(response.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                throw new IllegalStateException("test receiver could not answer", e);
            }
        };
    }

    /** A loopback socket server answering raw bytes, for answers no HTTP server would send. */
    static final class RawReceiver implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        RawReceiver(Consumer<Socket> onAccept) throws IOException {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket s = server.accept();
                        held.add(s);
                        onAccept.accept(s);
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
