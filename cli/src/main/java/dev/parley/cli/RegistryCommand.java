package dev.parley.cli;

import dev.parley.discovery.EmbeddedRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code parley registry}: runs Parley's embedded service registry on its own until the process
 * is stopped, for services on one machine that run as separate processes (the default discovery
 * backend there; docs/discovery.md).
 */
@Command(name = "registry",
        description = "Runs the embedded service registry (HTTP, leases with heartbeats, watches) until stopped.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped", "2:bad input: an invalid option or a port in use", "3:internal error"})
final class RegistryCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "<port>", defaultValue = "8500", description = "Port to listen on (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--bind", paramLabel = "<address>", defaultValue = "127.0.0.1", description = "Address to bind. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--min-ttl", paramLabel = "<duration>", description = "Shortest lease a service may ask for (ISO-8601, e.g. PT1S).")
    Duration minTtl;

    @Option(names = "--max-ttl", paramLabel = "<duration>", description = "Longest lease a service may ask for (e.g. PT5M).")
    Duration maxTtl;

    @Option(names = "--max-instances", paramLabel = "<n>", description = "How many instances the registry holds at most.")
    Integer maxInstances;

    @Spec
    CommandSpec spec;

    /** Counted down when the registry has stopped; tests stop it through {@link #stop}. */
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile EmbeddedRegistry running;

    @Override
    public Integer call() throws InterruptedException {
        EmbeddedRegistry.Builder builder;
        try {
            builder = EmbeddedRegistry.builder().port(port).bindAddress(bind);
            if (minTtl != null) {
                builder.minTtl(minTtl);
            }
            if (maxTtl != null) {
                builder.maxTtl(maxTtl);
            }
            if (maxInstances != null) {
                builder.maxInstances(maxInstances);
            }
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage(), e);
        }
        EmbeddedRegistry registry;
        try {
            registry = builder.start();
        } catch (Exception e) { // Netty rethrows the socket's BindException without declaring it
            throw new InputException("cannot start the registry on " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        Thread hook = new Thread(this::stop, "parley-registry-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Parley registry listening on " + registry.url() + " (epoch " + registry.epoch() + "); Ctrl-C stops it");
        out.flush();
        running = registry; // after the line: whoever sees it running can also read where it listens
        try {
            stop.await();
        } finally {
            registry.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook is what stopped us
            }
        }
        return 0;
    }

    /** Stops a running registry command. */
    void stop() {
        stop.countDown();
    }

    /** The registry while the command runs. */
    EmbeddedRegistry running() {
        return running;
    }
}
