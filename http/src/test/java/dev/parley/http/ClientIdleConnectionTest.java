package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.Parley;
import dev.parley.contract.Contract;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The client's idle connections over real sockets: closed after the client idle timeout, never
 * reused once the server closed them, and reused while alive.
 */
class ClientIdleConnectionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Contract(name = "echo", version = "1.0")
    public interface Echo {
        record Text(String value) {}

        Text echo(Text request);
    }

    /** A served {@link Echo} counting its calls, and a client of it. */
    private static final class Pair implements AutoCloseable {
        final AtomicInteger calls = new AtomicInteger();
        final HttpTransport server;
        final Parley serving;
        final HttpTransport clientTransport;
        final Parley client;
        final Echo echo;

        Pair(HttpTransport.Builder serverSettings, HttpTransport.Builder clientSettings) {
            server = serverSettings.server(0).bindAddress("127.0.0.1").build();
            serving = Parley.builder().transport(server).build();
            serving.serve(Echo.class, request -> {
                calls.incrementAndGet();
                return new Echo.Text(request.value());
            });
            clientTransport = clientSettings.target("http://127.0.0.1:" + server.port()).build();
            client = Parley.builder().transport(clientTransport).build();
            echo = client.client(Echo.class);
        }

        @Override
        public void close() {
            client.close();
            clientTransport.close();
            serving.close();
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP_1_1", "H2C"})
    void anIdleConnectionIsClosedByTheClientAfterItsIdleTimeout(HttpProtocol protocol) {
        try (Pair pair = new Pair(HttpTransport.builder(),
                HttpTransport.builder().protocol(protocol).clientIdleTimeout(Duration.ofMillis(300)))) {
            assertThat(pair.echo.echo(new Echo.Text("a")).value()).isEqualTo("a");
            assertThat(pair.server.openServerConnections()).isEqualTo(1);

            // The server's own idle timeout is 60 s: only the client can have closed it.
            awaitTrue(() -> pair.server.openServerConnections() == 0, "the client closed its idle connection");
            if (protocol == HttpProtocol.H2C) {
                assertThat(pair.clientTransport.http2ConnectionsInUse()).isZero();
            }
            assertThat(pair.echo.echo(new Echo.Text("b")).value()).isEqualTo("b");
            assertThat(pair.server.openServerConnections()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP_1_1", "H2C"})
    void aConnectionTheServerClosedWhileIdleIsNeverHandedToACall(HttpProtocol protocol) {
        try (Pair pair = new Pair(HttpTransport.builder().idleTimeout(Duration.ofMillis(200)),
                HttpTransport.builder().protocol(protocol).clientIdleTimeout(Duration.ofSeconds(60)))) {
            for (int round = 0; round < 3; round++) {
                String value = "round-" + round;
                assertThat(pair.echo.echo(new Echo.Text(value)).value()).isEqualTo(value);
                awaitTrue(() -> pair.server.openServerConnections() == 0, "the server closed the idle connection");
            }
            // A POST is not idempotent: every one reached the handler exactly once.
            assertThat(pair.calls).hasValue(3);
            assertThat(pair.echo.echo(new Echo.Text("after")).value()).isEqualTo("after");
        }
    }

    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP_1_1", "H2C"})
    void aConnectionInUseIsKeptAliveAndReused(HttpProtocol protocol) {
        try (Pair pair = new Pair(HttpTransport.builder(),
                HttpTransport.builder().protocol(protocol).clientIdleTimeout(Duration.ofSeconds(30)).maxConnectionsPerHost(1))) {
            for (int i = 0; i < 20; i++) {
                assertThat(pair.echo.echo(new Echo.Text("v" + i)).value()).isEqualTo("v" + i);
            }
            assertThat(pair.server.openServerConnections()).isEqualTo(1);
            assertThat(pair.calls).hasValue(20);
        }
    }

    @Test
    void theClientIdleTimeoutIsValidatedAndReadFromProperties() {
        assertThatThrownBy(() -> HttpTransport.builder().clientIdleTimeout(Duration.ZERO))
                .hasMessage("clientIdleTimeout: PT0S (expected: > 0) for HttpTransport");
        assertThatThrownBy(() -> HttpTransport.builder().clientIdleTimeout(Duration.ofSeconds(-1)))
                .hasMessage("clientIdleTimeout: PT-1S (expected: > 0) for HttpTransport");
        assertThatThrownBy(() -> HttpTransport.builder().clientIdleTimeout(null))
                .hasMessage("clientIdleTimeout: null (expected: > 0) for HttpTransport");
        Properties bad = new Properties();
        bad.setProperty("parley.http.clientIdleTimeout", "50s");
        assertThatThrownBy(() -> HttpTransport.fromProperties(bad, "parley.http."))
                .hasMessage("parley.http.clientIdleTimeout: '50s' (expected: an ISO-8601 duration such as PT2S)");

        Properties p = new Properties();
        p.setProperty("parley.http.server", "0");
        p.setProperty("parley.http.bindAddress", "127.0.0.1");
        p.setProperty("parley.http.clientIdleTimeout", "PT0.3S");
        try (HttpTransport server = HttpTransport.fromProperties(p, "parley.http.").build();
             Parley serving = Parley.builder().transport(server).build()) {
            serving.serve(Echo.class, request -> request);
            Properties c = new Properties();
            c.setProperty("parley.http.target", "http://127.0.0.1:" + server.port());
            c.setProperty("parley.http.clientIdleTimeout", "PT0.3S");
            try (HttpTransport clientTransport = HttpTransport.fromProperties(c, "parley.http.").build();
                 Parley client = Parley.builder().transport(clientTransport).build()) {
                assertThat(client.client(Echo.class).echo(new Echo.Text("p")).value()).isEqualTo("p");
                awaitTrue(() -> server.openServerConnections() == 0, "the 0.3 s client idle timeout from the properties applied");
            }
        }
    }

    /**
     * The race an idle timeout cannot rule out: the server closes a kept-alive connection just as
     * the next request arrives on it, without a byte of response. An idempotent request is sent
     * again on a new connection; a POST fails, since the server might have processed it.
     */
    @Test
    void anIdempotentRequestOnAKeptAliveConnectionClosedWithoutAnswerIsSentAgain() throws Exception {
        try (ClosingServer server = new ClosingServer()) {
            assertThat(server.call("GET", null)).isEqualTo("200 {\"connection\":1}");
            assertThat(server.call("GET", null)).isEqualTo("200 {\"connection\":2}");
            assertThat(server.requests).containsExactly("1: GET", "1: GET", "2: GET");
        }
    }

    @Test
    void aPostOnAKeptAliveConnectionClosedWithoutAnswerFails() throws Exception {
        try (ClosingServer server = new ClosingServer()) {
            assertThat(server.call("POST", "{}")).isEqualTo("200 {\"connection\":1}");
            assertThatThrownBy(() -> server.call("POST", "{}"))
                    .hasCauseInstanceOf(dev.parley.TransportException.class)
                    .hasMessageContaining("closed before the reply");
            assertThat(server.requests).containsExactly("1: POST", "1: POST");
        }
    }

    /**
     * A raw HTTP/1.1 server: its first connection answers one request with keep-alive, then reads
     * the next one and closes without answering; later connections answer every request.
     */
    private static final class ClosingServer implements AutoCloseable {
        final java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        final java.util.List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        final NettyIo nettyIo = new NettyIo(1, "stale-keep-alive-test");
        final HttpConnections connections = new HttpConnections(nettyIo, HttpProtocol.HTTP_1_1,
                new HttpTransport.Limits(8192, 1 << 20, Duration.ofSeconds(60), Duration.ofSeconds(10)), 1, 2000, 60_000, null);
        final Thread acceptor;

        ClosingServer() throws java.io.IOException {
            acceptor = Thread.ofVirtual().start(() -> {
                int n = 0;
                while (!listener.isClosed()) {
                    try {
                        java.net.Socket socket = listener.accept();
                        int connection = ++n;
                        Thread.ofVirtual().start(() -> serve(socket, connection));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
        }

        private void serve(java.net.Socket socket, int connection) {
            try (socket) {
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                        java.nio.charset.StandardCharsets.ISO_8859_1));
                java.io.OutputStream out = socket.getOutputStream();
                for (int served = 0; ; served++) {
                    String line = in.readLine();
                    if (line == null) {
                        return;
                    }
                    int length = 0;
                    for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                        if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                            length = Integer.parseInt(h.substring(15).trim());
                        }
                    }
                    in.skip(length);
                    requests.add(connection + ": " + line.split(" ")[0]);
                    if (connection == 1 && served == 1) {
                        return; // closed without a byte of answer
                    }
                    byte[] body = ("{\"connection\":" + connection + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    out.write(body);
                    out.flush();
                }
            } catch (java.io.IOException e) {
                // the client went away
            }
        }

        String call(String method, String body) throws Exception {
            java.util.concurrent.CompletableFuture<String> outcome = new java.util.concurrent.CompletableFuture<>();
            io.netty.handler.codec.http.DefaultFullHttpRequest request = new io.netty.handler.codec.http.DefaultFullHttpRequest(
                    io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.valueOf(method), "/v1/x",
                    body == null ? io.netty.buffer.Unpooled.EMPTY_BUFFER
                            : io.netty.buffer.Unpooled.copiedBuffer(body, java.nio.charset.StandardCharsets.UTF_8));
            request.headers().set("host", "127.0.0.1").set("content-length", request.content().readableBytes());
            connections.exchange(new HttpConnections.Origin("127.0.0.1", listener.getLocalPort()), request, new HttpConnections.Outcome() {
                @Override
                public void response(int status, io.netty.handler.codec.http.HttpHeaders headers, byte[] bytes) {
                    outcome.complete(status + " " + new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
                }

                @Override
                public void failure(dev.parley.TransportException failure) {
                    outcome.completeExceptionally(failure);
                }
            });
            return outcome.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            listener.close();
            connections.close();
            nettyIo.group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long until = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            try {
                Thread.sleep(20); // polling, not asserting a duration
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
