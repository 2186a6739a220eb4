package dev.parley.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one request/response call through Parley's client pipeline (proxy, deadline,
 * bulkhead, circuit breaker, in-process transport, server dispatch) against calling the same
 * implementation object directly. One caller thread, one call at a time.
 *
 * <p>SampleTime times individual calls, so the result has percentiles; the pipeline overhead
 * is {@code median(parley*) - median(direct)}. The timer's own cost (two {@code System.nanoTime}
 * calls, some 20-40 ns) is in every sample, including {@code direct}'s, and cancels out in the
 * difference.
 *
 * <p>{@code virtualThreadHandoff} is a second reference, not a Parley configuration: the bare
 * hand-off that {@code parleyDefault} makes (start a virtual thread that calls the implementation,
 * wait for its {@code CompletableFuture}), without Parley. It shows what the hand-off alone costs
 * on the machine at hand.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
@State(Scope.Benchmark)
public class PipelineBenchmark {

    private final Echo.Ping ping = new Echo.Ping("order-4711", 42);
    private Echo implementation;
    private Pipeline byDefault;
    private Pipeline directByReference;
    private Pipeline directJson;
    private Echo defaultClient;
    private Echo byReferenceClient;
    private Echo jsonClient;

    @Setup(Level.Trial)
    public void setUp() {
        implementation = new EchoService();
        byDefault = Pipeline.open(Pipeline.Config.DEFAULT, implementation);
        directByReference = Pipeline.open(Pipeline.Config.DIRECT_BY_REFERENCE, implementation);
        directJson = Pipeline.open(Pipeline.Config.DIRECT_JSON, implementation);
        defaultClient = byDefault.client();
        byReferenceClient = directByReference.client();
        jsonClient = directJson.client();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        byDefault.close();
        directByReference.close();
        directJson.close();
    }

    /** The baseline: an interface call on the implementation, no Parley. */
    @Benchmark
    public Echo.Pong direct() {
        return implementation.ping(ping);
    }

    /** Reference: the virtual-thread hand-off of {@code parleyDefault} without Parley. */
    @Benchmark
    public Echo.Pong virtualThreadHandoff() throws InterruptedException, ExecutionException {
        CompletableFuture<Echo.Pong> reply = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> reply.complete(implementation.ping(ping)));
        return reply.get();
    }

    /** Out of the box: JSON request and reply, handler on a virtual thread. */
    @Benchmark
    public Echo.Pong parleyDefault() {
        return defaultClient.ping(ping);
    }

    /** passByReference + HandlerExecution.DIRECT: no codec, no thread hand-off. The 1 µs target. */
    @Benchmark
    public Echo.Pong parleyDirectByReference() {
        return byReferenceClient.ping(ping);
    }

    /** HandlerExecution.DIRECT with JSON both ways: the codec's share without the hand-off. */
    @Benchmark
    public Echo.Pong parleyDirectJson() {
        return jsonClient.ping(ping);
    }
}
