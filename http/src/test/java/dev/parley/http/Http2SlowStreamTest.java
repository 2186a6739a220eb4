package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Slowloris over HTTP/2 (h2c, prior knowledge), with a real HTTP/2 client: a stream that sends
 * its headers but never ends its request is reset after the read timeout, while the connection
 * and its other streams keep being served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http2SlowStreamTest {

    private HttpTransport transport;
    private MultiThreadIoEventLoopGroup group;
    private Channel connection;

    @BeforeAll
    void start() throws Exception {
        transport = HttpTransport.builder().server(0).bindAddress("127.0.0.1").requestReadTimeout(Duration.ofMillis(300)).build();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect("127.0.0.1", transport.port()).sync().channel();
    }

    @AfterAll
    void stop() throws Exception {
        connection.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        transport.close();
    }

    @Test
    void aStreamThatNeverEndsItsRequestIsResetAndTheConnectionServesOthers() throws Exception {
        BlockingQueue<Object> slowFrames = new LinkedBlockingQueue<>();
        Http2StreamChannel slow = openStream(slowFrames);
        long start = System.nanoTime();
        // Headers of a POST whose body never comes.
        slow.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").path("/v1/anything")
                .scheme("http").authority("127.0.0.1").add("content-type", "application/json"), false)).sync();

        assertThat(slow.closeFuture().await(10, TimeUnit.SECONDS)).as("the slow stream was reset").isTrue();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMillis).isGreaterThanOrEqualTo(250);
        assertThat(slowFrames).anyMatch(f -> f instanceof Http2ResetFrame);

        BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
        Http2StreamChannel next = openStream(frames);
        next.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").path("/health/live")
                .scheme("http").authority("127.0.0.1"), true)).sync();
        Object reply = frames.poll(10, TimeUnit.SECONDS);
        assertThat(reply).isInstanceOf(Http2HeadersFrame.class);
        assertThat(((Http2HeadersFrame) reply).headers().status().toString()).isEqualTo("200");
        assertThat(connection.isActive()).as("the connection survived").isTrue();
    }

    private Http2StreamChannel openStream(BlockingQueue<Object> frames) throws InterruptedException {
        return new Http2StreamChannelBootstrap(connection).handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                frames.add(msg);
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                frames.add(evt);
            }
        }).open().sync().getNow();
    }
}
