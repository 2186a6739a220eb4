package dev.parley.bench.discovery;

import dev.parley.ErrorCode;
import dev.parley.TransportException;
import dev.parley.bench.Echo;
import dev.parley.discovery.Balancer;
import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.DiscoveryTransport;
import dev.parley.discovery.EjectionPolicy;
import dev.parley.discovery.ServiceDirectory;
import dev.parley.discovery.ServiceInstance;
import dev.parley.discovery.StaticBackend;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.AddressableTransport;
import dev.parley.transport.ClientChannel;
import dev.parley.transport.InboundHandler;
import dev.parley.transport.Registration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of instance selection per call (issue 6: under 200 ns with 100 instances): one
 * request through a {@link DiscoveryTransport} channel (pick an instance, count it outstanding,
 * call its channel, learn from the outcome) against calling one instance's channel directly.
 * The instances' channels do no I/O, so the difference is what discovery adds to every call.
 * With {@code reply=async} the channel returns a pending future that the benchmark completes
 * right after the call, as a reply arriving later would (discovery then tracks the call with a
 * callback); with {@code reply=instant} the channel answers with a completed future.
 * {@code ejectedPercent} is the share of instances ejected after failures (they stay ejected:
 * the back-off is an hour), which the balancers skip.
 *
 * <p>SampleTime times single calls, so medians can be compared; on a shared, loaded machine they
 * are far steadier than averages. The selection cost is {@code median(balancer) - median(direct)}
 * (the timer's own cost is in both and cancels out).
 *
 * <pre>
 * bench/run.sh DiscoveryBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
@State(Scope.Benchmark)
public class DiscoveryBenchmark {

    @Param({"100"})
    public int instances;

    @Param({"0", "10"})
    public int ejectedPercent;

    @Param({"async", "instant"})
    public String reply;

    private final Envelope request = Envelope.withoutBody(Headers.empty());
    private InstantTransport transport;
    private ServiceDirectory directory;
    private ClientChannel direct;
    private ClientChannel leastOutstanding;
    private ClientChannel roundRobin;

    @Setup(Level.Trial)
    public void setUp() {
        transport = new InstantTransport();
        transport.async = reply.equals("async");
        ContractVersion echo = new ContractVersion("echo", 1);
        List<ServiceInstance> list = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            list.add(new ServiceInstance("echo-" + i, "echo-service", Set.of(echo), Map.of("bench", "bench://" + i), Map.of(), true));
        }
        directory = ServiceDirectory.builder(StaticBackend.of(list))
                .ejection(EjectionPolicy.custom().baseEjection(Duration.ofHours(1)).maxEjection(Duration.ofHours(1)).build())
                .build();
        leastOutstanding = DiscoveryTransport.builder(transport, directory).transportName("bench").balancer(Balancer.leastOutstanding())
                .build().connect(Echo.class);
        roundRobin = DiscoveryTransport.builder(transport, directory).transportName("bench").balancer(Balancer.roundRobin())
                .build().connect(Echo.class);
        direct = transport.connect(Echo.class, "bench://0");
        // Eject the first instances: each refuses one call, which ejects it for the hour.
        int toEject = instances * ejectedPercent / 100;
        for (int i = 0; i < toEject; i++) {
            transport.refusing = "bench://" + i;
            while (directory.ejectedInstances().size() <= i) {
                roundRobin.request(request);
            }
        }
        transport.refusing = null;
        if (directory.ejectedInstances().size() != toEject) {
            throw new IllegalStateException("expected " + toEject + " ejected instances, got " + directory.ejectedInstances());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        directory.close();
    }

    /** The baseline: the instance's channel called directly. */
    @Benchmark
    public CompletableFuture<Envelope> direct() {
        return transport.answer(direct.request(request));
    }

    /** The default balancer: least outstanding requests of two random choices. */
    @Benchmark
    public CompletableFuture<Envelope> leastOutstanding() {
        return transport.answer(leastOutstanding.request(request));
    }

    @Benchmark
    public CompletableFuture<Envelope> roundRobin() {
        return transport.answer(roundRobin.request(request));
    }

    /** Channels without I/O: only the discovery layer is measured. One benchmark thread, so one pending call at a time. */
    static final class InstantTransport implements AddressableTransport {
        private static final CompletableFuture<Envelope> REPLY = CompletableFuture.completedFuture(
                Envelope.withoutBody(Headers.builder().set(StandardHeaders.STATUS, StandardHeaders.STATUS_OK).build()));
        private static final Envelope OK = REPLY.join();
        volatile String refusing;
        boolean async;
        private CompletableFuture<Envelope> pending;

        /** Completes the call just made (async mode): its reply arrives. */
        CompletableFuture<Envelope> answer(CompletableFuture<Envelope> call) {
            if (pending != null) {
                pending.complete(OK);
                pending = null;
            }
            return call;
        }

        @Override
        public String name() {
            return "bench";
        }

        @Override
        public ClientChannel connect(Class<?> contract) {
            // Discovery always names the instance: only connect(contract, address) is measured.
            throw new UnsupportedOperationException("the benchmark's transport is reached by address only");
        }

        @Override
        public ClientChannel connect(Class<?> contract, String address) {
            return new ClientChannel() {
                @Override
                public String target() {
                    return address;
                }

                @Override
                public CompletableFuture<Envelope> request(Envelope request) {
                    if (address.equals(refusing)) {
                        return CompletableFuture.failedFuture(new TransportException(ErrorCode.UNAVAILABLE, "refused", null));
                    }
                    if (async) {
                        pending = new CompletableFuture<>();
                        return pending;
                    }
                    return REPLY;
                }

                @Override
                public CompletableFuture<Void> send(Envelope message) {
                    return CompletableFuture.completedFuture(null);
                }
            };
        }

        @Override
        public String serverAddress(String advertisedHost) {
            throw new IllegalStateException("no server");
        }

        @Override
        public Registration serve(Class<?> contract, InboundHandler handler) {
            throw new UnsupportedOperationException("the benchmark's transport measures the client side only");
        }

        @Override
        public void close() {
        }
    }
}
