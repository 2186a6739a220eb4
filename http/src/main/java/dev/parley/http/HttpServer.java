package dev.parley.http;

import dev.parley.ErrorCode;
import dev.parley.transport.InboundHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty server of an {@link HttpTransport}: HTTP/1.1 with keep-alive, and HTTP/2 cleartext
 * by prior knowledge or by {@code Upgrade: h2c}, each request (or h2 stream) aggregated within
 * the body limit and handed to {@link ServerRequestHandler}. With TLS, every connection starts
 * with the handshake, and ALPN picks HTTP/2 ({@code h2}) or HTTP/1.1 (also for clients without ALPN).
 *
 * <pre>
 *  cleartext:  read-timeout -> idle -> h2c-or-http/1.1 -> aggregator -> ServerRequestHandler
 *  TLS:        tls -> read-timeout -> idle -> alpn
 *                alpn h2:       tls -> idle -> h2 frames -> h2 multiplex -> ServerRequestHandler (idle, errors)
 *                alpn http/1.1: tls -> read-timeout -> idle -> http/1.1 -> aggregator -> ServerRequestHandler
 *  h2 stream:  frames<->http objects -> aggregator -> ServerRequestHandler
 * </pre>
 */
final class HttpServer {

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    static final AttributeKey<AtomicInteger> IN_FLIGHT = AttributeKey.valueOf("parley-in-flight");

    final RouteTable routes = new RouteTable();
    final HttpTransport.Limits limits;
    private final Channel serverChannel;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    // Striped: both event loops count every call, and a shared atomic would bounce between their cores.
    private final LongAdder inFlight = new LongAdder();
    // Open HTTP/2 streams: a stream accepted before the GOAWAY may still be receiving its request when the drain starts.
    private final LongAdder openStreams = new LongAdder();
    private final Object drained = new Object();
    private final @Nullable SslContext tls;
    private final @Nullable CallbackSender callbacks;
    private volatile boolean draining;

    HttpServer(NettyIo io, String bindAddress, int port, HttpTransport.Limits limits, @Nullable SslContext tls,
               @Nullable AsyncCallbacks callbacks) {
        this.limits = limits;
        this.callbacks = callbacks == null ? null : new CallbackSender(callbacks);
        this.tls = tls;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(io.group)
                .channel(io.serverChannel)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ch.attr(IN_FLIGHT).set(new AtomicInteger());
                        if (tls != null) {
                            initTlsConnection(ch, tls);
                        } else {
                            initConnection(ch);
                        }
                    }
                });
        try {
            this.serverChannel = bootstrap.bind(bindAddress, port).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + bindAddress + ":" + port, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot bind the HTTP server to " + bindAddress + ":" + port + ": " + e.getMessage(), e);
        }
        log.info("HTTP server listening on {} ({}{})", serverChannel.localAddress(), NettyIo.usesEpoll() ? "epoll" : "nio",
                tls != null ? ", TLS" : "");
    }

    private HttpServerCodec http1Codec() {
        return new HttpServerCodec(new HttpDecoderConfig()
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxInitialLineLength(Math.max(4096, limits.maxHeaderBytes()))
                .setAllowDuplicateContentLengths(false));
    }

    private void initTlsConnection(Channel ch, SslContext context) {
        SslHandler handshake = context.newHandler(ch.alloc());
        // A client that stalls in the handshake is cut off like one that trickles its request.
        handshake.setHandshakeTimeoutMillis(limits.requestReadTimeout().toMillis());
        ch.pipeline()
                .addLast("tls", handshake)
                .addLast("read-timeout", new RequestReadTimeout(limits.requestReadTimeout().toMillis()))
                .addLast("idle", new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .addLast("alpn", new ProtocolByAlpn());
    }

    private void initConnection(Channel ch) {
        HttpServerCodec codec = http1Codec();
        HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec,
                protocol -> "h2c".contentEquals(protocol) ? new Http2ServerUpgradeCodec(frameCodec(), multiplex()) : null,
                limits.maxBodyBytes());
        ChannelInitializer<Channel> priorKnowledge = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel c) {
                c.pipeline().addAfter(c.pipeline().context(this).name(), "h2-frames", frameCodec());
                c.pipeline().addAfter("h2-frames", "h2-multiplex", multiplex());
            }
        };
        ch.pipeline()
                .addLast("read-timeout", new RequestReadTimeout(limits.requestReadTimeout().toMillis()))
                .addLast("idle", new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .addLast("h2c", new CleartextHttp2ServerUpgradeHandler(codec, upgrade, priorKnowledge))
                .addLast("aggregator", new LimitedAggregator(limits.maxBodyBytes()))
                .addLast("requests", new ServerRequestHandler(this, false));
    }

    private Http2FrameCodec frameCodec() {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxHeaderListSize(limits.maxHeaderBytes()))
                .build();
    }

    private Http2MultiplexHandler multiplex() {
        return new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                openStreams.increment();
                stream.closeFuture().addListener(f -> {
                    openStreams.decrement();
                    wakeDrain();
                });
                // Each stream must deliver its whole request within the read timeout, like an HTTP/1.1
                // request: a stream that trickles (slowloris over HTTP/2) is reset, the connection and
                // its other streams go on.
                stream.pipeline()
                        .addLast("read-timeout", new RequestReadTimeout(limits.requestReadTimeout().toMillis()))
                        .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                        .addLast(new LimitedAggregator(limits.maxBodyBytes()))
                        .addLast(new ServerRequestHandler(HttpServer.this, true));
            }
        });
    }

    /** Completes a TLS connection's pipeline once ALPN has chosen its protocol. */
    private final class ProtocolByAlpn extends ApplicationProtocolNegotiationHandler {
        ProtocolByAlpn() {
            super(ApplicationProtocolNames.HTTP_1_1);
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                // Each HTTP/2 stream has its own request timer; the connection's would cut every stream.
                ctx.pipeline().remove(RequestReadTimeout.class);
                ctx.pipeline()
                        .addLast("h2-frames", frameCodec())
                        .addLast("h2-multiplex", multiplex())
                        .addLast("requests", new ServerRequestHandler(HttpServer.this, false));
            } else {
                ctx.pipeline()
                        .addLast("http1", http1Codec())
                        .addLast("aggregator", new LimitedAggregator(limits.maxBodyBytes()))
                        .addLast("requests", new ServerRequestHandler(HttpServer.this, false));
            }
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            // Expected from scanners, plaintext clients and clients without a trusted certificate: not a server fault.
            log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Open client connections (an HTTP/2 connection counts once, whatever its streams). */
    int openConnections() {
        return connections.size();
    }

    /** The sender of async operations' callbacks, null when they are not enabled. */
    @Nullable CallbackSender callbacks() {
        return callbacks;
    }

    boolean draining() {
        return draining;
    }

    boolean ready() {
        return !draining && !routes.routes().isEmpty();
    }

    void register(HttpRoute route, ServedContract target) {
        routes.add(route, target);
    }

    void callStarted(AtomicInteger connectionCalls) {
        inFlight.increment();
        connectionCalls.incrementAndGet();
    }

    void callEnded(AtomicInteger connectionCalls) {
        connectionCalls.decrementAndGet();
        inFlight.decrement();
        wakeDrain();
    }

    private void wakeDrain() {
        if (draining) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /**
     * Stops accepting, answers new HTTP/1.1 requests with 503, sends every HTTP/2 connection a
     * GOAWAY (its last-stream-id the highest stream the server took, so the client opens no more
     * streams there and knows the later ones were not processed), waits up to {@code drain} for
     * in-flight calls and open HTTP/2 streams, then closes.
     */
    void close(Duration drain) {
        // Listener first: once a request sees 503, no new connection can be accepted either.
        serverChannel.close().syncUninterruptibly();
        draining = true;
        for (Channel connection : connections) {
            connection.eventLoop().execute(() -> goAway(connection));
        }
        long until = System.nanoTime() + drain.toNanos();
        synchronized (drained) {
            long calls;
            long streams = 0;
            while ((calls = inFlight.sum()) > 0 || (streams = openStreams.sum()) > 0) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    log.warn("HTTP server closing with {} calls in flight and {} HTTP/2 streams open after the {} drain timeout",
                            calls, streams, drain);
                    break;
                }
                try {
                    // Bounded: a call that ended between the sum and the wait is seen on the next round.
                    drained.wait(Math.max(1, Math.min(10, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        if (callbacks != null) {
            callbacks.close();
        }
    }

    /**
     * Event loop: a GOAWAY (NO_ERROR) on an HTTP/2 connection. The frame codec sets its
     * last-stream-id to the highest stream the client opened, and ignores the client's later
     * streams, which the client may retry elsewhere (RFC 9113 section 6.8).
     */
    private static void goAway(Channel connection) {
        if (connection.isActive() && connection.pipeline().get(Http2FrameCodec.class) != null) {
            connection.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)).addListener(f -> {
                if (!f.isSuccess()) {
                    log.debug("cannot send GOAWAY on {}: {}", connection, f.cause().toString());
                }
            });
        }
    }

    /** A problem response outside the dispatcher (404, 405, 413, 431, 503, ...). */
    static FullHttpResponse problemResponse(HttpVersion version, int status, ErrorCode code, String detail, Map<String, String> details) {
        byte[] body = WireMapping.problem(code, status, detail, details);
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, WireMapping.PROBLEM_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set("parley-status", code.name());
        return response;
    }

    /** What a route of a served contract leads to. */
    record ServedContract(String contractName, InboundHandler handler) {}

    /**
     * Aggregates a request within the body limit; a declared or counted body over the limit is
     * answered with a 413 problem before it is buffered whole, and the connection is closed.
     */
    static final class LimitedAggregator extends HttpObjectAggregator {
        private final int maxBodyBytes;

        LimitedAggregator(int maxBodyBytes) {
            super(maxBodyBytes);
            this.maxBodyBytes = maxBodyBytes;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
            if (!(oversized instanceof HttpRequest)) {
                super.handleOversizedMessage(ctx, oversized);
                return;
            }
            FullHttpResponse response = problemResponse(HttpVersion.HTTP_1_1, 413, ErrorCode.PAYLOAD_TOO_LARGE,
                    "request body larger than " + maxBodyBytes + " bytes", Map.of());
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
