package dev.parley.bench.rpc;

import dev.parley.HandlerExecution;
import dev.parley.Parley;
import dev.parley.codec.Codec;
import dev.parley.rpc.RpcTransport;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * One server of the RPC comparison, in its own JVM, until killed. Prints {@code LISTENING <port>}.
 *
 * <pre>
 * java -cp benchmarks.jar dev.parley.bench.rpc.RpcBenchServer &lt;system&gt; [port=0]
 *   parley         RpcTransport, handlers on virtual threads (Parley's default), CBOR
 *   parley-direct  the same with HandlerExecution.DIRECT (no thread hand-off)
 *   grpc           gRPC-java (Netty, shaded), default executor
 *   grpc-direct    gRPC-java with directExecutor()
 *   netty          raw Netty: 4-byte length-prefixed frames echoed back (one-way frames, first byte 0, counted only)
 * </pre>
 */
public final class RpcBenchServer {

    private RpcBenchServer() {}

    public static void main(String[] args) throws Exception {
        String system = args[0];
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        int bound = switch (system) {
            case "parley", "parley-direct" -> parley(port, system.equals("parley-direct") ? HandlerExecution.DIRECT : HandlerExecution.VIRTUAL_THREAD);
            case "grpc", "grpc-direct" -> grpc(port, system.equals("grpc-direct"));
            case "netty" -> netty(port);
            default -> throw new IllegalArgumentException("system: '" + system + "' (expected: parley, parley-direct, grpc, grpc-direct or netty)");
        };
        System.out.println("LISTENING " + bound);
        System.out.flush();
        new CountDownLatch(1).await();
    }

    static final LongAdder NOTIFICATIONS = new LongAdder();

    private static int parley(int port, HandlerExecution execution) {
        RpcTransport rpc = RpcTransport.builder().server(port).bindAddress("127.0.0.1").build();
        Parley parley = Parley.builder().service("rpc-bench").transport(rpc).codec(Codec.cbor()).build();
        parley.serve(RpcEcho.class, new RpcEcho() {
            @Override
            public CompletionStage<Blob> echo(Blob request) {
                return CompletableFuture.completedFuture(request);
            }

            @Override
            public void notify(Blob request) {
                NOTIFICATIONS.increment();
            }
        }, execution);
        return rpc.port();
    }

    private static int grpc(int port, boolean direct) throws Exception {
        ServerServiceDefinition service = ServerServiceDefinition.builder("bench.Echo")
                .addMethod(RpcBench.GRPC_ECHO, ServerCalls.asyncUnaryCall((request, reply) -> {
                    reply.onNext(request);
                    reply.onCompleted();
                }))
                .build();
        ServerBuilder<?> builder = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create()).addService(service);
        if (direct) {
            builder.directExecutor();
        }
        Server server = builder.build().start();
        return server.getPort();
    }

    private static int netty(int port) throws InterruptedException {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(RpcBench.ioFactory());
        Channel server = new ServerBootstrap().group(group).channel(RpcBench.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 0), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf frame = (ByteBuf) msg;
                                if (frame.getByte(4) == 0) { // one-way
                                    NOTIFICATIONS.increment();
                                    frame.release();
                                } else {
                                    ctx.write(frame, ctx.voidPromise());
                                }
                            }

                            @Override
                            public void channelReadComplete(ChannelHandlerContext ctx) {
                                ctx.flush();
                            }
                        });
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }
}
