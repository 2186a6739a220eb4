package dev.parley.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.codec.Codec;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hex examples of docs/rpc-protocol.md come from the encoder: this test encodes each example
 * frame, checks that it decodes back to the same frame, and that the document shows exactly these
 * bytes. When the encoding changes, the failure message prints the new blocks to paste.
 */
class FrameExamplesTest {

    static Map<String, Frame> examples() {
        byte[] body = Codec.cbor().forType(Echo.Msg.class).encode(new Echo.Msg("hi"));
        Headers request = Headers.builder()
                .set(StandardHeaders.CONTRACT, "echo")
                .set(StandardHeaders.CONTRACT_VERSION, "1.0")
                .set(StandardHeaders.OPERATION, "echo")
                .set(StandardHeaders.CONTENT_TYPE, "application/cbor")
                .set(StandardHeaders.DEADLINE, "250")
                .set("x-tenant", "acme")
                .build();
        Headers oneWay = Headers.builder()
                .set(StandardHeaders.CONTRACT, "echo")
                .set(StandardHeaders.CONTRACT_VERSION, "1.0")
                .set(StandardHeaders.OPERATION, "note")
                .set(StandardHeaders.CONTENT_TYPE, "application/cbor")
                .build();
        Headers reply = Headers.builder()
                .set(StandardHeaders.STATUS, "ok")
                .set(StandardHeaders.CONTENT_TYPE, "application/cbor")
                .build();
        Map<String, Frame> frames = new LinkedHashMap<>();
        frames.put("HELLO", new Frame.Hello(1, 1, 5 * 1024 * 1024, Headers.empty()));
        frames.put("HELLO_ACK", new Frame.HelloAck(1, 5 * 1024 * 1024, 1024, Headers.empty()));
        frames.put("REQUEST", new Frame.Request(1, Envelope.of(request, body)));
        frames.put("ONE_WAY", new Frame.OneWay(2, Envelope.of(oneWay, body)));
        frames.put("REPLY", new Frame.Reply(1, Envelope.of(reply, body)));
        frames.put("ERROR (stream)", new Frame.Error(3, RpcErrorCodes.number(dev.parley.ErrorCode.UNIMPLEMENTED), "no contract ghost/v1"));
        frames.put("ERROR (connection)", new Frame.Error(0, RpcErrorCodes.PROTOCOL_ERROR, "unknown frame type 0x7f"));
        frames.put("CANCEL", new Frame.Cancel(1));
        frames.put("PING", new Frame.Ping(0x0102030405060708L));
        frames.put("PONG", new Frame.Pong(0x0102030405060708L));
        frames.put("GOAWAY", new Frame.GoAway(7, RpcErrorCodes.NO_ERROR, "server shutting down"));
        return frames;
    }

    static String hex(ByteBuf buf) {
        StringBuilder sb = new StringBuilder();
        byte[] bytes = ByteBufUtil.getBytes(buf);
        for (int i = 0; i < bytes.length; i++) {
            if (i > 0) {
                sb.append(i % 16 == 0 ? '\n' : ' ');
            }
            sb.append(String.format("%02x", bytes[i] & 0xFF));
        }
        return sb.toString();
    }

    @Test
    void everyExampleRoundTripsAndIsInTheSpec() throws IOException {
        String doc = Files.readString(Path.of("../docs/rpc-protocol.md"));
        StringBuilder expected = new StringBuilder();
        boolean allThere = true;
        for (Map.Entry<String, Frame> e : examples().entrySet()) {
            ByteBuf buf = FrameCodec.encode(e.getValue(), UnpooledByteBufAllocator.DEFAULT);
            String hex = hex(buf);
            Frame decoded = FrameCodec.decode(Unpooled.wrappedBuffer(ByteBufUtil.getBytes(buf)));
            assertThat(describe(decoded)).as(e.getKey()).isEqualTo(describe(e.getValue()));
            buf.release();
            String block = "```\n" + hex + "\n```";
            expected.append("#### ").append(e.getKey()).append("\n\n").append(block).append("\n\n");
            allThere &= doc.contains(block);
        }
        assertThat(allThere).as("docs/rpc-protocol.md shows the encoder's bytes; expected blocks:\n" + expected).isTrue();
    }

    /** Values around the encoder's one-byte length shortcut (42 characters), non-ASCII ones included, and literal names. */
    @Test
    void headerStringsOfEveryLengthAndScriptRoundTripWithTheLengthTheSizeFunctionComputes() {
        for (String unit : new String[] {"a", "\u00e9", "\u20ac", "\ud83d\ude00"}) {
            for (int n = 0; n <= 70; n++) {
                String value = unit.repeat(n);
                Headers h = Headers.builder().set(StandardHeaders.TRACESTATE, value).set("x-" + "n".repeat(n % 50 + 1), value).build();
                Envelope message = Envelope.of(h, new byte[] {1, 2, 3});
                ByteBuf buf = FrameCodec.message(Frame.REQUEST, 7, message, UnpooledByteBufAllocator.DEFAULT);
                assertThat(buf.readableBytes()).as(unit + " x " + n).isEqualTo(FrameCodec.messageFrameSize(message));
                assertThat(buf.getInt(0)).isEqualTo(buf.readableBytes() - 4);
                Frame decoded = FrameCodec.decode(buf);
                assertThat(describe(decoded)).as(unit + " x " + n).isEqualTo(describe(new Frame.Request(7, message)));
                buf.release();
            }
        }
    }

    /** Records with envelopes compare by identity; compare what the wire carries instead. */
    private static String describe(Frame f) {
        return switch (f) {
            case Frame.Request r -> "REQUEST " + r.streamId() + " " + r.message().headers() + " " + hex(Unpooled.wrappedBuffer(r.message().body()));
            case Frame.OneWay o -> "ONE_WAY " + o.streamId() + " " + o.message().headers() + " " + hex(Unpooled.wrappedBuffer(o.message().body()));
            case Frame.Reply r -> "REPLY " + r.streamId() + " " + r.message().headers() + " " + hex(Unpooled.wrappedBuffer(r.message().body()));
            default -> f.toString();
        };
    }
}
