package dev.parley.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ClientOptions;
import dev.parley.DeadlineExceededException;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.ParleyException;
import dev.parley.TransportException;
import dev.parley.message.Headers;
import dev.parley.resilience.BreakerPolicy;
import dev.parley.resilience.BulkheadPolicy;
import dev.parley.rpc.Echo.Msg;
import dev.parley.rpc.Echo.Slow;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Connection lifecycle over real sockets: drain, reconnect, backpressure, keepalive, a misbehaving server. */
class LifecycleTest {

    static RpcTransport server(int port, Consumer<RpcTransport.Builder> settings) {
        RpcTransport.Builder b = RpcTransport.builder().server(port).bindAddress("127.0.0.1");
        settings.accept(b);
        return b.build();
    }

    static Parley serving(RpcTransport rpc, Echo echo) {
        Parley p = Parley.builder().service("echo").transport(rpc).authenticator(RpcTransportTest.TOKENS).build();
        p.serve(Echo.class, echo);
        return p;
    }

    private static ErrorCode codeOf(Throwable t) {
        Throwable c = t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
        return c instanceof ParleyException p ? p.code() : null;
    }

    @Test
    void drainingFinishesCallsInFlightAndRefusesNewOnes() throws Exception {
        RpcTransport rpc = server(0, b -> b.drainTimeout(Duration.ofSeconds(10)));
        Parley server = serving(rpc, new RecordingEcho());
        try (RpcTransport clientRpc = RpcTransport.builder().target("127.0.0.1:" + rpc.port()).build();
             Parley client = Parley.builder().transport(clientRpc).build()) {
            Echo echo = client.client(Echo.class);
            assertThat(echo.echo(new Msg("warm"))).isEqualTo(new Msg("warm"));
            CompletableFuture<Echo.Remaining> slow = CompletableFuture.supplyAsync(() -> echo.slow(new Slow(800)));
            Polling.await("the slow call to reach the server", Duration.ofSeconds(5), () -> rpc.server().inFlight() == 1);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(rpc::close);
            Polling.await("the server to drain", Duration.ofSeconds(5), () -> rpc.server().draining());
            assertThatThrownBy(() -> echo.echo(new Msg("too late")))
                    .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.UNAVAILABLE));
            assertThat(slow.get(10, TimeUnit.SECONDS).remainingMillis()).isPositive();
            closing.get(10, TimeUnit.SECONDS);
        } finally {
            server.close();
            rpc.close();
        }
    }

    @Test
    void theClientReconnectsAfterTheServerRestarts() throws Exception {
        RpcTransport first = server(0, b -> { });
        int port = first.port();
        Parley firstServer = serving(first, new RecordingEcho());
        try (RpcTransport clientRpc = RpcTransport.builder().target("127.0.0.1:" + port)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200)).build();
             Parley client = Parley.builder().transport(clientRpc).build()) {
            Echo echo = client.client(Echo.class);
            assertThat(echo.echo(new Msg("one"))).isEqualTo(new Msg("one"));
            firstServer.close();
            first.close();
            assertThatThrownBy(() -> echo.echo(new Msg("nobody there")))
                    .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
            try (RpcTransport second = server(port, b -> { }); Parley secondServer = serving(second, new RecordingEcho())) {
                Polling.await("a call through a new connection", Duration.ofSeconds(10), () -> {
                    try {
                        return echo.echo(new Msg("two")).equals(new Msg("two"));
                    } catch (TransportException e) {
                        return false;
                    }
                });
            }
        }
    }

    @Test
    void aSlowServerMakesCallsQueueBoundedAndFailWithinTheirDeadline() throws Exception {
        RecordingEcho stuck = new RecordingEcho();
        try (RpcTransport rpc = server(0, b -> b.maxConcurrentCalls(2)); Parley server = serving(rpc, stuck);
             RpcTransport clientRpc = RpcTransport.builder().target("127.0.0.1:" + rpc.port()).maxQueuedBytes(1500).build();
             Parley client = Parley.builder().transport(clientRpc).build()) {
            Echo echo = client.client(Echo.class, ClientOptions.custom().deadline(Duration.ofMillis(800))
                    .bulkhead(BulkheadPolicy.maxConcurrentCalls(1000)).circuitBreaker(BreakerPolicy.disabled()).build());
            List<CompletableFuture<Msg>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(echo.await(new Msg("w" + i)).toCompletableFuture());
            }
            long started = System.nanoTime();
            int exhausted = 0;
            int expired = 0;
            for (CompletableFuture<Msg> call : calls) {
                try {
                    call.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (codeOf(e) == ErrorCode.RESOURCE_EXHAUSTED) {
                        exhausted++;
                    } else if (e.getCause() instanceof DeadlineExceededException) {
                        expired++;
                    } else {
                        throw e;
                    }
                }
            }
            // Two calls ran on the server, a few waited in the client's bounded queue until their deadline, the rest were refused at once.
            assertThat(exhausted).isGreaterThan(50);
            assertThat(expired).isGreaterThanOrEqualTo(2).isEqualTo(100 - exhausted);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(stuck.awaiting).hasSizeLessThanOrEqualTo(2 + 100 - exhausted);
            // Cancelled by their deadlines, the stuck calls left room: the connection serves again.
            Polling.await("the server to drop the cancelled calls", Duration.ofSeconds(5), () -> rpc.server().inFlight() == 0);
            assertThat(echo.echo(new Msg("free again"))).isEqualTo(new Msg("free again"));
        }
    }

    @Test
    void keepalivePingsDetectADeadServerAndOneWayNeedsNoAnswer() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (Socket s = silent.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    in.readFully(new byte[in.readInt()]); // HELLO
                    s.getOutputStream().write(RawConnection.bytes(new Frame.HelloAck(1, 1 << 20, 100, Headers.empty())));
                    drain(in); // reads calls and pings, answers nothing
                } catch (IOException e) {
                    // the client closed the connection: expected
                }
            });
            try (RpcTransport clientRpc = RpcTransport.builder().target("127.0.0.1:" + silent.getLocalPort())
                    .keepaliveInterval(Duration.ofMillis(200)).build();
                 Parley client = Parley.builder().transport(clientRpc).build()) {
                Echo echo = client.client(Echo.class, ClientOptions.custom().deadline(Duration.ofSeconds(20)).build());
                echo.note(new Msg("one-way: accepted without an answer"));
                long started = System.nanoTime();
                assertThatThrownBy(() -> echo.echo(new Msg("anyone?")))
                        .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.getMessage()).contains("keepalive"));
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            }
            peer.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aServerSpeakingNonsenseFailsTheCallsAsTransportErrors() throws Exception {
        try (ServerSocket rogue = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (Socket s = rogue.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    in.readFully(new byte[in.readInt()]);
                    s.getOutputStream().write(RawConnection.bytes(new Frame.HelloAck(1, 1 << 20, 100, Headers.empty())));
                    in.readFully(new byte[in.readInt()]); // the REQUEST
                    s.getOutputStream().write(new byte[] {0, 0, 0, 6, 0x55, 0, 0, 0, 0, 1});
                    drain(in);
                } catch (IOException e) {
                    // closed by the client: expected
                }
            });
            try (RpcTransport clientRpc = RpcTransport.builder().target("127.0.0.1:" + rogue.getLocalPort()).build();
                 Parley client = Parley.builder().transport(clientRpc).build()) {
                assertThatThrownBy(() -> client.client(Echo.class).echo(new Msg("hello?")))
                        .isInstanceOfSatisfying(TransportException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                            assertThat(e.getMessage()).contains("unknown frame type 0x55");
                        });
            }
            peer.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aServerWhoseRepliesPileUpStopsReadingUntilTheClientReads() throws Exception {
        try (RpcTransport rpc = server(0, b -> b.writeBufferHighWater(4096)); Parley server = serving(rpc, new RecordingEcho());
             Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", rpc.port()));
            byte[] hello = RawConnection.bytes(new Frame.Hello(1, 1, 1 << 20, Headers.empty()));
            byte[] pings = new byte[18 * 1024];
            byte[] ping = RawConnection.bytes(new Frame.Ping(1));
            for (int i = 0; i < 1024; i++) {
                System.arraycopy(ping, 0, pings, i * 18, 18);
            }
            // A client that sends pings and never reads the pongs: the server's outbound buffer fills up.
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    socket.getOutputStream().write(hello);
                    while (!Thread.currentThread().isInterrupted()) {
                        socket.getOutputStream().write(pings);
                    }
                } catch (IOException e) {
                    // the socket was closed at the end of the test
                }
            });
            Polling.await("the server to stop reading the connection", Duration.ofSeconds(20), () -> rpc.server().pausedConnections() == 1);
            // Reading the pongs lets the server write, and so read, again.
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    drain(socket.getInputStream());
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            Polling.await("the server to read again", Duration.ofSeconds(20), () -> rpc.server().pausedConnections() == 0);
            writer.interrupt();
            socket.close();
            reader.join(5000);
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[4096];
        while (in.read(buf) >= 0) {
            // discard
        }
    }
}
