package dev.parley.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.HandlerExecution;
import dev.parley.Parley;
import dev.parley.codec.Codec;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.rpc.Echo.Msg;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated frames against the server: tens of thousands through the real decoder and
 * connection handler (in memory, fast), and thousands more over real sockets. Nothing may
 * escape as an exception, hang, buffer more than the frame limit, or stop the server from
 * serving a well-behaved client. The seed is printed so a failure can be replayed.
 */
class FuzzTest {

    private static final int MAX_FRAME = 16 * 1024;

    /** Never blocks and answers on the calling thread, so that everything stays on the embedded channel's loop. */
    private static final class InstantEcho implements Echo {
        @Override public Msg echo(Msg request) { return request; }
        @Override public CompletionStage<Msg> later(Msg request) { return CompletableFuture.completedFuture(request); }
        @Override public void note(Msg request) { }
        @Override public Msg missing(Msg request) { throw dev.parley.ParleyException.of(dev.parley.ErrorCode.NOT_FOUND, "no"); }
        @Override public Remaining slow(Slow request) { return new Remaining(0); }
        @Override public CompletionStage<Msg> await(Msg request) { return CompletableFuture.completedFuture(request); }
        @Override public Msg tenant(Msg request) { return request; }
        @Override public Msg whoAmI(Msg request) { return request; }
    }

    static List<byte[]> validFrames() {
        byte[] json = "{\"text\":\"fuzz\"}".getBytes(StandardCharsets.UTF_8);
        byte[] cbor = Codec.cbor().forType(Msg.class).encode(new Msg("fuzz"));
        Headers echo = Headers.builder().set(StandardHeaders.CONTRACT, "echo").set(StandardHeaders.CONTRACT_VERSION, "1.0")
                .set(StandardHeaders.OPERATION, "echo").set(StandardHeaders.CONTENT_TYPE, "application/json")
                .set(StandardHeaders.DEADLINE, "5000").set("x-tenant", "acme").build();
        Headers note = echo.toBuilder().set(StandardHeaders.OPERATION, "note").set(StandardHeaders.CONTENT_TYPE, "application/cbor").build();
        List<byte[]> frames = new ArrayList<>();
        frames.add(RawConnection.bytes(new Frame.Hello(1, 1, 1 << 20, Headers.empty())));
        frames.add(RawConnection.bytes(new Frame.Request(1, Envelope.of(echo, json))));
        frames.add(RawConnection.bytes(new Frame.Request(3, Envelope.of(echo.toBuilder().set(StandardHeaders.CONTENT_TYPE, "application/cbor")
                .build(), cbor))));
        frames.add(RawConnection.bytes(new Frame.OneWay(5, Envelope.of(note, cbor))));
        frames.add(RawConnection.bytes(new Frame.Cancel(1)));
        frames.add(RawConnection.bytes(new Frame.Ping(7)));
        frames.add(RawConnection.bytes(new Frame.Pong(7)));
        frames.add(RawConnection.bytes(new Frame.GoAway(3, 0, "bye")));
        frames.add(RawConnection.bytes(new Frame.Error(1, 10, "oops")));
        frames.add(RawConnection.bytes(new Frame.Reply(1, Envelope.of(echo, json))));
        frames.add(RawConnection.bytes(new Frame.HelloAck(1, 1024, 10, Headers.empty())));
        return frames;
    }

    static byte[] mutate(byte[] valid, SplittableRandom random) {
        byte[] b = valid.clone();
        switch (random.nextInt(8)) {
            case 0 -> { // flip a few bytes
                for (int i = random.nextInt(1, 4); i > 0; i--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length)); // truncate
            case 2 -> { // append junk
                int extra = random.nextInt(1, 32);
                b = Arrays.copyOf(b, b.length + extra);
                for (int i = b.length - extra; i < b.length; i++) {
                    b[i] = (byte) random.nextInt(256);
                }
            }
            case 3 -> { // lie about the length
                int length = random.nextBoolean() ? random.nextInt() : random.nextInt(0, b.length + 8);
                b[0] = (byte) (length >>> 24);
                b[1] = (byte) (length >>> 16);
                b[2] = (byte) (length >>> 8);
                b[3] = (byte) length;
            }
            case 4 -> b[4] = (byte) random.nextInt(256); // any type
            case 5 -> { // any stream id
                int id = random.nextInt();
                b[6] = (byte) (id >>> 24);
                b[9] = (byte) id;
            }
            case 6 -> { // a byte in the header block / payload start, where the varints are
                if (b.length > 10) {
                    b[10 + random.nextInt(Math.min(8, b.length - 10))] = (byte) random.nextInt(256);
                }
            }
            default -> { // pure noise
                b = new byte[random.nextInt(64)];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) random.nextInt(256);
                }
            }
        }
        return b;
    }

    @Test
    void tensOfThousandsOfBadFramesInMemory() {
        long seed = System.nanoTime();
        System.out.println("FuzzTest in-memory seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> valid = validFrames();
        byte[] hello = valid.get(0);
        try (RpcTransport rpc = RpcTransport.builder().server(0).bindAddress("127.0.0.1").maxFrameBytes(MAX_FRAME).build();
             Parley server = Parley.builder().transport(rpc).authenticator(RpcTransportTest.TOKENS).build()) {
            server.serve(Echo.class, new InstantEcho(), HandlerExecution.DIRECT);
            int frames = 0;
            for (int round = 0; frames < 20_000; round++) {
                FrameDecoder decoder = new FrameDecoder(MAX_FRAME, Frame.HELLO);
                EmbeddedChannel ch = new EmbeddedChannel(decoder, new ServerConnection(rpc.server()));
                if (random.nextInt(4) > 0) {
                    ch.writeInbound(Unpooled.wrappedBuffer(hello));
                }
                // Several frames per connection, valid and mutated, until the server closes it.
                for (int i = 0; i < 10 && ch.isOpen(); i++) {
                    byte[] next = random.nextInt(3) == 0 ? valid.get(random.nextInt(valid.size())) : mutate(valid.get(random.nextInt(valid.size())), random);
                    ch.writeInbound(Unpooled.wrappedBuffer(next));
                    ch.runPendingTasks();
                    frames++;
                    assertThat(decoder.buffered()).isLessThanOrEqualTo(MAX_FRAME);
                }
                for (Object out = ch.readOutbound(); out != null; out = ch.readOutbound()) {
                    ByteBuf buf = (ByteBuf) out;
                    // Whatever the server sends is a well-formed frame.
                    assertThat(FrameCodec.decode(buf.duplicate())).isNotNull();
                    buf.release();
                }
                ch.finishAndReleaseAll();
            }
            System.out.println("FuzzTest in-memory frames " + frames);
            assertThat(frames).isGreaterThanOrEqualTo(20_000);
        }
    }

    @Test
    void thousandsOfBadFramesOverRealSockets() throws Exception {
        long seed = System.nanoTime();
        System.out.println("FuzzTest socket seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> valid = validFrames();
        try (RpcTransport rpc = RpcTransport.builder().server(0).bindAddress("127.0.0.1").maxFrameBytes(MAX_FRAME).build();
             Parley server = Parley.builder().transport(rpc).authenticator(RpcTransportTest.TOKENS).build();
             RpcTransport clientRpc = RpcTransport.builder().target("127.0.0.1:" + rpc.port()).build();
             Parley client = Parley.builder().transport(clientRpc).build()) {
            server.serve(Echo.class, new InstantEcho());
            Echo echo = client.client(Echo.class);
            int frames = 0;
            long until = System.nanoTime() + 4_000_000_000L;
            while (System.nanoTime() < until && frames < 5_000) {
                try (Socket s = new Socket("127.0.0.1", rpc.port())) {
                    s.setSoLinger(true, 0);
                    OutputStream out = s.getOutputStream();
                    out.write(valid.get(0));
                    for (int i = 0; i < 20; i++) {
                        out.write(mutate(valid.get(random.nextInt(valid.size())), random));
                        frames++;
                    }
                    out.flush();
                } catch (IOException closedByServer) {
                    // expected: the server closes connections that break the protocol
                }
                if (frames % 1000 < 20) {
                    assertThat(echo.echo(new Msg("alive " + frames))).isEqualTo(new Msg("alive " + frames));
                }
            }
            System.out.println("FuzzTest socket frames " + frames);
            assertThat(echo.echo(new Msg("after"))).isEqualTo(new Msg("after"));
        }
    }
}
