package dev.parley.bench.rpc;

import dev.parley.ClientOptions;
import dev.parley.Parley;
import dev.parley.bench.LoadResult;
import dev.parley.codec.Codec;
import dev.parley.resilience.BreakerPolicy;
import dev.parley.resilience.BulkheadPolicy;
import dev.parley.rpc.RpcTransport;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load generator of the RPC comparison: a closed loop keeping {@code inFlight} calls in
 * flight over one connection (one channel for gRPC), each completion sending the next call.
 * Latencies go to an HdrHistogram {@link Recorder}; the warm-up's are discarded. Prints one
 * {@link LoadResult} line labelled {@code <system>@<inFlight>}.
 *
 * <pre>
 * java -cp benchmarks.jar dev.parley.bench.rpc.RpcBenchLoad &lt;system&gt; &lt;port&gt; [inFlight=64] [warmupSeconds=10] [measureSeconds=20]
 *   parley, parley-direct   Parley client over RpcTransport (CBOR), async method returning a CompletionStage
 *   parley-oneway           Parley one-way notifications (inFlight virtual threads sending in a loop)
 *   grpc, grpc-direct       gRPC-java async unary calls on one ManagedChannel (default / direct executor)
 *   netty                   raw Netty, length-prefixed echo pipelined on one connection
 *   netty-oneway            raw Netty one-way frames, inFlight writes outstanding
 * </pre>
 */
public final class RpcBenchLoad {

    private RpcBenchLoad() {}

    /** One kind of client: starts a call, and runs exactly one of the callbacks when it ends. */
    interface Caller extends AutoCloseable {
        void call(Runnable done, Consumer<Throwable> failed);

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        String system = args[0];
        int port = Integer.parseInt(args[1]);
        int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int measure = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        try (Caller caller = caller(system, port, inFlight)) {
            LoadResult result = run(system + "@" + inFlight, caller, inFlight, warmup, measure);
            System.out.println(result.line());
        }
        System.exit(0);
    }

    static LoadResult run(String label, Caller caller, int inFlight, int warmupSeconds, int measureSeconds) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        LongAdder errors = new LongAdder();
        Loop loop = new Loop(caller, recorder, errors);
        for (int i = 0; i < inFlight; i++) {
            loop.next();
        }
        Thread.sleep(Duration.ofSeconds(warmupSeconds));
        recorder.getIntervalHistogram();
        long errorsBefore = errors.sum();
        long started = System.nanoTime();
        Thread.sleep(Duration.ofSeconds(measureSeconds));
        Histogram measured = recorder.getIntervalHistogram();
        long elapsed = System.nanoTime() - started;
        loop.stopping = true;
        return LoadResult.of(label, measured, elapsed, errors.sum() - errorsBefore);
    }

    /** Every completion starts the next call; failures restart 10 ms later from another thread, so a failing-fast client neither recurses nor spins. */
    private static final class Loop {
        private final Caller caller;
        private final Recorder recorder;
        private final LongAdder errors;
        private final java.util.concurrent.ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "restarts");
            t.setDaemon(true);
            return t;
        });
        volatile boolean stopping;

        Loop(Caller caller, Recorder recorder, LongAdder errors) {
            this.caller = caller;
            this.recorder = recorder;
            this.errors = errors;
        }

        void next() {
            if (stopping) {
                return;
            }
            long start = System.nanoTime();
            caller.call(() -> {
                recorder.recordValue(System.nanoTime() - start);
                next();
            }, failure -> {
                errors.increment();
                if (errors.sum() < 10) {
                    System.err.println("call failed: " + failure);
                }
                restarts.schedule(this::next, 10, TimeUnit.MILLISECONDS);
            });
        }
    }

    static Caller caller(String system, int port, int inFlight) throws InterruptedException {
        return switch (system) {
            case "parley", "parley-direct" -> parley(port, inFlight);
            case "parley-oneway" -> parleyOneWay(port, inFlight);
            case "grpc", "grpc-direct" -> grpc(port, system.equals("grpc-direct"));
            case "netty", "netty-oneway" -> netty(port, system.equals("netty-oneway"));
            default -> throw new IllegalArgumentException("system: '" + system
                    + "' (expected: parley, parley-direct, parley-oneway, grpc, grpc-direct, netty or netty-oneway)");
        };
    }

    private static RpcEcho parleyClient(RpcTransport rpc, Parley parley, int inFlight) {
        return parley.client(RpcEcho.class, ClientOptions.custom()
                .deadline(Duration.ofSeconds(30))
                .bulkhead(BulkheadPolicy.maxConcurrentCalls(Math.max(512, inFlight * 2)))
                .circuitBreaker(BreakerPolicy.disabled())
                .build());
    }

    private static Caller parley(int port, int inFlight) {
        RpcTransport rpc = RpcTransport.builder().target("127.0.0.1:" + port).connectTimeout(Duration.ofSeconds(10)).build();
        Parley parley = Parley.builder().service("rpc-bench-client").transport(rpc).codec(Codec.cbor()).build();
        RpcEcho echo = parleyClient(rpc, parley, inFlight);
        RpcEcho.Blob blob = new RpcEcho.Blob(RpcBench.PAYLOAD);
        return new Caller() {
            @Override
            public void call(Runnable done, Consumer<Throwable> failed) {
                echo.echo(blob).whenComplete((reply, failure) -> {
                    if (failure == null) {
                        done.run();
                    } else {
                        failed.accept(failure);
                    }
                });
            }

            @Override
            public void close() {
                parley.close();
                rpc.close();
            }
        };
    }

    /** One-way sends block until the transport accepted them, so each "call" runs on a virtual thread. */
    private static Caller parleyOneWay(int port, int inFlight) {
        RpcTransport rpc = RpcTransport.builder().target("127.0.0.1:" + port).connectTimeout(Duration.ofSeconds(10)).build();
        Parley parley = Parley.builder().service("rpc-bench-client").transport(rpc).codec(Codec.cbor()).build();
        RpcEcho echo = parleyClient(rpc, parley, inFlight);
        RpcEcho.Blob blob = new RpcEcho.Blob(RpcBench.PAYLOAD);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        return new Caller() {
            @Override
            public void call(Runnable done, Consumer<Throwable> failed) {
                threads.execute(() -> {
                    try {
                        echo.notify(blob);
                    } catch (RuntimeException e) {
                        failed.accept(e);
                        return;
                    }
                    done.run();
                });
            }

            @Override
            public void close() {
                threads.shutdownNow();
                parley.close();
                rpc.close();
            }
        };
    }

    private static Caller grpc(int port, boolean direct) {
        ManagedChannelBuilder<?> builder = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create());
        if (direct) {
            builder.directExecutor();
        }
        ManagedChannel channel = builder.build();
        return new Caller() {
            @Override
            public void call(Runnable done, Consumer<Throwable> failed) {
                ClientCalls.asyncUnaryCall(channel.newCall(RpcBench.GRPC_ECHO, CallOptions.DEFAULT), RpcBench.PAYLOAD, new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        failed.accept(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.run();
                    }
                });
            }

            @Override
            public void close() {
                channel.shutdownNow();
            }
        };
    }

    /** Raw Netty over one connection; replies come back in order, so a FIFO of callbacks correlates them. */
    private static Caller netty(int port, boolean oneWay) throws InterruptedException {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, RpcBench.ioFactory());
        ArrayDeque<Runnable> waiting = new ArrayDeque<>();
        Channel channel = new Bootstrap().group(group).channel(RpcBench.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 0), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ((ByteBuf) msg).release();
                                Runnable done = waiting.poll();
                                if (done != null) {
                                    done.run();
                                }
                            }
                        });
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        boolean[] flushScheduled = {false};
        return new Caller() {
            @Override
            public void call(Runnable done, Consumer<Throwable> failed) {
                if (channel.eventLoop().inEventLoop()) {
                    send(done, failed);
                } else {
                    channel.eventLoop().execute(() -> send(done, failed));
                }
            }

            private void send(Runnable done, Consumer<Throwable> failed) {
                ByteBuf frame = channel.alloc().buffer(4 + 1 + RpcBench.PAYLOAD_BYTES);
                frame.writeInt(1 + RpcBench.PAYLOAD_BYTES).writeByte(oneWay ? 0 : 1).writeBytes(RpcBench.PAYLOAD);
                if (oneWay) {
                    channel.write(frame).addListener(f -> {
                        if (f.isSuccess()) {
                            done.run();
                        } else {
                            failed.accept(f.cause());
                        }
                    });
                } else {
                    waiting.add(done);
                    channel.write(frame, channel.voidPromise());
                }
                if (!flushScheduled[0]) {
                    flushScheduled[0] = true;
                    channel.eventLoop().execute(() -> {
                        flushScheduled[0] = false;
                        channel.flush();
                    });
                }
            }

            @Override
            public void close() {
                channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        };
    }
}
