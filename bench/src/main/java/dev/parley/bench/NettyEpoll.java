package dev.parley.bench;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;

/** Native epoll for the raw Netty server and the load generator when it loads, NIO (with a line on stderr) otherwise. */
final class NettyEpoll {

    private static final boolean AVAILABLE = detect();

    private NettyEpoll() {}

    static boolean available() {
        return AVAILABLE;
    }

    static IoHandlerFactory factory() {
        return AVAILABLE ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    private static boolean detect() {
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
}
