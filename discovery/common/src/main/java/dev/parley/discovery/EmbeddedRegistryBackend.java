package dev.parley.discovery;

import dev.parley.ClientOptions;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.ParleyClock;
import dev.parley.ParleyException;
import dev.parley.discovery.RegistryService.Instance;
import dev.parley.http.HttpTransport;
import dev.parley.resilience.BreakerPolicy;
import dev.parley.resilience.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DiscoveryBackend} of an {@link EmbeddedRegistry}: it registers instances and keeps
 * their leases alive with heartbeats, and watches contract versions with blocking queries.
 *
 * <pre>{@code
 * DiscoveryBackend backend = EmbeddedRegistryBackend.builder("http://127.0.0.1:8500").build();
 * }</pre>
 *
 * <p>Each lease and each watch runs on its own virtual thread. When the registry cannot be
 * reached they retry with exponential back-off (watches report {@link Listener#unavailable});
 * a lease the registry does not know any more (it restarted, or the lease lapsed while this
 * process was paused) is registered again at the next heartbeat, so a restarted registry is
 * refilled within one heartbeat interval. Calls go through a Parley client over its own
 * {@link HttpTransport}, without breaker or retries (the loops here retry). Close the backend
 * to deregister its instances and stop its watches.
 */
public final class EmbeddedRegistryBackend implements DiscoveryBackend {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRegistryBackend.class);

    private final String url;
    private final Duration ttl;
    private final Duration heartbeatInterval;
    private final Duration waitTime;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final ParleyClock clock;
    private final HttpTransport http;
    private final Parley parley;
    private final RegistryService registry;
    private final Set<LeaseKeeper> leases = ConcurrentHashMap.newKeySet();
    private final Set<Watcher> watches = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private EmbeddedRegistryBackend(Builder b) {
        this.url = b.url;
        this.ttl = b.ttl;
        this.heartbeatInterval = b.heartbeatInterval != null ? b.heartbeatInterval : b.ttl.dividedBy(3);
        this.waitTime = b.waitTime;
        this.minBackoff = b.minBackoff;
        this.maxBackoff = b.maxBackoff;
        this.clock = b.clock;
        this.http = HttpTransport.builder().target(b.url).connectTimeout(b.callTimeout).build();
        this.parley = Parley.builder().service("parley-discovery").transport(http).clock(b.clock).build();
        this.registry = parley.client(RegistryService.class, ClientOptions.custom()
                .deadline(b.callTimeout)
                .circuitBreaker(BreakerPolicy.disabled())
                .retry(RetryPolicy.none())
                .method("instances", m -> m.deadline(b.waitTime.plus(b.callTimeout)))
                .build());
    }

    /** A builder for the registry at {@code url}, e.g. {@code http://127.0.0.1:8500}. */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    /**
     * A builder set from properties whose keys start with {@code prefix} (e.g.
     * {@code parley.discovery.embedded.}), each named like its builder method: {@code url}
     * (required), {@code ttl}, {@code heartbeatInterval}, {@code waitTime}, {@code callTimeout}
     * (ISO-8601 durations) and {@code retryBackoff} (two durations, {@code PT0.1S,PT5S}).
     *
     * @throws IllegalArgumentException naming the key and value, for unknown keys, malformed values or a missing url
     */
    public static Builder fromProperties(Properties properties, String prefix) {
        String url = properties.getProperty(prefix + "url");
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(prefix + "url: missing (expected: the registry's URL, e.g. http://127.0.0.1:8500)");
        }
        Builder b = new Builder(url.trim());
        for (String key : new java.util.TreeSet<>(properties.stringPropertyNames())) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            String value = properties.getProperty(key).trim();
            Settings.apply(key, value, switch (key.substring(prefix.length())) {
                case "url" -> v -> { };
                case "ttl" -> v -> b.ttl(Settings.duration(key, v));
                case "heartbeatInterval" -> v -> b.heartbeatInterval(Settings.duration(key, v));
                case "waitTime" -> v -> b.waitTime(Settings.duration(key, v));
                case "callTimeout" -> v -> b.callTimeout(Settings.duration(key, v));
                case "retryBackoff" -> v -> {
                    String[] parts = v.split(",");
                    if (parts.length != 2) {
                        throw new IllegalArgumentException(key + ": '" + v + "' (expected: two durations, initial and maximum, e.g. PT0.1S,PT5S)");
                    }
                    b.retryBackoff(Settings.duration(key, parts[0]), Settings.duration(key, parts[1]));
                };
                default -> throw new IllegalArgumentException(key + ": unknown EmbeddedRegistryBackend setting (expected: url, ttl, "
                        + "heartbeatInterval, waitTime, callTimeout or retryBackoff)");
            });
        }
        return b;
    }

    @Override
    public String name() {
        return "embedded";
    }

    @Override
    public Lease register(ServiceInstance instance) {
        ensureOpen();
        LeaseKeeper keeper = new LeaseKeeper(instance);
        leases.add(keeper);
        keeper.thread = Thread.ofVirtual().name("parley-registry-lease-" + instance.id()).start(keeper);
        return keeper;
    }

    @Override
    public Watch watch(ContractVersion version, Listener listener) {
        ensureOpen();
        Watcher watcher = new Watcher(version, listener);
        watches.add(watcher);
        watcher.thread = Thread.ofVirtual().name("parley-registry-watch-" + version).start(watcher);
        return watcher;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Watcher w : List.copyOf(watches)) {
            w.close();
        }
        for (LeaseKeeper l : List.copyOf(leases)) {
            l.close();
        }
        parley.close();
        http.close();
    }

    @Override
    public String toString() {
        return "EmbeddedRegistryBackend(" + url + ")";
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("EmbeddedRegistryBackend for " + url + " is closed");
        }
    }

    private Duration nextBackoff(Duration current) {
        Duration doubled = current.multipliedBy(2);
        return doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
    }

    /** Registers one instance and keeps its lease alive; re-registers when the registry forgot it. */
    final class LeaseKeeper implements Lease, Runnable {
        private volatile ServiceInstance instance;
        private volatile boolean readinessChanged;
        private volatile boolean stopped;
        private volatile boolean deregister = true;
        private volatile @Nullable String leaseId;
        private final Pause pause = new Pause(clock);
        volatile @Nullable Thread thread;

        LeaseKeeper(ServiceInstance instance) {
            this.instance = instance;
        }

        @Override
        public void run() {
            Duration backoff = minBackoff;
            while (!stopped) {
                try {
                    String id = leaseId;
                    if (id == null) {
                        readinessChanged = false;
                        RegistryService.Lease lease = registry.register(new RegistryService.Register(EmbeddedRegistry.Wire.instance(instance), ttl.toMillis()));
                        leaseId = lease.leaseId();
                        log.debug("registered {} with lease {}", instance.id(), lease.leaseId());
                    } else if (readinessChanged) {
                        readinessChanged = false;
                        registry.ready(new RegistryService.Readiness(id, instance.ready()));
                    } else {
                        registry.heartbeat(new RegistryService.LeaseId(id));
                    }
                    backoff = minBackoff;
                    if (!readinessChanged) {
                        pause.sleep(heartbeatInterval);
                    }
                } catch (ParleyException e) {
                    if (stopped) {
                        break;
                    }
                    if (e.code() == ErrorCode.NOT_FOUND) {
                        // The registry restarted or the lease lapsed: register again right away.
                        log.info("registry {} forgot the lease of {}; registering again", url, instance.id());
                        leaseId = null;
                        continue;
                    }
                    if (e.code() == ErrorCode.INVALID_ARGUMENT) {
                        log.error("registry {} rejected instance {}: {}", url, instance.id(), e.getMessage());
                        backoff = maxBackoff;
                    } else {
                        log.debug("registry {} unreachable for {}: {}", url, instance.id(), e.toString());
                    }
                    pause.sleep(backoff);
                    backoff = nextBackoff(backoff);
                }
            }
            String id = leaseId;
            if (deregister && id != null) {
                try {
                    registry.deregister(new RegistryService.LeaseId(id));
                } catch (ParleyException e) {
                    log.warn("could not deregister {} from {} (its lease lapses in {}): {}", instance.id(), url, ttl, e.toString());
                }
            }
        }

        @Override
        public void ready(boolean value) {
            if (instance.ready() == value) {
                return;
            }
            instance = instance.withReady(value);
            readinessChanged = true;
            pause.wake();
        }

        @Override
        public void close() {
            stop(true);
        }

        /** Stops heartbeats without deregistering, as a crashed process would; for tests. */
        void abandon() {
            stop(false);
        }

        private void stop(boolean deregisterFirst) {
            if (stopped) {
                return;
            }
            deregister = deregisterFirst;
            stopped = true;
            pause.wake();
            Thread t = thread;
            if (t != null) {
                if (!deregisterFirst) {
                    t.interrupt();
                }
                try {
                    t.join(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            leases.remove(this);
        }
    }

    /** One watch: a loop of blocking queries. */
    final class Watcher implements Watch, Runnable {
        private final ContractVersion version;
        private final Listener listener;
        private final Pause pause = new Pause(clock);
        private volatile boolean stopped;
        volatile @Nullable Thread thread;

        Watcher(ContractVersion version, Listener listener) {
            this.version = version;
            this.listener = listener;
        }

        @Override
        public void run() {
            long index = 0;
            String epoch = "";
            List<ServiceInstance> last = null;
            boolean unavailable = false;
            Duration backoff = minBackoff;
            while (!stopped) {
                try {
                    RegistryService.Instances answer = registry.instances(
                            new RegistryService.Query(version.contract(), version.major(), index, epoch, waitTime.toMillis()));
                    if (stopped) {
                        break;
                    }
                    backoff = minBackoff;
                    List<ServiceInstance> instances = answer.instances().stream().map(EmbeddedRegistry.Wire::instance).toList();
                    if (last == null || unavailable || !instances.equals(last)) {
                        deliver(instances);
                    }
                    last = instances;
                    unavailable = false;
                    index = answer.index();
                    epoch = answer.epoch();
                } catch (ParleyException e) {
                    if (stopped) {
                        break;
                    }
                    if (!unavailable) {
                        unavailable = true;
                        try {
                            listener.unavailable(e);
                        } catch (RuntimeException listenerFailure) {
                            log.warn("watch listener of {} failed", version, listenerFailure);
                        }
                    }
                    pause.sleep(backoff);
                    backoff = nextBackoff(backoff);
                }
            }
        }

        private void deliver(List<ServiceInstance> instances) {
            try {
                listener.instances(instances);
            } catch (RuntimeException e) {
                log.warn("watch listener of {} failed", version, e);
            }
        }

        @Override
        public void close() {
            if (stopped) {
                return;
            }
            stopped = true;
            pause.wake();
            Thread t = thread;
            if (t != null) {
                t.interrupt();
                try {
                    t.join(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            watches.remove(this);
        }
    }

    /** Settings of an {@link EmbeddedRegistryBackend}. */
    public static final class Builder {
        private final String url;
        private Duration ttl = Duration.ofSeconds(10);
        private @Nullable Duration heartbeatInterval;
        private Duration waitTime = Duration.ofSeconds(30);
        private Duration callTimeout = Duration.ofSeconds(2);
        private Duration minBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private ParleyClock clock = ParleyClock.system();

        private Builder(String url) {
            Objects.requireNonNull(url, "url");
            if (!url.matches("https?://[^/\\s]+/?")) {
                throw new IllegalArgumentException("url: '" + url + "' (expected: the registry's base URL, e.g. http://127.0.0.1:8500)");
            }
            this.url = url;
        }

        /** The time-to-live of leases: a crashed instance disappears this long after its last heartbeat. Default 10 s. */
        public Builder ttl(Duration value) {
            this.ttl = positive("ttl", value);
            return this;
        }

        /** How often leases are renewed; default a third of the ttl. */
        public Builder heartbeatInterval(Duration value) {
            this.heartbeatInterval = positive("heartbeatInterval", value);
            return this;
        }

        /** How long a blocking query waits for a change; default 30 s, at most 60 s. */
        public Builder waitTime(Duration value) {
            positive("waitTime", value);
            if (value.toMillis() > RegistryState.MAX_WAIT_MILLIS) {
                throw new IllegalArgumentException("waitTime: " + value + " (expected: <= PT60S) for EmbeddedRegistryBackend");
            }
            this.waitTime = value;
            return this;
        }

        /** The deadline of registry calls other than blocking queries (which get waitTime plus this); default 2 s. */
        public Builder callTimeout(Duration value) {
            this.callTimeout = positive("callTimeout", value);
            return this;
        }

        /** The first and the longest pause between retries while the registry is unreachable; default 100 ms and 5 s. */
        public Builder retryBackoff(Duration initial, Duration max) {
            positive("retryBackoff initial", initial);
            positive("retryBackoff max", max);
            if (initial.compareTo(max) > 0) {
                throw new IllegalArgumentException("retryBackoff: " + initial + " > " + max + " (expected: initial <= max) for EmbeddedRegistryBackend");
            }
            this.minBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** Where heartbeat intervals and back-off pauses read time. */
        public Builder clock(ParleyClock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Creates the backend (no connection is made until the first register or watch).
         *
         * @throws IllegalArgumentException when the heartbeat interval is not shorter than the ttl
         */
        public EmbeddedRegistryBackend build() {
            if (heartbeatInterval != null && heartbeatInterval.compareTo(ttl) >= 0) {
                throw new IllegalArgumentException("heartbeatInterval: " + heartbeatInterval + " (expected: < ttl " + ttl + ") for EmbeddedRegistryBackend");
            }
            return new EmbeddedRegistryBackend(this);
        }

        private static Duration positive(String name, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0) for EmbeddedRegistryBackend");
            }
            return value;
        }
    }
}
