package dev.parley.discovery.etcd;

import dev.parley.ParleyClock;
import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.DiscoveryBackend;
import dev.parley.discovery.ServiceInstance;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Service discovery on etcd (v3 API, etcd 3.4 or newer): instances register under a lease that
 * the backend keeps alive, clients watch a key prefix per contract version.
 *
 * <pre>{@code
 * EtcdDiscovery etcd = EtcdDiscovery.builder().endpoints("http://etcd-0:2379", "http://etcd-1:2379").build();
 * DiscoveryBackend.Lease lease = etcd.register(instance);      // keys live while the lease does
 * DiscoveryBackend.Watch watch = etcd.watch(new ContractVersion("trips", 1), listener);
 * }</pre>
 *
 * <p><b>Keys.</b> An instance serving {@code trips/v1} and {@code trips/v2} puts two keys,
 * {@code /parley/services/trips/v1/<id>} and {@code /parley/services/trips/v2/<id>}, both holding
 * the instance as JSON and both attached to one lease with a time-to-live of {@link Builder#leaseTtl}
 * (10 s by default). The backend refreshes the lease every {@link Builder#keepAliveInterval}. If the
 * process dies, etcd deletes the keys when the TTL lapses; {@link Lease#close()} revokes the lease
 * and deletes them at once. When etcd forgot the lease (it was down longer than the TTL, or came
 * back with an empty data directory) the backend grants a new one and puts the keys again.
 *
 * <p><b>Watches.</b> A watch lists the version's prefix, hands the listener the whole list, then
 * follows etcd's watch stream from the next revision and hands over the whole list after every
 * change. When the stream breaks, or etcd compacted the revisions it needed, it lists again.
 * While etcd cannot be reached the listener hears {@code unavailable(cause)} once and the watch
 * retries with exponential back-off; values under the prefix that are not Parley instances
 * (unreadable, wrong shape, larger than {@link Builder#maxValueBytes}) are skipped with a log line.
 *
 * <p><b>Protocol.</b> The backend speaks to etcd's JSON gateway ({@code POST /v3/kv/range},
 * {@code /v3/lease/grant}, {@code /v3/watch}, ...) with the JDK's HTTP client, so it adds no
 * dependency beyond Jackson. Every registration and watch runs on its own virtual thread. One
 * backend per process is enough; {@link #close()} deregisters every instance and ends every watch.
 */
public final class EtcdDiscovery implements DiscoveryBackend {

    private final Settings settings;
    private final EtcdClient client;
    private final Set<EtcdRegistration> registrations = ConcurrentHashMap.newKeySet();
    private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private EtcdDiscovery(Settings settings) {
        this.settings = settings;
        this.client = new EtcdClient(settings.endpoints(), settings.connectTimeout(), settings.requestTimeout(), settings.maxResponseBytes());
    }

    /** A builder with the defaults: {@code http://127.0.0.1:2379}, prefix {@code /parley/services}, TTL 10 s. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder set from the properties whose keys start with {@code prefix} (e.g. {@code parley.discovery.etcd.}),
     * each named like its builder method:
     * <pre>
     * endpoints=http://etcd-0:2379,http://etcd-1:2379   keyPrefix=/parley/services
     * leaseTtl=PT10S   keepAliveInterval=PT3S   requestTimeout=PT5S   connectTimeout=PT2S
     * initialBackoff=PT0.1S   maxBackoff=PT5S   probeInterval=PT10S
     * maxValueBytes=65536   maxResponseBytes=16777216
     * </pre>
     *
     * @throws IllegalArgumentException naming the key, its value and what was expected
     */
    public static Builder fromProperties(Properties properties, String prefix) {
        Builder b = new Builder();
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            String setting = key.substring(prefix.length());
            String value = properties.getProperty(key).trim();
            try {
                switch (setting) {
                    case "endpoints" -> b.endpoints(Arrays.stream(value.split(",")).map(String::trim).toArray(String[]::new));
                    case "keyPrefix" -> b.keyPrefix(value);
                    case "leaseTtl" -> b.leaseTtl(Duration.parse(value));
                    case "keepAliveInterval" -> b.keepAliveInterval(Duration.parse(value));
                    case "requestTimeout" -> b.requestTimeout(Duration.parse(value));
                    case "connectTimeout" -> b.connectTimeout(Duration.parse(value));
                    case "initialBackoff" -> b.backoff(Duration.parse(value), b.maxBackoff);
                    case "maxBackoff" -> b.backoff(b.initialBackoff, Duration.parse(value));
                    case "probeInterval" -> b.probeInterval(Duration.parse(value));
                    case "maxValueBytes" -> b.maxValueBytes(Integer.parseInt(value));
                    case "maxResponseBytes" -> b.maxResponseBytes(Integer.parseInt(value));
                    default -> throw new IllegalArgumentException("unknown setting (expected: endpoints, keyPrefix, leaseTtl, "
                            + "keepAliveInterval, requestTimeout, connectTimeout, initialBackoff, maxBackoff, probeInterval, "
                            + "maxValueBytes or maxResponseBytes)");
                }
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException(key + ": '" + value + "' (expected: an ISO-8601 duration such as PT10S)", e);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + ": '" + value + "' (expected: an integer)", e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": '" + value + "': " + e.getMessage(), e);
            }
        }
        return b;
    }

    @Override
    public String name() {
        return "etcd";
    }

    /**
     * Registers {@code instance} under one key per contract version it serves and keeps the lease
     * alive. The first attempt happens before this returns (so a watcher can see the instance right
     * away); if etcd cannot be reached it is logged and retried in the background.
     *
     * @throws IllegalArgumentException when the instance serves no contract version
     * @throws IllegalStateException    when this backend is closed
     */
    @Override
    public Lease register(ServiceInstance instance) {
        Objects.requireNonNull(instance, "instance");
        ensureOpen("register(" + instance.id() + ")");
        if (instance.contracts().isEmpty()) {
            throw new IllegalArgumentException("instance " + instance.id() + ": contracts [] (expected: at least one contract version to register under)");
        }
        EtcdRegistration registration = new EtcdRegistration(client, settings, instance, registrations::remove);
        registrations.add(registration);
        registration.start();
        return registration;
    }

    @Override
    public Watch watch(ContractVersion version, Listener listener) {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(listener, "listener");
        ensureOpen("watch(" + version + ")");
        EtcdWatch watch = new EtcdWatch(client, settings, version, listener, watches::remove);
        watches.add(watch);
        watch.start();
        return watch;
    }

    /** Revokes every lease (deregistering its instance), ends every watch and releases the HTTP client. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List.copyOf(watches).forEach(EtcdWatch::close);
        List.copyOf(registrations).forEach(EtcdRegistration::close);
        client.close();
    }

    /** The effective settings, for tests. */
    Settings settings() {
        return settings;
    }

    /** The client, for tests that look at etcd directly. */
    EtcdClient client() {
        return client;
    }

    private void ensureOpen(String what) {
        if (closed.get()) {
            throw new IllegalStateException(what + ": this EtcdDiscovery is closed");
        }
    }

    /** The validated, immutable settings. */
    record Settings(List<URI> endpoints, String keyPrefix, Duration leaseTtl, Duration keepAliveInterval, Duration requestTimeout,
                    Duration connectTimeout, Duration initialBackoff, Duration maxBackoff, Duration probeInterval, int maxValueBytes,
                    int maxResponseBytes, ParleyClock clock) {

        /** {@code <keyPrefix>/<contract>/v<major>/}: the keys a watch of {@code version} covers. */
        String versionPrefix(ContractVersion version) {
            return keyPrefix + "/" + escape(version.contract()) + "/v" + version.major() + "/";
        }

        String key(ContractVersion version, String instanceId) {
            return versionPrefix(version) + escape(instanceId);
        }

        /** Keeps a name one key segment: {@code %} and {@code /} are percent-encoded. */
        static String escape(String segment) {
            return segment.replace("%", "%25").replace("/", "%2F");
        }
    }

    /** Builds an {@link EtcdDiscovery}; every setting can also come from {@link #fromProperties}. */
    public static final class Builder {
        private List<URI> endpoints = List.of(URI.create("http://127.0.0.1:2379"));
        private String keyPrefix = "/parley/services";
        private Duration leaseTtl = Duration.ofSeconds(10);
        private @Nullable Duration keepAliveInterval;
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private Duration probeInterval = Duration.ofSeconds(10);
        private int maxValueBytes = 64 * 1024;
        private int maxResponseBytes = 16 * 1024 * 1024;
        private ParleyClock clock = ParleyClock.system();

        private Builder() {}

        /** etcd's client URLs ({@code http://host:2379}); requests go to the next one when one cannot be reached. */
        public Builder endpoints(String... urls) {
            if (urls.length == 0) {
                throw new IllegalArgumentException("endpoints: none (expected: at least one URL such as http://127.0.0.1:2379)");
            }
            List<URI> parsed = new ArrayList<>();
            for (String url : urls) {
                URI uri;
                try {
                    uri = URI.create(url.trim());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("endpoints: '" + url + "' (expected: a URL such as http://127.0.0.1:2379)", e);
                }
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                        || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
                    throw new IllegalArgumentException("endpoints: '" + url + "' (expected: http://host:port or https://host:port, without a path)");
                }
                parsed.add(uri);
            }
            this.endpoints = List.copyOf(parsed);
            return this;
        }

        /** Where instances live in etcd's key space; default {@code /parley/services}. */
        public Builder keyPrefix(String value) {
            if (!value.startsWith("/") || value.endsWith("/") || value.length() < 2) {
                throw new IllegalArgumentException("keyPrefix: '" + value + "' (expected: starts with '/', does not end with '/', e.g. /parley/services)");
            }
            this.keyPrefix = value;
            return this;
        }

        /** How long an instance outlives its process's last keep-alive; whole seconds, at least 2 s (etcd's minimum); default 10 s. */
        public Builder leaseTtl(Duration value) {
            if (value.compareTo(Duration.ofSeconds(2)) < 0 || value.toNanos() % 1_000_000_000L != 0) {
                throw new IllegalArgumentException("leaseTtl: " + value + " (expected: whole seconds, at least PT2S)");
            }
            this.leaseTtl = value;
            return this;
        }

        /** How often a lease is refreshed; default a third of {@link #leaseTtl}. */
        public Builder keepAliveInterval(Duration value) {
            positive("keepAliveInterval", value);
            this.keepAliveInterval = value;
            return this;
        }

        /** The time limit of one request to etcd; default 5 s. */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = positive("requestTimeout", value);
            return this;
        }

        /** The time limit of opening a connection to etcd; default 2 s. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive("connectTimeout", value);
            return this;
        }

        /** Retries after failures wait a random time growing from {@code initial} to {@code max}; default 100 ms to 5 s. */
        public Builder backoff(Duration initial, Duration max) {
            positive("initialBackoff", initial);
            positive("maxBackoff", max);
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("maxBackoff: " + max + " (expected: >= initialBackoff " + initial + ")");
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** After this long without a watch message, a watch checks that etcd still answers; default 10 s. */
        public Builder probeInterval(Duration value) {
            this.probeInterval = positive("probeInterval", value);
            return this;
        }

        /** Values larger than this are not Parley instances and are skipped; default 64 KiB. */
        public Builder maxValueBytes(int value) {
            if (value < 256) {
                throw new IllegalArgumentException("maxValueBytes: " + value + " (expected: >= 256)");
            }
            this.maxValueBytes = value;
            return this;
        }

        /** The largest answer (a range, one watch message) read from etcd; default 16 MiB. */
        public Builder maxResponseBytes(int value) {
            if (value < 4096) {
                throw new IllegalArgumentException("maxResponseBytes: " + value + " (expected: >= 4096)");
            }
            this.maxResponseBytes = value;
            return this;
        }

        /** Times keep-alives, probes and back-off; default {@link ParleyClock#system()}. */
        public Builder clock(ParleyClock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** @throws IllegalArgumentException when keepAliveInterval is not shorter than leaseTtl */
        public EtcdDiscovery build() {
            Duration keepAlive = keepAliveInterval != null ? keepAliveInterval : leaseTtl.dividedBy(3);
            if (keepAlive.compareTo(leaseTtl) >= 0) {
                throw new IllegalArgumentException("keepAliveInterval: " + keepAlive + " (expected: < leaseTtl " + leaseTtl + ")");
            }
            return new EtcdDiscovery(new Settings(endpoints, keyPrefix, leaseTtl, keepAlive, requestTimeout, connectTimeout,
                    initialBackoff, maxBackoff, probeInterval, maxValueBytes, maxResponseBytes, clock));
        }

        private static Duration positive(String name, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }
    }
}
