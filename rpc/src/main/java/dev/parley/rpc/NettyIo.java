package dev.parley.rpc;

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
 * The event loops of one transport: native epoll when it loads, NIO otherwise. The same as the
 * HTTP transport's (package-private there); a candidate for a shared Netty module.
 */
final class NettyIo {

    private static final Logger log = LoggerFactory.getLogger(NettyIo.class);
    private static final boolean EPOLL = detectEpoll();

    final MultiThreadIoEventLoopGroup group;
    final Class<? extends ServerSocketChannel> serverChannel;
    final Class<? extends SocketChannel> clientChannel;

    NettyIo(int threads, String name) {
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

    static boolean usesEpoll() {
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
