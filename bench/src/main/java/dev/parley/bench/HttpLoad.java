package dev.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load generator of the HTTP server comparison: a closed loop over HTTP/1.1 keep-alive
 * connections, each sending the next {@code POST /v1/echo} when the previous reply arrived (so
 * the number of connections is the number of requests in flight, as with wrk). Latencies go to
 * an HdrHistogram {@link Recorder}; the warm-up's are discarded.
 *
 * <pre>
 * java -cp benchmarks.jar dev.parley.bench.HttpLoad &lt;label&gt; &lt;port&gt; [connections=64] [warmupSeconds=10]
 *      [measureSeconds=20] [ioThreads=cores]
 * </pre>
 *
 * One event loop thread per core, like wrk's default of two threads on two cores: with one thread
 * the generator itself is the bottleneck (about half the raw Netty server's rate on this VM).
 *
 * Prints one {@link LoadResult} line ({@code RESULT label requests/s p50 p99 ...}).
 */
public final class HttpLoad {

    private HttpLoad() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: HttpLoad <label> <port> [connections=64] [warmupSeconds=10] [measureSeconds=20] [ioThreads=cores]");
            System.exit(2);
        }
        String label = args[0];
        int port = Integer.parseInt(args[1]);
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int measure = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        int ioThreads = args.length > 5 ? Integer.parseInt(args[5]) : Runtime.getRuntime().availableProcessors();
        System.out.println(run(label, port, connections, warmup * 1000L, measure * 1000L, ioThreads).line());
    }

    /** Runs the closed loop against 127.0.0.1:{@code port} and returns what the measured window saw. */
    public static LoadResult run(String label, int port, int connections, long warmupMillis, long measureMillis, int ioThreads)
            throws InterruptedException {
        byte[] body;
        try {
            body = new ObjectMapper().writeValueAsBytes(HttpEcho.sample());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ByteBuf content = Unpooled.unreleasableBuffer(Unpooled.directBuffer(body.length).writeBytes(body));
        Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);
        AtomicLong errors = new AtomicLong();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(ioThreads, NettyEpoll.factory());
        try {
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channel(NettyEpoll.available() ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                                    new ClosedLoop(content, "127.0.0.1:" + port, recorder, errors));
                        }
                    });
            List<Channel> channels = new ArrayList<>(connections);
            for (int i = 0; i < connections; i++) {
                channels.add(bootstrap.connect("127.0.0.1", port).syncUninterruptibly().channel());
            }
            for (Channel channel : channels) {
                channel.pipeline().get(ClosedLoop.class).sendNext(channel);
            }
            Thread.sleep(warmupMillis);
            recorder.getIntervalHistogram(); // discards the warm-up
            long errorsBefore = errors.get();
            long start = System.nanoTime();
            Thread.sleep(measureMillis);
            Histogram measured = recorder.getIntervalHistogram();
            long elapsed = System.nanoTime() - start;
            for (Channel channel : channels) {
                channel.close();
            }
            return LoadResult.of(label, measured, elapsed, errors.get() - errorsBefore);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** One connection's loop: send, wait for the reply, record, send again. */
    private static final class ClosedLoop extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final ByteBuf content;
        private final String host;
        private final Recorder recorder;
        private final AtomicLong errors;
        private long sentAt;

        ClosedLoop(ByteBuf content, String host, Recorder recorder, AtomicLong errors) {
            this.content = content;
            this.host = host;
            this.recorder = recorder;
            this.errors = errors;
        }

        void sendNext(Channel channel) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, HttpEcho.PATH,
                    content.duplicate());
            request.headers()
                    .set(HttpHeaderNames.HOST, host)
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            sentAt = System.nanoTime();
            channel.writeAndFlush(request, channel.voidPromise());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            recorder.recordValue(Math.min(System.nanoTime() - sentAt, TimeUnit.SECONDS.toNanos(10)));
            if (!response.status().equals(HttpResponseStatus.OK) || response.content().readableBytes() == 0) {
                errors.incrementAndGet();
            }
            if (ctx.channel().isActive()) {
                sendNext(ctx.channel());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.incrementAndGet();
            System.err.println("HttpLoad: connection failed: " + cause);
            ctx.close();
        }
    }
}
