package dev.parley.discovery;

import dev.parley.Parley;
import dev.parley.ParleyClock;
import dev.parley.discovery.RegistryService.Instance;
import dev.parley.http.HttpTransport;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * A small service registry for one machine: instances register with a lease that heartbeats
 * keep alive, clients watch a contract version with blocking queries. It is itself a Parley
 * service ({@link RegistryService}) served over {@link HttpTransport}, so the same deadlines,
 * input validation and body limits apply as to any Parley HTTP service.
 *
 * <p>Start it on its own with one command:
 * <pre>
 * java -cp parley-discovery.jar:... dev.parley.discovery.EmbeddedRegistry --port 8500
 * </pre>
 * or in-process, e.g. in a showcase or a test:
 * <pre>{@code
 * try (EmbeddedRegistry registry = EmbeddedRegistry.builder().port(0).start()) {
 *     DiscoveryBackend backend = EmbeddedRegistryBackend.builder(registry.url()).build();
 *     ...
 * }
 * }</pre>
 *
 * <p>State lives in memory only: a restarted registry is empty until the instances'
 * {@link EmbeddedRegistryBackend}s notice (their next heartbeat gets 404, or the registry's
 * new epoch) and register again, which takes at most a heartbeat interval. Lapsed leases are
 * dropped by the registry's {@link ParleyClock}. One instance owns a server socket and
 * event-loop threads: {@link #close()} it.
 */
public final class EmbeddedRegistry implements AutoCloseable {

    /** The default port of the stand-alone registry (Consul's, since they fill the same role). */
    public static final int DEFAULT_PORT = 8500;

    private final HttpTransport http;
    private final Parley parley;
    private final RegistryState state;
    private final ParleyClock clock;
    private final Duration sweepInterval;
    private volatile ParleyClock.Cancellable sweep = ParleyClock.Cancellable.NOOP;
    private volatile boolean closed;

    private EmbeddedRegistry(Builder b) {
        this.clock = b.clock;
        this.sweepInterval = b.sweepInterval;
        this.state = new RegistryState(b.clock, new RegistryLimits(b.minTtl, b.maxTtl, b.maxInstances, b.maxWatches));
        this.http = HttpTransport.builder().server(b.port).bindAddress(b.bindAddress).maxBodyBytes(b.maxBodyBytes).build();
        try {
            this.parley = Parley.builder().service("parley-registry").transport(http).clock(b.clock).build();
            parley.serve(RegistryService.class, new Handler(state));
        } catch (RuntimeException e) {
            http.close();
            throw e;
        }
        scheduleSweep();
    }

    /** Settings with the defaults: port {@value #DEFAULT_PORT} on 127.0.0.1, TTLs of 1 s to 5 min. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder set from properties whose keys start with {@code prefix} (e.g.
     * {@code parley.registry.}), each named like its builder method: {@code port}, {@code bindAddress},
     * {@code minTtl}, {@code maxTtl} (ISO-8601 durations), {@code maxInstances}, {@code maxWatches},
     * {@code maxBodyBytes}, {@code sweepInterval}.
     *
     * @throws IllegalArgumentException naming the key and value, for unknown keys under the prefix and malformed values
     */
    public static Builder fromProperties(Properties properties, String prefix) {
        Builder b = new Builder();
        applyProperties(b, properties, prefix);
        return b;
    }

    private static void applyProperties(Builder b, Properties properties, String prefix) {
        for (String key : new java.util.TreeSet<>(properties.stringPropertyNames())) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            String value = properties.getProperty(key).trim();
            Settings.apply(key, value, switch (key.substring(prefix.length())) {
                case "port" -> v -> b.port(Settings.integer(key, v));
                case "bindAddress" -> b::bindAddress;
                case "minTtl" -> v -> b.minTtl(Settings.duration(key, v));
                case "maxTtl" -> v -> b.maxTtl(Settings.duration(key, v));
                case "maxInstances" -> v -> b.maxInstances(Settings.integer(key, v));
                case "maxWatches" -> v -> b.maxWatches(Settings.integer(key, v));
                case "maxBodyBytes" -> v -> b.maxBodyBytes(Settings.integer(key, v));
                case "sweepInterval" -> v -> b.sweepInterval(Settings.duration(key, v));
                default -> throw new IllegalArgumentException(key + ": unknown EmbeddedRegistry setting (expected: port, bindAddress, "
                        + "minTtl, maxTtl, maxInstances, maxWatches, maxBodyBytes or sweepInterval)");
            });
        }
    }

    /** The port the registry listens on (the ephemeral one when started with {@code port(0)}). */
    public int port() {
        return http.port();
    }

    /** The base URL clients use, e.g. {@code http://127.0.0.1:8500}. */
    public String url() {
        return http.serverAddress("127.0.0.1");
    }

    /** The currently registered instances, ready or not, for diagnostics and tests. */
    public List<ServiceInstance> instances() {
        return state.all().stream().map(Wire::instance).toList();
    }

    /** The registry's epoch: a new random value each time a registry starts. */
    public String epoch() {
        return state.epoch();
    }

    /** Stops answering (blocking queries return), then closes the server. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sweep.cancel();
        state.close();
        parley.close();
        http.close();
    }

    @Override
    public String toString() {
        return "EmbeddedRegistry(" + (closed ? "closed" : url()) + ")";
    }

    private void scheduleSweep() {
        sweep = clock.schedule(sweepInterval, () -> {
            if (closed) {
                return;
            }
            state.expireLapsed();
            scheduleSweep();
        });
    }

    /**
     * Runs the registry until the process is stopped: {@code --port 8500} (0 for any free port),
     * {@code --bind 127.0.0.1}, {@code --config registry.properties} (keys {@code parley.registry.*}),
     * {@code --min-ttl PT1S}, {@code --max-ttl PT5M}, {@code --max-instances 10000}. Prints the URL
     * once it listens.
     */
    public static void main(String[] args) throws Exception {
        Builder b;
        try {
            b = parseArguments(args);
        } catch (IllegalArgumentException e) {
            System.err.println("parley registry: " + e.getMessage());
            System.err.println("usage: EmbeddedRegistry [--port 8500] [--bind 127.0.0.1] [--config file.properties] "
                    + "[--min-ttl PT1S] [--max-ttl PT5M] [--max-instances 10000]");
            System.exit(2);
            return;
        }
        EmbeddedRegistry registry = b.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            registry.close();
            stopped.countDown();
        }, "parley-registry-shutdown"));
        System.out.println("Parley registry listening on " + registry.http.serverAddress(b.bindAddress) + " (epoch " + registry.epoch() + ")");
        System.out.flush();
        stopped.await();
    }

    static Builder parseArguments(String[] args) {
        Builder b = builder();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + ": missing value");
            }
            String value = args[++i];
            switch (flag) {
                case "--port" -> b.port(Settings.integer(flag, value));
                case "--bind" -> b.bindAddress(value);
                case "--min-ttl" -> b.minTtl(Settings.duration(flag, value));
                case "--max-ttl" -> b.maxTtl(Settings.duration(flag, value));
                case "--max-instances" -> b.maxInstances(Settings.integer(flag, value));
                case "--config" -> {
                    Properties p = new Properties();
                    try (var in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of(value))) {
                        p.load(in);
                    } catch (java.io.IOException e) {
                        throw new IllegalArgumentException("--config: cannot read '" + value + "': " + e.getMessage(), e);
                    }
                    // Options apply in order: a flag after --config overrides the file.
                    applyProperties(b, p, "parley.registry.");
                }
                default -> throw new IllegalArgumentException(flag + ": unknown option (expected: --port, --bind, --config, "
                        + "--min-ttl, --max-ttl or --max-instances)");
            }
        }
        return b;
    }

    /** Settings of an {@link EmbeddedRegistry}. */
    public static final class Builder {
        private int port = DEFAULT_PORT;
        private String bindAddress = "127.0.0.1";
        private Duration minTtl = Duration.ofSeconds(1);
        private Duration maxTtl = Duration.ofMinutes(5);
        private int maxInstances = 10_000;
        private int maxWatches = 10_000;
        private int maxBodyBytes = 64 * 1024;
        private Duration sweepInterval = Duration.ofMillis(250);
        private ParleyClock clock = ParleyClock.system();

        private Builder() {}

        /** The port; 0 picks a free one. Default {@value #DEFAULT_PORT}. */
        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("port: " + value + " (expected: 0..65535) for EmbeddedRegistry");
            }
            this.port = value;
            return this;
        }

        /** The address to bind; default {@code 127.0.0.1} (one machine). */
        public Builder bindAddress(String value) {
            if (value.isBlank()) {
                throw new IllegalArgumentException("bindAddress: '' (expected: a host name or IP address) for EmbeddedRegistry");
            }
            this.bindAddress = value;
            return this;
        }

        /** The shortest lease time-to-live accepted; default 1 s. */
        public Builder minTtl(Duration value) {
            this.minTtl = positive("minTtl", value);
            return this;
        }

        /** The longest lease time-to-live accepted; default 5 min. */
        public Builder maxTtl(Duration value) {
            this.maxTtl = positive("maxTtl", value);
            return this;
        }

        /** How many instances the registry holds at most; default 10,000. */
        public Builder maxInstances(int value) {
            this.maxInstances = atLeastOne("maxInstances", value);
            return this;
        }

        /** How many blocking queries may wait at once; default 10,000. */
        public Builder maxWatches(int value) {
            this.maxWatches = atLeastOne("maxWatches", value);
            return this;
        }

        /** The largest request body accepted (413 beyond); default 64 KiB. */
        public Builder maxBodyBytes(int value) {
            this.maxBodyBytes = atLeastOne("maxBodyBytes", value);
            return this;
        }

        /** How often lapsed leases are looked for (they are also dropped on every request); default 250 ms. */
        public Builder sweepInterval(Duration value) {
            this.sweepInterval = positive("sweepInterval", value);
            return this;
        }

        /** Where lease expiry and blocking-query timeouts read time; tests pass a ManualClock. */
        public Builder clock(ParleyClock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Binds the port and starts serving.
         *
         * @throws IllegalArgumentException when minTtl exceeds maxTtl
         */
        public EmbeddedRegistry start() {
            if (minTtl.compareTo(maxTtl) > 0) {
                throw new IllegalArgumentException("minTtl: " + minTtl + " (expected: <= maxTtl " + maxTtl + ") for EmbeddedRegistry");
            }
            return new EmbeddedRegistry(this);
        }

        private static Duration positive(String name, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0) for EmbeddedRegistry");
            }
            return value;
        }

        private static int atLeastOne(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1) for EmbeddedRegistry");
            }
            return value;
        }
    }

    /** The registry's handlers: validation and state live in {@link RegistryState}. */
    private static final class Handler implements RegistryService {
        private final RegistryState state;

        Handler(RegistryState state) {
            this.state = state;
        }

        @Override
        public Lease register(Register request) {
            return state.register(request);
        }

        @Override
        public Lease heartbeat(LeaseId request) {
            return state.heartbeat(request);
        }

        @Override
        public Lease ready(Readiness request) {
            return state.ready(request);
        }

        @Override
        public void deregister(LeaseId request) {
            state.deregister(request);
        }

        @Override
        public Catalog catalog(CatalogQuery request) {
            return new Catalog(state.epoch(), state.all().stream()
                    .sorted(java.util.Comparator.comparing(Instance::service).thenComparing(Instance::id)).toList());
        }

        @Override
        public Instances instances(Query request) {
            try {
                return state.instances(request);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw dev.parley.ParleyException.of(dev.parley.ErrorCode.CANCELLED, "blocking query for " + request.contract() + " cancelled");
            }
        }
    }

    /** Conversions between {@link ServiceInstance} and its wire form. */
    static final class Wire {
        private Wire() {}

        static ServiceInstance instance(Instance i) {
            java.util.Set<ContractVersion> versions = new java.util.HashSet<>();
            for (String c : i.contracts()) {
                int slash = c.lastIndexOf("/v");
                versions.add(new ContractVersion(c.substring(0, slash), Integer.parseInt(c.substring(slash + 2))));
            }
            return new ServiceInstance(i.id(), i.service(), versions, i.addresses(), i.metadata(), i.ready());
        }

        static Instance instance(ServiceInstance i) {
            return new Instance(i.id(), i.service(), i.contracts().stream().map(ContractVersion::toString).sorted().toList(),
                    i.addresses(), i.metadata(), i.ready());
        }
    }
}
