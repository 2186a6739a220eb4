package dev.parley.http;

import dev.parley.ErrorCode;
import dev.parley.TransportException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The client's connections, per origin: a bounded pool of keep-alive HTTP/1.1 connections, or
 * one HTTP/2 connection (prior-knowledge h2c, or h2 chosen by ALPN over TLS) multiplexing every
 * request as a stream. Origins of {@code https://} targets are reached over TLS; an h2 origin
 * whose server selects http/1.1 is called over the HTTP/1.1 pool from then on.
 * Aborting an exchange closes its HTTP/1.1 connection or resets its HTTP/2 stream. Results are
 * handed to the caller on a virtual thread, never on an event loop.
 *
 * <p>Connections idle for the idle timeout are closed (a closed pooled connection is dropped at
 * the next acquire, and never handed to a call). An HTTP/2 connection that receives a GOAWAY
 * takes no new streams; its streams above the GOAWAY's last-stream-id, like streams the server
 * refused ({@code REFUSED_STREAM}), were not processed and are sent again on a new connection,
 * whatever their method (RFC 9113 section 6.8). A request whose write found its connection
 * already closed was not sent either, and is retried the same way. An idempotent request on a
 * reused keep-alive HTTP/1.1 connection that closes before any byte of the response (the server
 * closed it as idle while the request was on its way) is sent again too (RFC 9110 section 9.2.2);
 * other requests then fail, since the server may have processed them.
 */
final class HttpConnections implements AutoCloseable {

    /** What an exchange reports, exactly once. */
    interface Outcome {
        void response(int status, HttpHeaders headers, byte[] body);

        void failure(TransportException failure);
    }

    /** TLS for the origins of {@code https://} targets: contexts for HTTP/1.1 and (with {@link HttpProtocol#H2}) for h2. */
    record ClientTls(Set<Origin> origins, SslContext http1, @Nullable SslContext h2) {}

    /** The server of an h2 origin selected http/1.1 by ALPN. */
    private static final class FellBackToHttp1 extends Exception {
        FellBackToHttp1() {
            super("server selected http/1.1", null, false, false);
        }
    }

    /** Origin of a request: scheme-less host and port. */
    record Origin(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpConnections.class);
    private static final AttributeKey<ChannelExchange> CURRENT = AttributeKey.valueOf("parley-http-exchange");
    private static final AttributeKey<StreamSlots> STREAM_SLOTS = AttributeKey.valueOf("parley-http2-stream-slots");
    /** Set on an HTTP/2 connection that received a GOAWAY: it takes no new streams. */
    private static final AttributeKey<Boolean> GOING_AWAY = AttributeKey.valueOf("parley-http2-going-away");
    /** Set on an HTTP/2 stream the server reset with REFUSED_STREAM. */
    private static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf("parley-http2-refused");
    /** HTTP/1.1: how many exchanges a connection has carried, and whether the current one has read any response byte. */
    private static final AttributeKey<Integer> EXCHANGES = AttributeKey.valueOf("parley-http1-exchanges");
    private static final AttributeKey<Boolean> RESPONSE_BYTES = AttributeKey.valueOf("parley-http1-response-bytes");
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");
    /** How often a request the server did not process is sent again on another connection. */
    private static final int UNPROCESSED_RETRIES = 2;
    /** The most streams open at once per HTTP/2 connection (RFC 9113 recommends servers allow at least 100). */
    private static final int DEFAULT_MAX_STREAMS = 100;
    private static final ExecutorService CALLBACKS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("parley-http-reply-", 0).factory());

    private final NettyIo io;
    private final HttpProtocol protocol;
    private final HttpTransport.Limits limits;
    private final int maxConnectionsPerOrigin;
    private final long connectTimeoutMillis;
    private final long idleTimeoutMillis;
    private final Map<Origin, FixedChannelPool> pools = new ConcurrentHashMap<>();
    private final Map<Origin, ChannelFuture> http2 = new ConcurrentHashMap<>();
    private final Set<Origin> http1Only = ConcurrentHashMap.newKeySet();
    private final @Nullable ClientTls tls;

    HttpConnections(NettyIo io, HttpProtocol protocol, HttpTransport.Limits limits, int maxConnectionsPerOrigin, long connectTimeoutMillis,
                    long idleTimeoutMillis, @Nullable ClientTls tls) {
        this.io = io;
        this.tls = tls;
        this.protocol = protocol;
        this.limits = limits;
        this.maxConnectionsPerOrigin = maxConnectionsPerOrigin;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    /**
     * Sends a request and reports its response or failure; the returned handle aborts it.
     * Takes ownership of {@code request}.
     */
    Runnable exchange(Origin origin, FullHttpRequest request, Outcome outcome) {
        ChannelExchange exchange = new ChannelExchange(origin, request, outcome, this::send);
        send(exchange);
        return exchange::abort;
    }

    private void send(ChannelExchange exchange) {
        if (protocol != HttpProtocol.HTTP_1_1 && !http1Only.contains(exchange.origin)) {
            sendOverHttp2(exchange);
        } else {
            sendOverHttp1(exchange);
        }
    }

    private Bootstrap bootstrap(Origin origin) {
        return new Bootstrap()
                .group(io.group)
                .channel(io.clientChannel)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .remoteAddress(origin.host(), origin.port());
    }

    private void sendOverHttp1(ChannelExchange exchange) {
        FixedChannelPool pool = pools.computeIfAbsent(exchange.origin, o -> new FixedChannelPool(bootstrap(o), new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel ch) {
                SslContext context = tlsFor(o, false);
                if (context != null) {
                    ch.pipeline().addLast("tls", tlsHandler(context, ch, o));
                }
                ch.pipeline()
                        .addLast("idle", new IdleStateHandler(0, 0, idleTimeoutMillis, TimeUnit.MILLISECONDS))
                        .addLast("response-bytes", new ResponseBytes())
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(limits.maxBodyBytes()))
                        .addLast(new ResponseHandler());
            }
        }, maxConnectionsPerOrigin, Integer.MAX_VALUE));
        pool.acquire().addListener(f -> {
            if (!f.isSuccess()) {
                exchange.fail(unavailable(exchange.origin, f.cause()));
                return;
            }
            Channel ch = (Channel) f.getNow();
            exchange.start(ch, reusable -> {
                if (reusable) {
                    pool.release(ch);
                } else {
                    ch.close().addListener(c -> pool.release(ch));
                }
            });
        });
    }

    private void sendOverHttp2(ChannelExchange exchange) {
        ChannelFuture connection = http2.compute(exchange.origin, (o, existing) -> {
            if (existing != null && (!existing.isDone() || existing.channel().isActive())
                    && !Boolean.TRUE.equals(existing.channel().attr(GOING_AWAY).get())) {
                return existing;
            }
            return openHttp2(o);
        });
        connection.addListener(f -> {
            if (!f.isSuccess()) {
                http2.remove(exchange.origin, connection);
                if (f.cause() instanceof FellBackToHttp1) {
                    http1Only.add(exchange.origin);
                    sendOverHttp1(exchange);
                } else {
                    exchange.fail(unavailable(exchange.origin, f.cause()));
                }
                return;
            }
            StreamSlots fresh = new StreamSlots(connection.channel());
            StreamSlots existing = connection.channel().attr(STREAM_SLOTS).setIfAbsent(fresh);
            StreamSlots slots = existing != null ? existing : fresh;
            slots.acquire(() -> openStream(connection.channel(), slots, exchange));
        });
    }

    private void openStream(Channel connection, StreamSlots slots, ChannelExchange exchange) {
        new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline()
                        .addLast(new Http2StreamFrameToHttpObjectCodec(false))
                        .addLast(new HttpObjectAggregator(limits.maxBodyBytes()))
                        .addLast(new ResponseHandler());
            }
        }).open().addListener(s -> {
            if (!s.isSuccess()) {
                slots.release();
                // No stream, so nothing was sent: the connection closed or is going away.
                if (!exchange.retry(null)) {
                    exchange.fail(unavailable(exchange.origin, s.cause()));
                }
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) s.getNow();
            // The stream channel closes before the codec removes its stream from the active ones:
            // hand the slot on in a later event-loop task, or the next stream would be refused.
            stream.closeFuture().addListener(c -> connection.eventLoop().execute(slots::release));
            exchange.start(stream, reusable -> stream.close());
        });
    }

    /**
     * The streams open on one HTTP/2 connection, at most as many as the server's
     * SETTINGS_MAX_CONCURRENT_STREAMS allows; requests beyond it wait in order for a stream to
     * close instead of failing (their deadline still bounds the wait: an aborted exchange gives
     * its slot back as soon as it gets one).
     */
    private static final class StreamSlots {
        private final Channel connection;
        private final ArrayDeque<Runnable> waiting = new ArrayDeque<>(); // guarded by this
        private int open; // guarded by this

        StreamSlots(Channel connection) {
            this.connection = connection;
        }

        void acquire(Runnable openStream) {
            synchronized (this) {
                if (open >= limit()) {
                    waiting.add(openStream);
                    return;
                }
                open++;
            }
            openStream.run();
        }

        void release() {
            Runnable next;
            synchronized (this) {
                next = waiting.poll();
                if (next == null) {
                    open--;
                }
            }
            if (next != null) {
                next.run();
            }
        }

        private int limit() {
            Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
            // Until the server's SETTINGS frame arrives Netty knows no limit, so the first burst
            // must not exceed what every server allows; afterwards the server's own limit counts.
            return codec == null ? DEFAULT_MAX_STREAMS : Math.max(1, Math.min(DEFAULT_MAX_STREAMS, codec.connection().local().maxActiveStreams()));
        }
    }

    private @Nullable SslContext tlsFor(Origin origin, boolean h2) {
        if (tls == null || !tls.origins().contains(origin)) {
            return null;
        }
        return h2 && tls.h2() != null ? tls.h2() : tls.http1();
    }

    /** The client side of a TLS connection to {@code origin}, which must finish its handshake within the connect timeout. */
    private SslHandler tlsHandler(SslContext context, Channel ch, Origin origin) {
        SslHandler handler = context.newHandler(ch.alloc(), origin.host(), origin.port());
        handler.setHandshakeTimeoutMillis(connectTimeoutMillis);
        return handler;
    }

    /**
     * Connects an HTTP/2 connection: h2c by prior knowledge, or TLS whose handshake must select
     * h2 by ALPN before the HTTP/2 codec is added. Completes once streams can be opened.
     */
    private ChannelFuture openHttp2(Origin origin) {
        SslContext context = tlsFor(origin, true);
        ChannelFuture connect = bootstrap(origin).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (context != null) {
                    ch.pipeline()
                            .addLast("tls", tlsHandler(context, ch, origin))
                            .addLast("connection-errors", new ConnectionErrors());
                } else {
                    ch.pipeline()
                            .addLast(new IdleStateHandler(0, 0, idleTimeoutMillis, TimeUnit.MILLISECONDS))
                            .addLast(Http2FrameCodecBuilder.forClient().build())
                            .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                            .addLast(new Http2ConnectionWatch(origin));
                }
            }
        }).connect();
        if (context == null) {
            return connect;
        }
        Channel ch = connect.channel();
        ChannelPromise ready = ch.newPromise();
        connect.addListener(c -> {
            if (!c.isSuccess()) {
                ready.setFailure(c.cause());
                return;
            }
            SslHandler handshake = ch.pipeline().get(SslHandler.class);
            handshake.handshakeFuture().addListener(h -> {
                if (!h.isSuccess()) {
                    ready.tryFailure(h.cause());
                } else if (ApplicationProtocolNames.HTTP_2.equals(handshake.applicationProtocol())) {
                    ch.pipeline()
                            .addBefore("connection-errors", null, new IdleStateHandler(0, 0, idleTimeoutMillis, TimeUnit.MILLISECONDS))
                            .addBefore("connection-errors", null, Http2FrameCodecBuilder.forClient().build())
                            .addBefore("connection-errors", null, new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                            .addBefore("connection-errors", null, new Http2ConnectionWatch(origin));
                    ready.trySuccess();
                } else {
                    ch.close();
                    ready.tryFailure(new FellBackToHttp1());
                }
            });
        });
        return ready;
    }

    /**
     * Closes a TLS HTTP/2 connection that fails (a refused handshake, a TLS alert such as a
     * missing client certificate): the waiting exchanges learn of it from the handshake future
     * or from their streams closing.
     */
    private static final class ConnectionErrors extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("closing {} after {}", ctx.channel(), cause.toString());
            ctx.close();
        }
    }

    /**
     * Watches an HTTP/2 connection: after a GOAWAY it is no longer handed new streams (its open
     * streams go on), and once idle for the idle timeout without open streams it is closed.
     */
    private final class Http2ConnectionWatch extends ChannelInboundHandlerAdapter {
        private final Origin origin;

        Http2ConnectionWatch(Origin origin) {
            this.origin = origin;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2GoAwayFrame goAway) {
                LOG.debug("{} sent GOAWAY (last stream {}, error {}): no new streams on {}", origin, goAway.lastStreamId(),
                        goAway.errorCode(), ctx.channel());
                ctx.channel().attr(GOING_AWAY).set(Boolean.TRUE);
                forget(ctx.channel());
                ReferenceCountUtil.release(msg);
                return;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
                if (codec != null && codec.connection().numActiveStreams() == 0) {
                    LOG.debug("closing idle HTTP/2 connection {} to {}", ctx.channel(), origin);
                    forget(ctx.channel());
                    ctx.close();
                }
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        /** Takes the connection out of use, unless a newer one already replaced it. */
        private void forget(Channel connection) {
            http2.computeIfPresent(origin, (o, current) -> current.channel() == connection ? null : current);
        }
    }

    /**
     * Whether an idempotent request's HTTP/1.1 connection, reused from the pool, closed before any
     * byte of the response: most likely the server closed it as idle while the request travelled.
     */
    private static boolean staleKeepAlive(Channel ch, ChannelExchange exchange) {
        if (ch instanceof Http2StreamChannel || !exchange.idempotent) {
            return false;
        }
        Integer carried = ch.attr(EXCHANGES).get();
        return carried != null && carried > 1 && !Boolean.TRUE.equals(ch.attr(RESPONSE_BYTES).get());
    }

    /** HTTP/1.1: notes that the current exchange has read response bytes. */
    private static final class ResponseBytes extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!Boolean.TRUE.equals(ctx.channel().attr(RESPONSE_BYTES).get())) {
                ctx.channel().attr(RESPONSE_BYTES).set(Boolean.TRUE);
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * Event loop of {@code ch}: whether the server did not process the request on this HTTP/2
     * stream, so that it may be sent again whatever its method: the stream was refused, or lies
     * above the last-stream-id of a GOAWAY the connection received (RFC 9113 section 6.8).
     */
    private static boolean unprocessed(Channel ch) {
        if (!(ch instanceof Http2StreamChannel stream)) {
            return false;
        }
        if (Boolean.TRUE.equals(ch.attr(REFUSED).get())) {
            return true;
        }
        Http2FrameCodec codec = stream.parent().pipeline().get(Http2FrameCodec.class);
        if (codec == null || !codec.connection().goAwayReceived()) {
            return false;
        }
        Http2Connection connection = codec.connection();
        int id = stream.stream() == null ? -1 : stream.stream().id();
        return id <= 0 || id > connection.local().lastStreamKnownByPeer();
    }

    private static TransportException unavailable(Origin origin, Throwable cause) {
        String what = cause instanceof ConnectException ? "cannot connect to " + origin + ": " + cause.getMessage()
                : "connection to " + origin + " failed: " + cause;
        return new TransportException(ErrorCode.UNAVAILABLE, what, cause);
    }

    /** HTTP/2 connections that new streams may still use, for tests of GOAWAY and idle eviction. */
    int http2ConnectionsInUse() {
        return (int) http2.values().stream().filter(f -> !f.isDone() || f.channel().isActive()).count();
    }

    @Override
    public void close() {
        pools.values().forEach(FixedChannelPool::close);
        pools.clear();
        http2.values().forEach(f -> f.channel().close());
        http2.clear();
    }

    @FunctionalInterface
    private interface Release {
        void release(boolean reusable);
    }

    /** One request on one channel (an HTTP/1.1 connection or an HTTP/2 stream). */
    private static final class ChannelExchange {
        final Origin origin;
        final Outcome outcome;
        private final java.util.function.Consumer<ChannelExchange> resend;
        // guarded by this; null once dropped. Kept (a duplicate is sent) while the exchange may be retried.
        @Nullable FullHttpRequest request;
        @Nullable Channel channel;          // guarded by this
        @Nullable Release release;          // guarded by this
        boolean finished;         // guarded by this
        int retriesLeft = UNPROCESSED_RETRIES; // guarded by this
        final boolean idempotent;

        ChannelExchange(Origin origin, FullHttpRequest request, Outcome outcome, java.util.function.Consumer<ChannelExchange> resend) {
            this.idempotent = IDEMPOTENT.contains(request.method().name());
            this.origin = origin;
            this.request = request;
            this.outcome = outcome;
            this.resend = resend;
        }

        void start(Channel ch, Release release) {
            FullHttpRequest toSend;
            synchronized (this) {
                if (finished || request == null) {
                    release.release(true); // aborted while waiting for a connection
                    return;
                }
                this.channel = ch;
                this.release = release;
                if (retriesLeft > 0) {
                    toSend = request.retainedDuplicate();
                } else {
                    toSend = request;
                    request = null;
                }
            }
            if (!(ch instanceof Http2StreamChannel)) {
                Integer carried = ch.attr(EXCHANGES).get();
                ch.attr(EXCHANGES).set(carried == null ? 1 : carried + 1);
                ch.attr(RESPONSE_BYTES).set(Boolean.FALSE);
            }
            ch.attr(CURRENT).set(this);
            ch.writeAndFlush(toSend).addListener(w -> {
                if (w.isSuccess()) {
                    return;
                }
                // Written onto a connection that was already closed (or a stream the server will not take): nothing was sent.
                if ((w.cause() instanceof ClosedChannelException || unprocessed(ch)) && retry(ch)) {
                    return;
                }
                fail(new TransportException(ErrorCode.UNAVAILABLE, "cannot send the request to " + origin + ": " + w.cause(), w.cause()));
            });
        }

        /**
         * The request on {@code from} (null: not yet on a channel) was not processed by the
         * server: sends it again, unless the exchange ended, moved on or used its retries.
         */
        boolean retry(@Nullable Channel from) {
            Channel ch;
            Release r;
            synchronized (this) {
                if (finished || request == null || retriesLeft == 0 || channel != from) {
                    return false;
                }
                retriesLeft--;
                ch = channel;
                r = release;
                channel = null;
                release = null;
            }
            LOG.debug("{}: request not processed on {}, sending it again", origin, from);
            if (ch != null && r != null) {
                ch.attr(CURRENT).compareAndSet(this, null);
                r.release(false);
            }
            resend.accept(this);
            return true;
        }

        /** The caller gave up: close the connection or reset the stream. */
        void abort() {
            finish(false); // nothing to report: the caller cancelled
        }

        void respond(FullHttpResponse response) {
            int status = response.status().code();
            HttpHeaders headers = response.headers().copy();
            byte[] body = ByteBufUtil.getBytes(response.content());
            boolean reusable = HttpUtil.isKeepAlive(response);
            if (finish(reusable)) {
                CALLBACKS.execute(() -> outcome.response(status, headers, body));
            }
        }

        void fail(TransportException failure) {
            if (finish(false)) {
                CALLBACKS.execute(() -> outcome.failure(failure));
            }
        }

        /** Ends the exchange once (releasing the request kept for a retry); true for the first caller. */
        private boolean finish(boolean reusable) {
            Channel ch;
            Release r;
            FullHttpRequest unsent;
            synchronized (this) {
                if (finished) {
                    return false;
                }
                finished = true;
                ch = channel;
                r = release;
                unsent = request;
                request = null;
            }
            if (unsent != null) {
                ReferenceCountUtil.release(unsent);
            }
            if (ch != null && r != null) {
                ch.attr(CURRENT).compareAndSet(this, null);
                r.release(reusable);
            }
            return true;
        }
    }

    /** Hands the channel's response or failure to its current exchange. */
    private static final class ResponseHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ChannelExchange exchange = ctx.channel().attr(CURRENT).get();
                if (msg instanceof FullHttpResponse response && exchange != null) {
                    exchange.respond(response);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof Http2ResetFrame reset) {
                if (reset.errorCode() == Http2Error.REFUSED_STREAM.code()) {
                    ctx.channel().attr(REFUSED).set(Boolean.TRUE);
                }
            } else if (evt instanceof IdleStateEvent) {
                if (ctx.channel().attr(CURRENT).get() == null) {
                    // Pooled and unused for the idle timeout: closed here, dropped by the pool's next acquire.
                    LOG.debug("closing idle connection {}", ctx.channel());
                    ctx.close();
                }
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            ChannelExchange exchange = ctx.channel().attr(CURRENT).get();
            if (exchange != null && !((unprocessed(ctx.channel()) || staleKeepAlive(ctx.channel(), exchange)) && exchange.retry(ctx.channel()))) {
                exchange.fail(new TransportException(ErrorCode.UNAVAILABLE, "connection to " + exchange.origin
                        + " closed before the reply", null));
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ChannelExchange exchange = ctx.channel().attr(CURRENT).get();
            if (exchange != null) {
                exchange.fail(cause instanceof TooLongFrameException
                        ? new TransportException(ErrorCode.INVALID_REPLY, "reply from " + exchange.origin + " is too large: " + cause.getMessage(), cause)
                        : new TransportException(ErrorCode.UNAVAILABLE, "connection to " + exchange.origin + " failed: " + cause, cause));
            }
            ctx.close();
        }
    }
}
