package dev.parley.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.codec.Codec;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.rpc.Echo.Msg;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Hostile and broken input over a raw socket: each gets a protocol error or a closed connection,
 * and the server keeps serving a well-behaved client on another connection throughout (checked
 * after every test).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

    private RpcTransport serverRpc;
    private Parley server;
    private RpcTransport clientRpc;
    private Parley client;
    private Echo echo;

    @BeforeAll
    void start() {
        serverRpc = RpcTransport.builder().server(0).bindAddress("127.0.0.1").maxFrameBytes(64 * 1024).build();
        server = Parley.builder().service("echo").transport(serverRpc).authenticator(RpcTransportTest.TOKENS).build();
        server.serve(Echo.class, new RecordingEcho());
        clientRpc = RpcTransport.builder().target("127.0.0.1:" + serverRpc.port()).build();
        client = Parley.builder().transport(clientRpc).codec(Codec.cbor()).build();
        echo = client.client(Echo.class);
        assertThat(echo.echo(new Msg("before"))).isEqualTo(new Msg("before"));
    }

    @AfterEach
    void otherConnectionsAreStillServed() {
        assertThat(echo.echo(new Msg("still serving"))).isEqualTo(new Msg("still serving"));
    }

    @AfterAll
    void stop() {
        client.close();
        clientRpc.close();
        server.close();
        serverRpc.close();
    }

    private RawConnection raw() throws Exception {
        return new RawConnection(serverRpc.port());
    }

    private static Envelope request(String contract, String operation, String contentType, byte[] body) {
        Headers h = Headers.builder().set(StandardHeaders.CONTRACT, contract).set(StandardHeaders.CONTRACT_VERSION, "1.0")
                .set(StandardHeaders.OPERATION, operation).set(StandardHeaders.CONTENT_TYPE, contentType).build();
        return Envelope.of(h, body);
    }

    private static void assertConnectionError(Frame last, int code) {
        assertThat(last).isInstanceOfSatisfying(Frame.Error.class, e -> {
            assertThat(e.streamId()).isZero();
            assertThat(RpcErrorCodes.name(e.code())).isEqualTo(RpcErrorCodes.name(code));
        });
    }

    @Test
    void garbageBytesAreRefusedAndTheConnectionClosed() throws Exception {
        try (RawConnection c = raw()) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // "GET " as a length is over a gigabyte: refused by the length check, before any buffering.
            assertConnectionError(c.readUntilClosed(), RpcErrorCodes.number(ErrorCode.PAYLOAD_TOO_LARGE));
        }
        try (RawConnection c = raw()) {
            c.send(new byte[] {0, 0, 0, 20, 0x42, 0, 0, 0, 0, 0});
            assertConnectionError(c.readUntilClosed(), RpcErrorCodes.PROTOCOL_ERROR);
        }
    }

    @Test
    void aFrameOtherThanHelloFirstIsAProtocolError() throws Exception {
        try (RawConnection c = raw()) {
            c.send(new Frame.Request(1, request("echo", "echo", "application/json", "{\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8))));
            assertConnectionError(c.readUntilClosed(), RpcErrorCodes.PROTOCOL_ERROR);
        }
    }

    @Test
    void aBadMagicIsAProtocolError() throws Exception {
        byte[] hello = RawConnection.bytes(new Frame.Hello(1, 1, 1024, Headers.empty()));
        hello[10] = 'X';
        try (RawConnection c = raw()) {
            c.send(hello);
            assertConnectionError(c.readUntilClosed(), RpcErrorCodes.PROTOCOL_ERROR);
        }
    }

    @Test
    void aWrongProtocolVersionIsRefused() throws Exception {
        try (RawConnection c = raw()) {
            c.send(new Frame.Hello(7, 9, 1 << 20, Headers.empty()));
            Frame last = c.readUntilClosed();
            assertConnectionError(last, RpcErrorCodes.number(ErrorCode.UNIMPLEMENTED));
            assertThat(((Frame.Error) last).message()).contains("7 to 9").contains("1 to 1");
        }
    }

    @Test
    void aFrameOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
        try (RawConnection c = raw().handshake()) {
            // Announces 100 MB and sends only the header: the server answers without waiting for the rest.
            c.send(new byte[] {0x06, 0x00, 0x00, 0x00, Frame.REQUEST, 0, 0, 0, 0, 1});
            assertConnectionError(c.readUntilClosed(), RpcErrorCodes.number(ErrorCode.PAYLOAD_TOO_LARGE));
        }
    }

    @Test
    void aTooShortLengthIsAProtocolError() throws Exception {
        try (RawConnection c = raw().handshake()) {
            c.send(new byte[] {0, 0, 0, 2, 1, 1});
            assertConnectionError(c.readUntilClosed(), RpcErrorCodes.PROTOCOL_ERROR);
        }
    }

    @Test
    void anUnknownFrameTypeIsAProtocolError() throws Exception {
        try (RawConnection c = raw().handshake()) {
            c.send(new byte[] {0, 0, 0, 6, 0x7f, 0, 0, 0, 0, 0});
            Frame last = c.readUntilClosed();
            assertConnectionError(last, RpcErrorCodes.PROTOCOL_ERROR);
            assertThat(((Frame.Error) last).message()).contains("unknown frame type 0x7f");
        }
    }

    @Test
    void aTruncatedFrameThenCloseLeavesTheServerServing() throws Exception {
        byte[] frame = RawConnection.bytes(new Frame.Request(1, request("echo", "echo", "application/json",
                "{\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8))));
        try (RawConnection c = raw().handshake()) {
            c.send(java.util.Arrays.copyOf(frame, frame.length / 2));
            // Half a frame, then the client goes away: the server buffered at most that half and drops it with the
            // connection. (A client that stalls mid-frame is closed after the idle timeout.)
        }
    }

    @Test
    void aTruncatedPayloadInsideAFrameIsAProtocolError() throws Exception {
        // An ERROR frame whose message length says 100 but the frame ends after 3 bytes.
        try (RawConnection c = raw().handshake()) {
            c.send(new byte[] {0, 0, 0, 11, Frame.ERROR, 0, 0, 0, 0, 0, 1, 100, 'a', 'b', 'c'});
            assertConnectionError(c.readUntilClosed(), RpcErrorCodes.PROTOCOL_ERROR);
        }
    }

    @Test
    void aBadHeaderBlockFailsOnlyThatCall() throws Exception {
        try (RawConnection c = raw().handshake()) {
            // Header count 1, literal name "Bad Name" (upper case and a space), value "x".
            byte[] payload = {1, 0, 8, 'B', 'a', 'd', ' ', 'N', 'a', 'm', 'e', 1, 'x'};
            byte[] frame = new byte[10 + payload.length];
            frame[3] = (byte) (6 + payload.length);
            frame[4] = Frame.REQUEST;
            frame[9] = 5;
            System.arraycopy(payload, 0, frame, 10, payload.length);
            c.send(frame);
            assertThat(c.read()).isInstanceOfSatisfying(Frame.Error.class, e -> {
                assertThat(e.streamId()).isEqualTo(5);
                assertThat(e.code()).isEqualTo(RpcErrorCodes.number(ErrorCode.INVALID_ARGUMENT));
                assertThat(e.message()).contains("header name");
            });
            c.send(new Frame.Ping(42));
            assertThat(c.read()).isEqualTo(new Frame.Pong(42));
        }
    }

    @Test
    void anUnknownContractFailsOnlyThatCall() throws Exception {
        try (RawConnection c = raw().handshake()) {
            c.send(new Frame.Request(1, request("ghost", "haunt", "application/json", "{}".getBytes(StandardCharsets.UTF_8))));
            assertThat(c.read()).isInstanceOfSatisfying(Frame.Error.class, e -> {
                assertThat(e.streamId()).isEqualTo(1);
                assertThat(e.code()).isEqualTo(RpcErrorCodes.number(ErrorCode.UNIMPLEMENTED));
                assertThat(e.message()).contains("ghost");
            });
            c.send(new Frame.Request(3, request("echo", "echo", "application/json", "{\"text\":\"ok\"}".getBytes(StandardCharsets.UTF_8))));
            assertThat(c.read()).isInstanceOfSatisfying(Frame.Reply.class, r -> {
                assertThat(r.streamId()).isEqualTo(3);
                assertThat(r.message().headers().valueOrNull(StandardHeaders.STATUS)).isEqualTo("ok");
                assertThat(new String(r.message().body(), StandardCharsets.UTF_8)).isEqualTo("{\"text\":\"ok\"}");
            });
        }
    }

    @Test
    void anUnknownMethodIsUnimplemented() throws Exception {
        try (RawConnection c = raw().handshake()) {
            c.send(new Frame.Request(1, request("echo", "nope", "application/json", "{}".getBytes(StandardCharsets.UTF_8))));
            assertThat(c.read()).isInstanceOfSatisfying(Frame.Reply.class,
                    r -> assertThat(r.message().headers().valueOrNull(StandardHeaders.STATUS)).isEqualTo("UNIMPLEMENTED"));
        }
    }

    @Test
    void anUndecodableBodyIsInvalidArgument() throws Exception {
        try (RawConnection c = raw().handshake()) {
            c.send(new Frame.Request(1, request("echo", "echo", "application/json", "{{{ not json".getBytes(StandardCharsets.UTF_8))));
            assertThat(c.read()).isInstanceOfSatisfying(Frame.Reply.class,
                    r -> assertThat(r.message().headers().valueOrNull(StandardHeaders.STATUS)).isEqualTo("INVALID_ARGUMENT"));
            c.send(new Frame.Request(2, request("echo", "echo", "application/cbor", new byte[] {(byte) 0xff, 0x13, 0x37})));
            assertThat(c.read()).isInstanceOfSatisfying(Frame.Reply.class,
                    r -> assertThat(r.message().headers().valueOrNull(StandardHeaders.STATUS)).isEqualTo("INVALID_ARGUMENT"));
        }
    }

    @Test
    void oneWayMessagesGetNoAnswerEvenWhenTheyFail() throws Exception {
        try (RawConnection c = raw().handshake()) {
            c.send(new Frame.OneWay(1, request("echo", "note", "application/json", "{\"text\":\"n\"}".getBytes(StandardCharsets.UTF_8))));
            c.send(new Frame.OneWay(3, request("echo", "note", "application/json", "{{{".getBytes(StandardCharsets.UTF_8))));
            c.send(new Frame.OneWay(5, request("ghost", "haunt", "application/json", "{}".getBytes(StandardCharsets.UTF_8))));
            c.send(new Frame.Ping(99));
            // Frames are answered in order on a connection: the PONG is the first thing that comes back.
            assertThat(c.read()).isEqualTo(new Frame.Pong(99));
            c.send(new Frame.Request(7, request("echo", "echo", "application/json", "{\"text\":\"r\"}".getBytes(StandardCharsets.UTF_8))));
            assertThat(c.read()).isInstanceOfSatisfying(Frame.Reply.class, r -> assertThat(r.streamId()).isEqualTo(7));
        }
    }

    @Test
    void aDuplicateStreamIdInFlightIsAProtocolError() throws Exception {
        try (RawConnection c = raw().handshake()) {
            Frame.Request waiting = new Frame.Request(9, request("echo", "await", "application/json",
                    "{\"text\":\"w\"}".getBytes(StandardCharsets.UTF_8)));
            c.send(waiting).send(waiting);
            assertConnectionError(c.readUntilClosed(), RpcErrorCodes.PROTOCOL_ERROR);
        }
    }
}
