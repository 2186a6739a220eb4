package dev.parley.bench.plugins;

import dev.parley.HandlerExecution;
import dev.parley.Parley;
import dev.parley.bench.Echo;
import dev.parley.plugins.PluginRepository;
import dev.parley.plugins.PluginTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * The call overhead of the plugin proxy: an {@link Echo} call through a Parley client on a
 * {@link PluginTransport} (the plugin loaded from a jar in a folder repository, in its own class
 * loader) against calling the same plugin class directly. One caller thread, one call at a time;
 * the overhead is {@code median(plugin*) - median(direct)}.
 *
 * <ul>
 *   <li>{@code pluginDefault}: the defaults, messages encoded as JSON and the plugin on a virtual thread per call;</li>
 *   <li>{@code pluginByReferenceDirect}: {@code passByReference(true)} and {@code HandlerExecution.DIRECT},
 *       the cheapest configuration, for non-blocking plugins.</li>
 * </ul>
 *
 * <p>Compare with {@code PipelineBenchmark}'s in-process figures: the plugin transport adds a
 * volatile read and two atomic counter updates per call to the same pipeline.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
@State(Scope.Benchmark)
public class PluginProxyBenchmark {

    private final Echo.Ping ping = new Echo.Ping("order-4711", 42);
    private Path repository;
    private Echo direct;
    private PluginTransport defaults;
    private PluginTransport fastest;
    private Parley defaultRuntime;
    private Parley fastestRuntime;
    private Echo defaultClient;
    private Echo fastestClient;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        repository = Files.createTempDirectory("parley-plugin-bench");
        PluginJar.publish(repository, "1.0.0");
        direct = new EchoPlugin();
        defaults = PluginTransport.builder(Echo.class).repository(PluginRepository.folder(repository))
                .pollInterval(Duration.ofHours(1)).deploymentWindow(Duration.ofHours(2)).build();
        fastest = PluginTransport.builder(Echo.class).repository(PluginRepository.folder(repository))
                .pollInterval(Duration.ofHours(1)).deploymentWindow(Duration.ofHours(2))
                .passByReference(true).handlerExecution(HandlerExecution.DIRECT).build();
        defaultRuntime = Parley.builder().service("bench").transport(defaults).build();
        fastestRuntime = Parley.builder().service("bench").transport(fastest).build();
        defaultClient = defaultRuntime.client(Echo.class);
        fastestClient = fastestRuntime.client(Echo.class);
        if (!defaultClient.ping(ping).id().equals("1.0.0") || !fastestClient.ping(ping).id().equals("1.0.0")) {
            throw new IllegalStateException("the plugin did not answer");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        defaultRuntime.close();
        fastestRuntime.close();
        defaults.close();
        fastest.close();
        PluginJar.deleteTree(repository);
    }

    /** The baseline: an interface call on the plugin class, no Parley, no plugin class loader. */
    @Benchmark
    public Echo.Pong direct() {
        return direct.ping(ping);
    }

    @Benchmark
    public Echo.Pong pluginDefault() {
        return defaultClient.ping(ping);
    }

    @Benchmark
    public Echo.Pong pluginByReferenceDirect() {
        return fastestClient.ping(ping);
    }
}
