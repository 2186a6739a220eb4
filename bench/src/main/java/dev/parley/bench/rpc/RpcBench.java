package dev.parley.bench.rpc;

import io.grpc.MethodDescriptor;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * What the RPC comparison's servers and load generators share: the payload, gRPC's method
 * (a {@code byte[]} marshaller, so no protoc and no protobuf cost on either side), and the
 * Netty transport choice (epoll when it loads).
 */
final class RpcBench {

    static final int PAYLOAD_BYTES = 100;

    /** The echoed payload, the same bytes for every system. */
    static final byte[] PAYLOAD = payload();

    static final MethodDescriptor<byte[], byte[]> GRPC_ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Echo", "echo"))
            .setRequestMarshaller(BytesMarshaller.INSTANCE)
            .setResponseMarshaller(BytesMarshaller.INSTANCE)
            .build();

    static final boolean EPOLL = detectEpoll();

    private RpcBench() {}

    private static byte[] payload() {
        byte[] b = new byte[PAYLOAD_BYTES];
        Arrays.fill(b, (byte) 'x');
        return b;
    }

    static IoHandlerFactory ioFactory() {
        return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    static Class<? extends ServerSocketChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends SocketChannel> clientChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    private static boolean detectEpoll() {
        try {
            if (Epoll.isAvailable()) {
                return true;
            }
            System.err.println("native epoll transport unavailable (" + Epoll.unavailabilityCause() + "); using NIO");
        } catch (LinkageError e) {
            System.err.println("native epoll transport unavailable (" + e + "); using NIO");
        }
        return false;
    }

    /** gRPC marshaller for raw bytes. */
    enum BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
