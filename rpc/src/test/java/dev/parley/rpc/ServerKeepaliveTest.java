package dev.parley.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.rpc.Echo.Msg;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The server's keepalive pings over real sockets: a silent peer is pinged and dropped (its calls
 * cancelled), a peer that answers stays, PONGs nobody asked for change nothing, and the pings can
 * be turned off.
 */
class ServerKeepaliveTest {

    /** Generous against a loaded machine: only the silent peers wait the whole timeout. */
    private static final Duration INTERVAL = Duration.ofMillis(150);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static RpcTransport server(Consumer<RpcTransport.Builder> settings) {
        return LifecycleTest.server(0, settings);
    }

    private static Parley serving(RpcTransport rpc, Echo echo) {
        return LifecycleTest.serving(rpc, echo);
    }

    private static Envelope request(String operation, String json) {
        Headers h = Headers.builder().set(StandardHeaders.CONTRACT, "echo").set(StandardHeaders.CONTRACT_VERSION, "1.0")
                .set(StandardHeaders.OPERATION, operation).set(StandardHeaders.CONTENT_TYPE, "application/json").build();
        return Envelope.of(h, json.getBytes(StandardCharsets.UTF_8));
    }

    /** The next frame that is not a PING, answering none. */
    private static Frame.Ping nextPing(RawConnection c) throws Exception {
        Frame f = c.read();
        assertThat(f).as("a keepalive PING from the server").isInstanceOf(Frame.Ping.class);
        return (Frame.Ping) f;
    }

    @Test
    void aSilentPeerIsPingedThenDroppedAndItsCallsCancelled() throws Exception {
        RecordingEcho echo = new RecordingEcho();
        try (RpcTransport rpc = server(b -> b.serverKeepaliveInterval(INTERVAL).serverKeepaliveTimeout(Duration.ofMillis(500)));
             Parley server = serving(rpc, echo);
             RawConnection c = new RawConnection(rpc.port()).handshake()) {
            c.send(new Frame.Request(1, request("slow", "{\"sleepMillis\":60000}")));
            Polling.await("the call to reach the handler", Duration.ofSeconds(5), () -> rpc.server().inFlight() == 1);
            // From here on the peer reads but never writes.
            Frame.Ping ping = nextPing(c);
            assertThat(ping.payload()).isNotZero();
            assertThat(c.readUntilClosed()).isInstanceOfSatisfying(Frame.Error.class, e -> {
                assertThat(e.streamId()).isZero();
                assertThat(e.code()).isEqualTo(RpcErrorCodes.number(ErrorCode.UNAVAILABLE));
                assertThat(e.message()).contains("keepalive ping").contains("PT0.5S");
            });
            Polling.await("the server to forget the connection and its call", Duration.ofSeconds(5),
                    () -> rpc.openServerConnections() == 0 && rpc.server().inFlight() == 0);
            assertThat(echo.slowInterrupted.await(5, TimeUnit.SECONDS)).as("the handler is interrupted").isTrue();
        }
    }

    @Test
    void aPeerThatAnswersPingsStaysConnected() throws Exception {
        try (RpcTransport rpc = server(b -> b.serverKeepaliveInterval(INTERVAL).serverKeepaliveTimeout(TIMEOUT));
             Parley server = serving(rpc, new RecordingEcho());
             RawConnection c = new RawConnection(rpc.port()).handshake()) {
            long previous = Long.MIN_VALUE;
            for (int i = 0; i < 4; i++) {
                Frame.Ping ping = nextPing(c);
                assertThat(ping.payload()).as("a fresh payload per ping").isNotEqualTo(previous);
                previous = ping.payload();
                c.send(new Frame.Pong(ping.payload()));
            }
            c.send(new Frame.Request(1, request("echo", "{\"text\":\"still here\"}")));
            Frame answer = c.read();
            while (answer instanceof Frame.Ping ping) {
                c.send(new Frame.Pong(ping.payload()));
                answer = c.read();
            }
            assertThat(answer).isInstanceOfSatisfying(Frame.Reply.class, r -> {
                assertThat(r.streamId()).isEqualTo(1);
                assertThat(new String(r.message().body(), StandardCharsets.UTF_8)).isEqualTo("{\"text\":\"still here\"}");
            });
            assertThat(rpc.openServerConnections()).isEqualTo(1);
        }
    }

    @Test
    void unsolicitedAndMismatchedPongsAreHarmless() throws Exception {
        try (RpcTransport rpc = server(b -> b.serverKeepaliveInterval(INTERVAL).serverKeepaliveTimeout(TIMEOUT));
             Parley server = serving(rpc, new RecordingEcho());
             RawConnection c = new RawConnection(rpc.port()).handshake()) {
            c.send(new Frame.Pong(12345)).send(new Frame.Pong(0));
            Frame.Ping first = nextPing(c);
            // A stale PONG, a wrong one and a duplicate: the server matches nothing, any frame is a sign of life.
            c.send(new Frame.Pong(first.payload() - 1)).send(new Frame.Pong(first.payload())).send(new Frame.Pong(first.payload()));
            Frame.Ping second = nextPing(c);
            c.send(new Frame.Pong(~second.payload()));
            // The peer's own PING is answered as ever, and a call goes through.
            c.send(new Frame.Ping(77)).send(new Frame.Request(3, request("echo", "{\"text\":\"fine\"}")));
            boolean ponged = false;
            boolean replied = false;
            while (!(ponged && replied)) {
                Frame f = c.read();
                assertThat(f).as("the connection stays open").isNotNull();
                switch (f) {
                    case Frame.Pong pong -> {
                        assertThat(pong.payload()).isEqualTo(77);
                        ponged = true;
                    }
                    case Frame.Reply reply -> {
                        assertThat(reply.streamId()).isEqualTo(3);
                        replied = true;
                    }
                    case Frame.Ping ping -> c.send(new Frame.Pong(ping.payload()));
                    default -> throw new AssertionError("unexpected " + f);
                }
            }
            assertThat(rpc.openServerConnections()).isEqualTo(1);
        }
    }

    @Test
    void aParleyClientStaysConnectedAcrossManyIntervals() throws Exception {
        // The client's own keepalive (30 s) stays quiet: the server's pings and the client's PONGs keep the connection.
        try (RpcTransport rpc = server(b -> b.serverKeepaliveInterval(Duration.ofMillis(100)).serverKeepaliveTimeout(TIMEOUT));
             Parley server = serving(rpc, new RecordingEcho());
             RpcTransport clientRpc = RpcTransport.builder().target("127.0.0.1:" + rpc.port()).build();
             Parley client = Parley.builder().transport(clientRpc).build()) {
            Echo echo = client.client(Echo.class);
            assertThat(echo.echo(new Msg("one"))).isEqualTo(new Msg("one"));
            // The count covers open connections only, and the client reconnects only on a call: five pings on one connection.
            Polling.await("five keepalive pings on the connection", Duration.ofSeconds(20), () -> rpc.server().keepalivePingsSent() >= 5);
            assertThat(rpc.openServerConnections()).isEqualTo(1);
            assertThat(echo.echo(new Msg("two"))).isEqualTo(new Msg("two"));
            assertThat(rpc.openServerConnections()).isEqualTo(1);
        }
    }

    @Test
    void nothingIsPingedBeforeTheHandshakeNorWhenTurnedOff() throws Exception {
        // Before HELLO only the handshake timeout applies: the server closes without having sent a byte.
        try (RpcTransport rpc = server(b -> b.serverKeepaliveInterval(Duration.ofMillis(50)).handshakeTimeout(Duration.ofMillis(800)));
             RawConnection c = new RawConnection(rpc.port())) {
            assertThat(c.readUntilClosed()).isNull();
        }
        // Turned off: an idle connection gets no PING; the idle timeout closes it, silently.
        try (RpcTransport rpc = server(b -> b.serverKeepaliveInterval(Duration.ZERO).idleTimeout(Duration.ofMillis(800)));
             RawConnection c = new RawConnection(rpc.port()).handshake()) {
            assertThat(c.readUntilClosed()).isNull();
        }
    }

    @Test
    void settingsAreValidatedAndReadFromProperties() {
        assertThatThrownBy(() -> RpcTransport.builder().serverKeepaliveInterval(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serverKeepaliveInterval: PT-1S (expected: > 0, or 0");
        assertThatThrownBy(() -> RpcTransport.builder().serverKeepaliveTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serverKeepaliveTimeout: PT0S (expected: > 0)");
        Properties props = new Properties();
        props.setProperty("p.server", "0");
        props.setProperty("p.bindAddress", "127.0.0.1");
        props.setProperty("p.serverKeepaliveInterval", "PT0.05S");
        props.setProperty("p.serverKeepaliveTimeout", "PT7S");
        try (RpcTransport rpc = RpcTransport.fromProperties(props, "p.").build()) {
            assertThat(rpc.server().limits.keepaliveInterval()).isEqualTo(Duration.ofMillis(50));
            assertThat(rpc.server().limits.keepaliveTimeout()).isEqualTo(Duration.ofSeconds(7));
        }
        props.setProperty("p.serverKeepaliveTimeout", "-PT1S");
        assertThatThrownBy(() -> RpcTransport.fromProperties(props, "p."))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("p.serverKeepaliveTimeout: '-PT1S'");
    }
}
