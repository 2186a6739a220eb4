package dev.parley.rpc;

import dev.parley.message.Headers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import org.jspecify.annotations.Nullable;

/** A plain socket speaking (or mangling) the RPC protocol byte by byte, for the bad-input tests. */
final class RawConnection implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;

    RawConnection(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
    }

    static byte[] bytes(Frame frame) {
        ByteBuf buf = FrameCodec.encode(frame, UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    RawConnection send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    RawConnection send(Frame frame) throws IOException {
        return send(bytes(frame));
    }

    /** Sends HELLO and expects HELLO_ACK. */
    RawConnection handshake() throws IOException {
        send(new Frame.Hello(1, 1, 1 << 20, Headers.empty()));
        Frame ack = read();
        if (!(ack instanceof Frame.HelloAck)) {
            throw new AssertionError("expected HELLO_ACK, got " + ack);
        }
        return this;
    }

    /** The next frame, or null when the server closed the connection. */
    @Nullable Frame read() throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException | SocketException e) {
            return null;
        }
        byte[] frame = new byte[4 + length];
        frame[0] = (byte) (length >>> 24);
        frame[1] = (byte) (length >>> 16);
        frame[2] = (byte) (length >>> 8);
        frame[3] = (byte) length;
        in.readFully(frame, 4, length);
        return FrameCodec.decode(Unpooled.wrappedBuffer(frame));
    }

    /** Reads frames until the server closes; returns the last one (null if none came). */
    @Nullable Frame readUntilClosed() throws IOException {
        Frame last = null;
        for (Frame f = read(); f != null; f = read()) {
            last = f;
        }
        return last;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
