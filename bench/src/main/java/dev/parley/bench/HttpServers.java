package dev.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.HandlerExecution;
import dev.parley.Parley;
import dev.parley.http.HttpTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The servers of the HTTP comparison, one per JVM: {@code java -cp benchmarks.jar
 * dev.parley.bench.HttpServers <server> [port]} prints {@code LISTENING <port>} once it accepts
 * connections and serves until the process is stopped (SIGTERM). Every server answers
 * {@code POST /v1/echo} ({@link HttpEcho}) on 127.0.0.1 with as many event loop threads as
 * cores, decoding the body with Jackson into {@link HttpEcho.Ping} and encoding the
 * {@link HttpEcho.Pong}.
 *
 * <ul>
 *   <li>{@code parley}: a Parley service over {@link HttpTransport}, handlers on virtual threads
 *       (the default {@link HandlerExecution#VIRTUAL_THREAD});</li>
 *   <li>{@code parley-direct}: the same with {@link HandlerExecution#DIRECT}, the handler on the
 *       event loop: the transport's own cost;</li>
 *   <li>{@code netty}: HttpServerCodec, HttpObjectAggregator and one handler, no framework;</li>
 *   <li>{@code vertx}: Vert.x Web, a Router with a BodyHandler.</li>
 * </ul>
 */
public final class HttpServers {

    /** The servers by the name the launcher takes. */
    public enum Kind {
        PARLEY, PARLEY_DIRECT, NETTY, VERTX;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Kind of(String label) {
            for (Kind k : values()) {
                if (k.label().equals(label)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("server: '" + label + "' (expected: parley, parley-direct, netty or vertx)");
        }
    }

    /** A started server. */
    public interface Running extends AutoCloseable {
        int port();

        @Override
        void close();
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServers() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: HttpServers <parley|parley-direct|netty|vertx> [port]");
            System.exit(2);
        }
        Kind kind = Kind.of(args[0]);
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        int threads = Runtime.getRuntime().availableProcessors();
        Running server = start(kind, port, threads);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "close-" + kind.label()));
        System.out.println("LISTENING " + server.port());
        System.out.flush();
        Thread.currentThread().join(); // served until the launcher stops this process
    }

    /** Starts {@code kind} on 127.0.0.1; port 0 picks a free one. */
    public static Running start(Kind kind, int port, int ioThreads) {
        return switch (kind) {
            case PARLEY -> parley(port, ioThreads, HandlerExecution.VIRTUAL_THREAD);
            case PARLEY_DIRECT -> parley(port, ioThreads, HandlerExecution.DIRECT);
            case NETTY -> netty(port, ioThreads);
            case VERTX -> vertx(port, ioThreads);
        };
    }

    private static Running parley(int port, int ioThreads, HandlerExecution execution) {
        HttpTransport transport = HttpTransport.builder().server(port).bindAddress("127.0.0.1").ioThreads(ioThreads).build();
        Parley parley = Parley.builder().service("echo-server").transport(transport).build();
        parley.serve(HttpEcho.class, HttpEcho::reply, execution);
        return new Running() {
            @Override
            public int port() {
                return transport.port();
            }

            @Override
            public void close() {
                parley.close();
                transport.close();
            }
        };
    }

    private static Running netty(int port, int ioThreads) {
        boolean epoll = NettyEpoll.available();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(ioThreads, NettyEpoll.factory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new NettyEchoHandler());
                    }
                });
        Channel channel = bootstrap.bind("127.0.0.1", port).syncUninterruptibly().channel();
        return new Running() {
            @Override
            public int port() {
                return ((java.net.InetSocketAddress) channel.localAddress()).getPort();
            }

            @Override
            public void close() {
                channel.close().syncUninterruptibly();
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        };
    }

    /**
     * The raw Netty server's only handler: the same decode, reply and encode as the others. Replies
     * are written as requests are read and flushed once per read batch, as Netty's HTTP examples do.
     */
    private static final class NettyEchoHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
            FullHttpResponse response;
            if (request.method().equals(HttpMethod.POST) && request.uri().equals(HttpEcho.PATH)) {
                HttpEcho.Ping ping = JSON.readValue((InputStream) new ByteBufInputStream(request.content()), HttpEcho.Ping.class);
                ByteBuf body = ctx.alloc().buffer(256);
                try (OutputStream out = new ByteBufOutputStream(body)) {
                    JSON.writeValue(out, HttpEcho.reply(ping));
                } catch (IOException | RuntimeException e) {
                    body.release();
                    throw e;
                }
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            } else {
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
            }
            HttpUtil.setContentLength(response, response.content().readableBytes());
            if (HttpUtil.isKeepAlive(request)) {
                ctx.write(response, ctx.voidPromise());
            } else {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** The Vert.x Web server: a Router with a BodyHandler, Jackson for the body. */
    private static final class VertxEchoVerticle extends VerticleBase {
        private final int port;

        VertxEchoVerticle(int port) {
            this.port = port;
        }

        @Override
        public Future<?> start() {
            Router router = Router.router(vertx);
            router.post(HttpEcho.PATH).handler(BodyHandler.create()).handler(ctx -> {
                try {
                    HttpEcho.Ping ping = JSON.readValue(ctx.body().buffer().getBytes(), HttpEcho.Ping.class);
                    byte[] body = JSON.writeValueAsBytes(HttpEcho.reply(ping));
                    ctx.response().putHeader("content-type", "application/json").end(Buffer.buffer(body));
                } catch (IOException e) {
                    ctx.fail(400, e);
                }
            });
            return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setTcpNoDelay(true))
                    .requestHandler(router)
                    .listen(port);
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Running vertx(int port, int ioThreads) {
        // The verticle instances share one port; pick it first, since each listen(0) would get its own.
        int chosen = port != 0 ? port : freePort();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(ioThreads).setPreferNativeTransport(true));
        try {
            // One verticle instance per event loop, as a Vert.x application is deployed.
            vertx.deployVerticle(() -> new VertxEchoVerticle(chosen), new DeploymentOptions().setInstances(ioThreads)).await();
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("vertx: listen on port " + chosen + " failed", e);
        }
        if (!vertx.isNativeTransportEnabled()) {
            System.err.println("vertx: native transport unavailable (" + vertx.unavailableNativeTransportCause() + "); using NIO");
        }
        int actual = chosen;
        return new Running() {
            @Override
            public int port() {
                return actual;
            }

            @Override
            public void close() {
                try {
                    vertx.close().await();
                } catch (Exception e) {
                    throw new UncheckedIOException(new IOException("vertx: close failed", e));
                }
            }
        };
    }
}
