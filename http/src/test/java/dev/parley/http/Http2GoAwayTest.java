package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ClientOptions;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.TransportException;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 graceful drain over real sockets: the server's GOAWAY carries the last stream it took,
 * in-flight streams finish within the drain, and the client opens no new streams on a
 * connection going away; it sends again, on a new connection, the streams the server did not
 * process (RFC 9113 section 6.8).
 */
class Http2GoAwayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A request-response contract (never detached like an async operation) whose handler blocks until the test answers. */
    @dev.parley.contract.Contract(name = "slow", version = "1.0")
    public interface Slow {
        record Work(String id) {}

        record Done(String id) {}

        Done work(Work request);
    }

    /** A served {@link Slow} whose replies the test completes. */
    private static final class SlowServer implements AutoCloseable {
        final BlockingQueue<CompletableFuture<Slow.Done>> calls = new LinkedBlockingQueue<>();
        final BlockingQueue<String> ids = new LinkedBlockingQueue<>();
        final HttpTransport transport;
        final Parley parley;

        SlowServer(HttpTransport.Builder builder) {
            transport = builder.server(0).bindAddress("127.0.0.1").drainTimeout(WAIT).build();
            parley = Parley.builder().transport(transport).build();
            parley.serve(Slow.class, request -> {
                CompletableFuture<Slow.Done> reply = new CompletableFuture<>();
                ids.add(request.id());
                calls.add(reply);
                try {
                    return reply.get();
                } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        @Override
        public void close() {
            calls.forEach(c -> c.complete(new Slow.Done("closed")));
            parley.close();
            transport.close();
        }
    }

    @Test
    void aRawHttp2ClientSeesGoAwayWithTheLastStreamAndItsInFlightStreamCompletes() throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        BlockingQueue<Object> connectionFrames = new LinkedBlockingQueue<>();
        try (SlowServer server = new SlowServer(HttpTransport.builder())) {
            Channel connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            if (msg instanceof Http2GoAwayFrame) {
                                                connectionFrames.add(msg);
                                            } else {
                                                ReferenceCountUtil.release(msg); // SETTINGS, PING acks, ...
                                            }
                                        }
                                    });
                        }
                    })
                    .connect("127.0.0.1", server.transport.port()).sync().channel();
            BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
            Http2StreamChannel stream = openStream(connection, frames);
            stream.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").path("/v1/slow/work")
                    .scheme("http").authority("127.0.0.1").add("content-type", "application/json"), false));
            stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("{\"id\":\"slow\"}", StandardCharsets.UTF_8), true)).sync();
            CompletableFuture<Slow.Done> slow = server.calls.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(slow).as("the slow call reached its handler").isNotNull();

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server.transport::close);
            Object goAway = connectionFrames.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(goAway).isInstanceOf(Http2GoAwayFrame.class);
            Http2GoAwayFrame frame = (Http2GoAwayFrame) goAway;
            assertThat(frame.lastStreamId()).as("the highest stream the server took").isEqualTo(stream.stream().id());
            assertThat(frame.errorCode()).isEqualTo(Http2Error.NO_ERROR.code());
            ReferenceCountUtil.release(frame);
            // The client may open no stream above the last-stream-id anymore.
            Http2StreamChannel late = openStream(connection, new LinkedBlockingQueue<>());
            assertThat(late.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").path("/health/live")
                    .scheme("http").authority("127.0.0.1"), true)).await().isSuccess()).isFalse();
            assertThat(closing).as("the drain waits for the in-flight stream").isNotDone();

            slow.complete(new Slow.Done("slow"));
            Object headers = frames.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(headers).isInstanceOf(Http2HeadersFrame.class);
            assertThat(((Http2HeadersFrame) headers).headers().status().toString()).isEqualTo("200");
            StringBuilder body = new StringBuilder();
            for (Object f = frames.poll(WAIT.toSeconds(), TimeUnit.SECONDS); f instanceof Http2DataFrame data;
                 f = data.isEndStream() ? null : frames.poll(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                body.append(data.content().toString(StandardCharsets.UTF_8));
                data.release();
            }
            assertThat(body.toString()).contains("\"slow\"");
            closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(connection.closeFuture().await(WAIT.toMillis())).as("the server closed the connection").isTrue();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void theParleyClientFinishesItsInFlightCallAndOpensNoNewStreamOnAConnectionGoingAway() throws Exception {
        drainUnderAParleyClient(HttpTransport.builder(), port -> HttpTransport.builder().protocol(HttpProtocol.H2C)
                .target("http://127.0.0.1:" + port));
    }

    @Test
    void theSameOverTlsWithH2ChosenByAlpn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        TlsTransportTest.Pki pki = TlsTransportTest.Pki.create(dir);
        drainUnderAParleyClient(HttpTransport.builder().serverTls(TlsSettings.from(pki.serverTls()).build()),
                port -> HttpTransport.builder().protocol(HttpProtocol.H2).target("https://127.0.0.1:" + port).clientTls(pki.clientTls()));
    }

    private static void drainUnderAParleyClient(HttpTransport.Builder serverSettings,
                                                java.util.function.IntFunction<HttpTransport.Builder> clientSettings) throws Exception {
        try (SlowServer server = new SlowServer(serverSettings)) {
            HttpTransport clientTransport = clientSettings.apply(server.transport.port()).build();
            try (Parley client = Parley.builder().transport(clientTransport).build()) {
                Slow work = client.client(Slow.class, ClientOptions.custom().deadline(Duration.ofSeconds(30)).build());
                CompletableFuture<Slow.Done> inFlight = CompletableFuture.supplyAsync(() -> work.work(new Slow.Work("first")));
                CompletableFuture<Slow.Done> slow = server.calls.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(slow).isNotNull();
                assertThat(clientTransport.http2ConnectionsInUse()).isEqualTo(1);

                CompletableFuture<Void> closing = CompletableFuture.runAsync(server.transport::close);
                long until = System.nanoTime() + WAIT.toNanos();
                while (clientTransport.http2ConnectionsInUse() > 0 && System.nanoTime() < until) {
                    Thread.sleep(10); // polling for the GOAWAY to arrive, not for correctness
                }
                assertThat(clientTransport.http2ConnectionsInUse()).as("the connection going away takes no new stream").isZero();

                // A new call needs a new connection, which the draining server no longer accepts.
                assertThatThrownBy(() -> work.work(new Slow.Work("second")))
                        .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
                assertThat(server.ids).containsExactly("first");
                assertThat(closing).isNotDone();

                slow.complete(new Slow.Done("first"));
                assertThat(inFlight.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(new Slow.Done("first"));
                closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } finally {
                clientTransport.close();
            }
        }
    }

    /**
     * A server that answers the first stream of its first connection with a GOAWAY whose
     * last-stream-id (0) excludes it: the client must send that POST again on a new connection.
     */
    @Test
    void aStreamAboveTheLastStreamIdIsSentAgainOnANewConnectionEvenForAPost() throws Exception {
        List<String> received = sendOnePostTo(FirstStream.GO_AWAY);
        assertThat(received).containsExactly("connection 1: refused {\"item\":\"book\"}", "connection 2: served {\"item\":\"book\"}");
    }

    @Test
    void aStreamRefusedWithRefusedStreamIsSentAgain() throws Exception {
        List<String> received = sendOnePostTo(FirstStream.REFUSED_STREAM);
        assertThat(received).containsExactly("connection 1: refused {\"item\":\"book\"}", "connection 1: served {\"item\":\"book\"}");
    }

    @Test
    void aStreamResetOtherwiseIsNotSentAgain() throws Exception {
        assertThatThrownBy(() -> sendOnePostTo(FirstStream.INTERNAL_ERROR))
                .hasCauseInstanceOf(TransportException.class)
                .hasMessageContaining("closed before the reply");
    }

    /** What the foreign server does with the first stream it receives. */
    private enum FirstStream { GO_AWAY, REFUSED_STREAM, INTERNAL_ERROR }

    /** Sends one POST through {@link HttpConnections} (h2c) to a foreign server; returns what the server received, in order. */
    private static List<String> sendOnePostTo(FirstStream first) throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        AtomicInteger connectionsAccepted = new AtomicInteger();
        AtomicInteger streams = new AtomicInteger();
        List<String> received = new CopyOnWriteArrayList<>();
        NettyIo io = new NettyIo(1, "goaway-test-client");
        HttpConnections connections = new HttpConnections(io, HttpProtocol.H2C,
                new HttpTransport.Limits(8192, 1 << 20, Duration.ofSeconds(60), Duration.ofSeconds(10)), 1, 2000, 60_000, null);
        try {
            Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            int connection = connectionsAccepted.incrementAndGet();
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                    new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                        @Override
                                        protected void initChannel(Http2StreamChannel stream) {
                                            stream.pipeline().addLast(new ForeignStream(
                                                    streams.incrementAndGet() == 1 ? first : null, connection, received));
                                        }
                                    }));
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            int port = ((java.net.InetSocketAddress) listener.localAddress()).getPort();

            CompletableFuture<String> outcome = new CompletableFuture<>();
            DefaultFullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/orders",
                    Unpooled.copiedBuffer("{\"item\":\"book\"}", StandardCharsets.UTF_8));
            post.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + port).set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .set(HttpHeaderNames.CONTENT_LENGTH, post.content().readableBytes());
            connections.exchange(new HttpConnections.Origin("127.0.0.1", port), post, new HttpConnections.Outcome() {
                @Override
                public void response(int status, HttpHeaders headers, byte[] body) {
                    outcome.complete(status + " " + new String(body, StandardCharsets.UTF_8));
                }

                @Override
                public void failure(TransportException failure) {
                    outcome.completeExceptionally(failure);
                }
            });
            try {
                assertThat(outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("200 {\"ok\":true}");
            } finally {
                listener.close().sync();
            }
            return received;
        } finally {
            connections.close();
            io.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** One stream of the foreign server: the first one is refused or reset as the test says, the others answered 200. */
    private static final class ForeignStream extends ChannelInboundHandlerAdapter {
        private final @org.jspecify.annotations.Nullable FirstStream refusal;
        private final int connection;
        private final List<String> received;
        private final StringBuilder body = new StringBuilder();

        ForeignStream(@org.jspecify.annotations.Nullable FirstStream refusal, int connection, List<String> received) {
            this.refusal = refusal;
            this.connection = connection;
            this.received = received;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                boolean end = msg instanceof Http2HeadersFrame h ? h.isEndStream() : msg instanceof Http2DataFrame d && d.isEndStream();
                if (msg instanceof Http2DataFrame data) {
                    body.append(data.content().toString(StandardCharsets.UTF_8));
                }
                if (!end) {
                    return;
                }
                if (refusal == FirstStream.GO_AWAY) {
                    received.add("connection " + connection + ": refused " + body);
                    Channel parent = ctx.channel().parent();
                    Http2FrameCodec codec = parent.pipeline().get(Http2FrameCodec.class);
                    codec.goAway(parent.pipeline().context(codec), 0, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, parent.newPromise());
                    parent.flush();
                    return;
                }
                if (refusal != null) {
                    received.add("connection " + connection + ": refused " + body);
                    ctx.writeAndFlush(new DefaultHttp2ResetFrame(refusal == FirstStream.REFUSED_STREAM
                            ? Http2Error.REFUSED_STREAM : Http2Error.INTERNAL_ERROR));
                    return;
                }
                received.add("connection " + connection + ": served " + body);
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200").add("content-type", "application/json"), false));
                ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("{\"ok\":true}", StandardCharsets.UTF_8), true));
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private static Http2StreamChannel openStream(Channel connection, BlockingQueue<Object> frames) throws InterruptedException {
        return new Http2StreamChannelBootstrap(connection).handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                frames.add(msg);
            }
        }).open().sync().getNow();
    }
}
