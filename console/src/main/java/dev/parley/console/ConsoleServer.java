package dev.parley.console;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's HTTP side on Netty: the static page, {@code /api/snapshot} and the
 * {@code /api/events} stream. One event-loop thread does all I/O; snapshots are built on a
 * separate thread (sources are application code and may take a moment) and pushed from there.
 */
final class ConsoleServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsoleServer.class);

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    /** Largest request (headers and body) accepted; the console takes no request bodies. */
    static final int MAX_REQUEST_BYTES = 8 * 1024;
    /** An event-stream client with this much unsent data is too slow and is dropped. */
    static final int SLOW_CLIENT_BYTES = 1024 * 1024;

    private static final Map<String, Asset> ASSETS = Map.of(
            "/", Asset.load("index.html", "text/html; charset=utf-8"),
            "/index.html", Asset.load("index.html", "text/html; charset=utf-8"),
            "/console.css", Asset.load("console.css", "text/css; charset=utf-8"),
            "/console.js", Asset.load("console.js", "text/javascript; charset=utf-8"),
            "/favicon.svg", Asset.load("favicon.svg", "image/svg+xml"));

    private final MultiThreadIoEventLoopGroup group;
    private final Channel serverChannel;
    private final ScheduledExecutorService pusher;
    private final ExecutorService snapshotter;
    private final EventStreams streams;
    private final SnapshotJson snapshots;
    private final Set<String> allowedHosts;
    private final URI uri;

    private ConsoleServer(OperationsConsole.Settings settings, SnapshotJson snapshots) {
        this.snapshots = snapshots;
        this.streams = new EventStreams(settings.maxEventClients());
        this.group = new MultiThreadIoEventLoopGroup(1, Thread.ofPlatform().name("parley-console-io").daemon().factory(),
                NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(SLOW_CLIENT_BYTES / 2, SLOW_CLIENT_BYTES))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                // Idle connections that never finish a request are closed; an
                                // event stream is never idle on the writing side.
                                .addLast(new IdleStateHandler(0, 0, 60, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec(4096, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES))
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(new Handler());
                    }
                });
        Channel bound;
        try {
            bound = bootstrap.bind(settings.host(), settings.port()).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("operations console: cannot bind " + settings.host() + ":" + settings.port()
                    + " (" + e.getMessage() + ")", e);
        }
        this.serverChannel = bound;
        int port = ((InetSocketAddress) bound.localAddress()).getPort();
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        this.uri = URI.create("http://" + host + ":" + port + "/");
        Set<String> hosts = new HashSet<>();
        for (String name : new String[] {"localhost", "127.0.0.1", "[::1]", host.toLowerCase(Locale.ROOT)}) {
            hosts.add(name + ":" + port);
            if (port == 80) {
                hosts.add(name);
            }
        }
        hosts.addAll(settings.allowedHosts());
        this.allowedHosts = Set.copyOf(hosts);
        this.snapshotter = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("parley-console-snapshot").daemon().factory());
        this.pusher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("parley-console-push").daemon().factory());
        long pushMillis = settings.pushInterval().toMillis();
        pusher.scheduleAtFixedRate(this::push, pushMillis, pushMillis, TimeUnit.MILLISECONDS);
        long beatMillis = settings.heartbeat().toMillis();
        pusher.scheduleAtFixedRate(streams::heartbeat, beatMillis, beatMillis, TimeUnit.MILLISECONDS);
    }

    static ConsoleServer start(OperationsConsole.Settings settings, SnapshotJson snapshots) {
        return new ConsoleServer(settings, snapshots);
    }

    URI uri() {
        return uri;
    }

    int eventClients() {
        return streams.size();
    }

    long droppedSlowClients() {
        return streams.droppedSlow();
    }

    private void push() {
        if (streams.size() == 0) {
            return;
        }
        try {
            streams.publish(snapshots.build());
        } catch (RuntimeException e) {
            // Keep the schedule alive: one failed snapshot must not stop the page updating.
            log.warn("console snapshot failed", e);
        }
    }

    @Override
    public void close() {
        pusher.shutdownNow();
        snapshotter.shutdownNow();
        streams.closeAll();
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.decoderResult().isFailure()) {
                Throwable cause = request.decoderResult().cause();
                HttpResponseStatus status = cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                        : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                        : HttpResponseStatus.BAD_REQUEST;
                plain(ctx, request, status, "malformed request: " + cause.getMessage() + " (limit " + MAX_REQUEST_BYTES
                        + " bytes of headers, 4096 of request line)", true);
                return;
            }
            String host = request.headers().get(HttpHeaderNames.HOST, "").toLowerCase(Locale.ROOT);
            if (!allowedHosts.contains(host)) {
                plain(ctx, request, HttpResponseStatus.FORBIDDEN, "host '" + ConsoleSection.cut(host, 80)
                        + "' is not allowed (expected: one of " + new java.util.TreeSet<>(allowedHosts)
                        + "; add others with OperationsConsole.Builder.allowedHost)", false);
                return;
            }
            String path = new QueryStringDecoder(request.uri()).path();
            boolean known = ASSETS.containsKey(path) || path.equals("/api/snapshot") || path.equals("/api/events");
            if (!known) {
                plain(ctx, request, HttpResponseStatus.NOT_FOUND, "no such page: " + ConsoleSection.cut(path, 80)
                        + " (expected: /, /api/snapshot or /api/events)", false);
                return;
            }
            HttpMethod method = request.method();
            if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
                FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                        ("method " + ConsoleSection.cut(method.name(), 20) + " not allowed on " + path + " (expected: GET or HEAD)\n")
                                .getBytes(StandardCharsets.UTF_8));
                response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
                send(ctx, request, response, false);
                return;
            }
            if (path.equals("/api/events")) {
                openStream(ctx, request);
            } else if (path.equals("/api/snapshot")) {
                boolean keepAlive = HttpUtil.isKeepAlive(request);
                boolean head = method.equals(HttpMethod.HEAD);
                snapshotter.execute(() -> {
                    byte[] body;
                    try {
                        body = snapshots.build().getBytes(StandardCharsets.UTF_8);
                    } catch (RuntimeException e) {
                        log.warn("console snapshot failed", e);
                        ctx.executor().execute(() -> plainAfter(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                                "snapshot failed: " + e));
                        return;
                    }
                    FullHttpResponse response = response(HttpResponseStatus.OK, "application/json", head ? new byte[0] : body);
                    if (head) {
                        HttpUtil.setContentLength(response, body.length);
                    }
                    sendAfter(ctx, keepAlive, response);
                });
            } else {
                Asset asset = ASSETS.get(path);
                boolean head = method.equals(HttpMethod.HEAD);
                FullHttpResponse response = response(HttpResponseStatus.OK, asset.contentType(), head ? new byte[0] : asset.bytes());
                if (head) {
                    HttpUtil.setContentLength(response, asset.bytes().length);
                }
                send(ctx, request, response, false);
            }
        }

        private void openStream(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!streams.tryAdd(ctx.channel())) {
                FullHttpResponse response = response(HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                        ("too many event-stream clients (limit " + streams.limit() + "); retry later\n").getBytes(StandardCharsets.UTF_8));
                response.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
                send(ctx, request, response, true);
                return;
            }
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            secure(response.headers());
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                    .set("X-Accel-Buffering", "no");
            HttpUtil.setTransferEncodingChunked(response, true);
            ctx.write(response);
            if (request.method().equals(HttpMethod.HEAD)) {
                streams.remove(ctx.channel());
                ctx.writeAndFlush(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("retry: 2000\n\n", StandardCharsets.UTF_8)));
            // The first snapshot goes out at once, so a new page is filled before the next push;
            // built on the push thread so that events reach every client in sequence order.
            pusher.execute(() -> {
                try {
                    streams.sendTo(ctx.channel(), snapshots.build());
                } catch (RuntimeException e) {
                    log.warn("console snapshot failed", e);
                }
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent && !streams.contains(ctx.channel())) {
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            streams.remove(ctx.channel());
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof IOException)) {
                log.debug("console connection failed", cause);
            }
            ctx.close();
        }

        private void plain(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String text, boolean close) {
            send(ctx, request, response(status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8)), close);
        }

        private void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response, boolean close) {
            if (close || !HttpUtil.isKeepAlive(request)) {
                HttpUtil.setKeepAlive(response, false);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                HttpUtil.setKeepAlive(response, true);
                ctx.writeAndFlush(response);
            }
        }

        private void sendAfter(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
            HttpUtil.setKeepAlive(response, keepAlive);
            var future = ctx.writeAndFlush(response);
            if (!keepAlive) {
                future.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private void plainAfter(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String text) {
            sendAfter(ctx, keepAlive, response(status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8)));
        }
    }

    static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
        ByteBuf content = Unpooled.wrappedBuffer(body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        secure(response.headers());
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(response, body.length);
        return response;
    }

    private static void secure(HttpHeaders headers) {
        headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .set("X-Content-Type-Options", "nosniff")
                .set("X-Frame-Options", "DENY")
                .set("Referrer-Policy", "no-referrer")
                .set("Cross-Origin-Resource-Policy", "same-origin")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    }

    /** A static file of the page, read once from the jar. */
    record Asset(byte[] bytes, String contentType) {
        static Asset load(String name, String contentType) {
            String resource = "/dev/parley/console/static/" + name;
            try (InputStream in = ConsoleServer.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("console resource missing from the jar: " + resource);
                }
                return new Asset(in.readAllBytes(), contentType);
            } catch (IOException e) {
                throw new UncheckedIOException("console resource unreadable: " + resource, e);
            }
        }
    }
}
