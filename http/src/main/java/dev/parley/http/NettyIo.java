package dev.parley.http;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loops of one Netty-based transport: native epoll when it loads, NIO otherwise (with a
 * log line saying why). Shared by Parley's HTTP and binary RPC transports; not meant for
 * applications.
 */
public final class NettyIo {

    private static final Logger log = LoggerFactory.getLogger(NettyIo.class);
    private static final boolean EPOLL = detectEpoll();

    final MultiThreadIoEventLoopGroup group;
    final Class<? extends ServerSocketChannel> serverChannel;
    final Class<? extends SocketChannel> clientChannel;

    /** {@code threads} daemon event-loop threads named {@code name-1, name-2, ...}. */
    public NettyIo(int threads, String name) {
        IoHandlerFactory factory = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threadFactory = r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.group = new MultiThreadIoEventLoopGroup(threads, threadFactory, factory);
        this.serverChannel = EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        this.clientChannel = EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public MultiThreadIoEventLoopGroup group() {
        return group;
    }

    public Class<? extends ServerSocketChannel> serverChannel() {
        return serverChannel;
    }

    public Class<? extends SocketChannel> clientChannel() {
        return clientChannel;
    }

    /** Whether the native epoll transport is in use. */
    public static boolean usesEpoll() {
        return EPOLL;
    }

    private static boolean detectEpoll() {
        try {
            if (Epoll.isAvailable()) {
                return true;
            }
            log.info("native epoll transport unavailable ({}); using NIO", Epoll.unavailabilityCause().toString());
        } catch (LinkageError e) {
            log.info("native epoll transport unavailable ({}); using NIO", e.toString());
        }
        return false;
    }
}
