package dev.parley.rpc;

import dev.parley.contract.ContractDescriptor;
import dev.parley.http.NettyIo;
import dev.parley.transport.InboundHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server of an {@link RpcTransport}: accepts connections, and gives each a
 * {@link ServerConnection} that routes its calls to the served contracts' handlers.
 *
 * <pre>
 *  [tls] -> [keepalive, once handshaken] -> idle timeout -> FrameDecoder (limit before allocation) -> ServerConnection -> InboundHandler
 * </pre>
 */
final class RpcServer {

    private static final Logger log = LoggerFactory.getLogger(RpcServer.class);

    /** Server limits; a zero {@code keepaliveInterval} turns the server's keepalive pings off. */
    record Limits(int maxFrameBytes, int maxConcurrentCalls, Duration idleTimeout, Duration handshakeTimeout, int writeBufferHighWater,
            Duration keepaliveInterval, Duration keepaliveTimeout) {}

    final Limits limits;
    private final Channel serverChannel;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Map<String, InboundHandler> handlers = new ConcurrentHashMap<>();
    private final AtomicInteger servedGeneration = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final @Nullable SslContext tls;
    private volatile boolean draining;

    RpcServer(NettyIo io, String bindAddress, int port, Limits limits, @Nullable SslContext tls) {
        this.limits = limits;
        this.tls = tls;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(io.group())
                .channel(io.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(limits.writeBufferHighWater() / 2, limits.writeBufferHighWater()))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        if (tls != null) {
                            SslHandler handshake = tls.newHandler(ch.alloc());
                            handshake.setHandshakeTimeoutMillis(limits.handshakeTimeout().toMillis());
                            ch.pipeline().addLast("tls", handshake).addLast("tls-failures", new TlsFailures());
                        }
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(limits.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("frames", new FrameDecoder(limits.maxFrameBytes(), Frame.HELLO))
                                .addLast("calls", new ServerConnection(RpcServer.this));
                    }
                });
        try {
            this.serverChannel = bootstrap.bind(bindAddress, port).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + bindAddress + ":" + port, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot bind the RPC server to " + bindAddress + ":" + port + ": " + e.getMessage(), e);
        }
        log.info("RPC server listening on {} ({}{})", serverChannel.localAddress(), NettyIo.usesEpoll() ? "epoll" : "nio",
                tls != null ? ", TLS" : "");
    }

    int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    int openConnections() {
        return connections.size();
    }

    /** Calls received and not answered yet, on every connection. */
    int inFlight() {
        return inFlight.get();
    }

    /** Connections not read right now because their replies cannot be written (backpressure). */
    int pausedConnections() {
        int paused = 0;
        for (Channel ch : connections) {
            if (!ch.config().isAutoRead()) {
                paused++;
            }
        }
        return paused;
    }

    /** Keepalive PINGs the server sent on its open connections. */
    long keepalivePingsSent() {
        long sent = 0;
        for (Channel ch : connections) {
            if (ch.pipeline().get(ServerKeepalive.NAME) instanceof ServerKeepalive keepalive) {
                sent += keepalive.pingsSent();
            }
        }
        return sent;
    }

    boolean draining() {
        return draining;
    }

    /** A connection completed the RPC handshake (HELLO_ACK written): from now on the server may ping it. On its event loop. */
    void handshaken(ChannelPipeline pipeline) {
        if (!limits.keepaliveInterval().isZero() && pipeline.get(ServerKeepalive.NAME) == null) {
            pipeline.addBefore("idle", ServerKeepalive.NAME, new ServerKeepalive(limits.keepaliveInterval(), limits.keepaliveTimeout()));
        }
    }

    void register(ContractDescriptor contract, InboundHandler handler) {
        InboundHandler previous = handlers.putIfAbsent(contract.address(), handler);
        servedGeneration.incrementAndGet();
        if (previous != null) {
            throw new IllegalStateException("serve(" + contract.address() + "): already served by this RpcTransport");
        }
    }

    void unregister(ContractDescriptor contract, InboundHandler handler) {
        handlers.remove(contract.address(), handler);
        servedGeneration.incrementAndGet();
    }

    /** The handler for {@code contract} version {@code version} ({@code major.minor}), or null. */
    @Nullable InboundHandler handler(String contract, String version) {
        int dot = version.indexOf('.');
        return handlers.get(contract + "/v" + (dot < 0 ? version : version.substring(0, dot)));
    }

    /** Changes whenever a contract starts or stops being served: what a connection's cached route is checked against. */
    int servedGeneration() {
        return servedGeneration.get();
    }

    String served() {
        return handlers.keySet().toString();
    }

    void callStarted() {
        inFlight.incrementAndGet();
    }

    void callEnded() {
        if (inFlight.decrementAndGet() == 0 && draining) {
            synchronized (inFlight) {
                inFlight.notifyAll();
            }
        }
    }

    /**
     * Stops accepting connections, sends GOAWAY on every connection (no new calls; in-flight ones
     * finish), waits up to {@code drain} for the in-flight calls, then closes every connection.
     */
    void close(Duration drain) {
        serverChannel.close().syncUninterruptibly();
        draining = true;
        for (Channel ch : connections) {
            ServerConnection connection = ch.pipeline().get(ServerConnection.class);
            if (connection != null) {
                ch.eventLoop().execute(connection::goAway);
            }
        }
        long until = System.nanoTime() + drain.toNanos();
        synchronized (inFlight) {
            while (inFlight.get() > 0) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    log.warn("RPC server closing with {} calls still in flight after the {} drain timeout", inFlight.get(), drain);
                    break;
                }
                try {
                    inFlight.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    /** Logs failed TLS handshakes quietly: scanners, plaintext clients, clients without a trusted certificate. */
    private static final class TlsFailures extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
                log.info("RPC: TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), done.cause().toString());
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() instanceof javax.net.ssl.SSLException) {
                log.debug("RPC: TLS error with {}: {}", ctx.channel().remoteAddress(), cause.getCause().toString());
                ctx.close();
                return;
            }
            ctx.fireExceptionCaught(cause);
        }
    }
}
