package dev.parley.discovery.kubernetes;

import dev.parley.ParleyClock;
import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.DiscoveryBackend;
import dev.parley.discovery.ServiceInstance;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Service discovery on Kubernetes: resolves a contract version to the ready pods behind a
 * Kubernetes Service by reading its EndpointSlices ({@code discovery.k8s.io/v1}) from the API
 * server. Kubernetes itself registers pods (from the Service's selector and the pods' readiness
 * probes), so this backend only watches: {@link #register} is unsupported.
 *
 * <pre>{@code
 * KubernetesDiscovery k8s = KubernetesDiscovery.builder().inCluster().build();   // in a pod
 * k8s.watch(new ContractVersion("trips", 1), listener);   // Service "trips-v1", ports "http" and "rpc"
 * }</pre>
 *
 * <p><b>Which Service.</b> A contract version maps to a Service name, by default
 * {@code <contract>-v<major>} ({@link Builder#serviceNamePattern}), or as set per version with
 * {@link Builder#serviceName}; the slices are selected with {@code kubernetes.io/service-name=<name>}
 * unless {@link Builder#labelSelector} says otherwise (e.g. a label the Services carry, which
 * Kubernetes copies onto their slices).
 *
 * <p><b>What an instance is.</b> Every endpoint (pod) of the slices is one instance with id
 * = the pod name; each named port with a {@link Builder#port port mapping} becomes a transport
 * address ({@code http} -> {@code http://10.1.2.3:8080}, {@code rpc} -> {@code 10.1.2.3:7070}); readiness is
 * the endpoint's {@code conditions.ready}; zone and node become metadata.
 *
 * <p><b>How it follows changes.</b> List, then watch from the list's resourceVersion (with
 * bookmarks); a watch that ends is resumed from the last version seen, a 410 Gone makes it list
 * again. While the API server cannot be reached the listener hears {@code unavailable(cause)} once
 * and the watch retries with back-off. Malformed events and lines over {@link Builder#maxLineBytes}
 * end the stream cleanly and the watch lists again.
 *
 * <p>One backend per process: it holds one HTTP client; every watch runs on its own virtual thread.
 */
public final class KubernetesDiscovery implements DiscoveryBackend {

    /** Where a pod finds its service account: token, ca.crt and namespace. */
    public static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private final Settings settings;
    private final HttpClient http;
    private final ApiClient api;
    private final Set<EndpointSliceWatch> watches = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private KubernetesDiscovery(Settings settings, HttpClient http, Supplier<String> token) {
        this.settings = settings;
        this.http = http;
        this.api = new ApiClient(settings, http, token);
    }

    /** A builder with the defaults; set {@link Builder#inCluster()} or {@link Builder#apiServer} before building. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder set from the properties whose keys start with {@code prefix} (e.g. {@code parley.discovery.kubernetes.}),
     * each named like its builder method:
     * <pre>
     * inCluster=true          (or:) apiServer=https://10.96.0.1:443  token=...  tokenFile=/path  trustedCertificates=/path/ca.crt
     * namespace=shop          serviceNamePattern={contract}-v{major}   serviceName.trips/v1=trip-management
     * labelSelector=kubernetes.io/service-name={service}               addressType=IPv4
     * port.http=http,http://{host}:{port}    port.rpc=rpc,{host}:{port}
     * requestTimeout=PT10S  connectTimeout=PT5S  watchTimeout=PT5M  probeInterval=PT30S
     * initialBackoff=PT0.2S  maxBackoff=PT10S  maxLineBytes=4194304  maxResponseBytes=16777216
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
                if (setting.startsWith("serviceName.")) {
                    b.serviceName(parseVersion(setting.substring("serviceName.".length())), value);
                } else if (setting.startsWith("port.")) {
                    int comma = value.indexOf(',');
                    if (comma <= 0) {
                        throw new IllegalArgumentException("expected: <transport>,<address template>, e.g. http,http://{host}:{port}");
                    }
                    b.port(setting.substring("port.".length()), value.substring(0, comma).trim(), value.substring(comma + 1).trim());
                } else {
                    switch (setting) {
                        case "inCluster" -> {
                            if (parseBoolean(value)) {
                                b.inCluster();
                            }
                        }
                        case "apiServer" -> b.apiServer(value);
                        case "token" -> b.token(value);
                        case "tokenFile" -> b.tokenFile(Path.of(value));
                        case "trustedCertificates" -> b.trustedCertificates(Path.of(value));
                        case "namespace" -> b.namespace(value);
                        case "serviceNamePattern" -> b.serviceNamePattern(value);
                        case "labelSelector" -> b.labelSelector(value);
                        case "addressType" -> b.addressType(value);
                        case "requestTimeout" -> b.requestTimeout(Duration.parse(value));
                        case "connectTimeout" -> b.connectTimeout(Duration.parse(value));
                        case "watchTimeout" -> b.watchTimeout(Duration.parse(value));
                        case "probeInterval" -> b.probeInterval(Duration.parse(value));
                        case "initialBackoff" -> b.backoff(Duration.parse(value), b.maxBackoff);
                        case "maxBackoff" -> b.backoff(b.initialBackoff, Duration.parse(value));
                        case "maxLineBytes" -> b.maxLineBytes(Integer.parseInt(value));
                        case "maxResponseBytes" -> b.maxResponseBytes(Integer.parseInt(value));
                        default -> throw new IllegalArgumentException("unknown setting (expected: inCluster, apiServer, token, tokenFile, "
                                + "trustedCertificates, namespace, serviceNamePattern, serviceName.<contract>/v<major>, labelSelector, "
                                + "addressType, port.<name>, requestTimeout, connectTimeout, watchTimeout, probeInterval, initialBackoff, "
                                + "maxBackoff, maxLineBytes or maxResponseBytes)");
                    }
                }
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException(key + ": '" + value + "' (expected: an ISO-8601 duration such as PT10S)", e);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + ": '" + value + "' (expected: an integer)", e);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new IllegalArgumentException(key + ": '" + (setting.equals("token") ? "***" : value) + "': " + e.getMessage(), e);
            }
        }
        return b;
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    /**
     * Unsupported: on Kubernetes the platform registers pods (the Service's selector picks them,
     * their readiness probe sets {@code ready}).
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Lease register(ServiceInstance instance) {
        throw new UnsupportedOperationException("register(" + instance.id() + "): the kubernetes discovery backend only resolves; "
                + "Kubernetes registers pods itself (expected: a Service whose selector matches the pod, with named ports "
                + settings.ports().keySet() + " and a readiness probe)");
    }

    /**
     * Watches the pods of the Service mapped from {@code version}.
     *
     * @throws IllegalArgumentException when the mapped Service name is not a valid Kubernetes name
     */
    @Override
    public Watch watch(ContractVersion version, Listener listener) {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(listener, "listener");
        if (closed.get()) {
            throw new IllegalStateException("watch(" + version + "): this KubernetesDiscovery is closed");
        }
        String service = settings.serviceName(version);
        String selector = settings.labelSelector().replace("{service}", service).replace("{contract}", version.contract())
                .replace("{major}", Integer.toString(version.major()));
        EndpointSliceWatch watch = new EndpointSliceWatch(api, settings, version, service, selector, listener, watches::remove);
        watches.add(watch);
        watch.start();
        return watch;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List.copyOf(watches).forEach(EndpointSliceWatch::close);
        http.shutdownNow();
    }

    Settings settings() {
        return settings;
    }

    private static ContractVersion parseVersion(String text) {
        int slash = text.lastIndexOf("/v");
        try {
            if (slash > 0) {
                return new ContractVersion(text.substring(0, slash), Integer.parseInt(text.substring(slash + 2)));
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("'" + text + "' (expected: <contract>/v<major>, e.g. serviceName.trips/v1)");
    }

    private static boolean parseBoolean(String value) {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected: true or false");
        };
    }

    /** How a named port of the Service becomes a transport address: {@code {host}} and {@code {port}} are filled in. */
    record PortMapping(String transport, String address) {
    }

    /** The validated, immutable settings. */
    record Settings(URI apiServer, String namespace, String serviceNamePattern, Map<ContractVersion, String> serviceNames,
                    String labelSelector, String addressType, Map<String, PortMapping> ports, Duration requestTimeout,
                    Duration connectTimeout, Duration watchTimeout, Duration probeInterval, Duration initialBackoff,
                    Duration maxBackoff, int maxLineBytes, int maxResponseBytes, ParleyClock clock) {

        String serviceName(ContractVersion version) {
            String explicit = serviceNames.get(version);
            String name = explicit != null ? explicit
                    : serviceNamePattern.replace("{contract}", version.contract()).replace("{major}", Integer.toString(version.major()));
            if (!DNS_LABEL.matcher(name).matches()) {
                throw new IllegalArgumentException("Service name '" + name + "' for " + version
                        + (explicit != null ? " (serviceName)" : " (from serviceNamePattern '" + serviceNamePattern + "')")
                        + " (expected: a DNS label: lowercase letters, digits and '-', at most 63 characters; "
                        + "set serviceName(" + version + ", \"...\"))");
            }
            return name;
        }
    }

    /** Builds a {@link KubernetesDiscovery}; every setting can also come from {@link #fromProperties}. */
    public static final class Builder {
        private @Nullable URI apiServer;
        private Supplier<String> token = () -> "";
        private @Nullable Path trustedCertificates;
        private @Nullable SSLContext sslContext;
        private String namespace = "default";
        private String serviceNamePattern = "{contract}-v{major}";
        private final Map<ContractVersion, String> serviceNames = new LinkedHashMap<>();
        private String labelSelector = "kubernetes.io/service-name={service}";
        private String addressType = "IPv4";
        private final Map<String, PortMapping> ports = new LinkedHashMap<>(Map.of(
                "http", new PortMapping("http", "http://{host}:{port}"),
                "https", new PortMapping("http", "https://{host}:{port}"),
                "rpc", new PortMapping("rpc", "{host}:{port}")));
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration watchTimeout = Duration.ofMinutes(5);
        private Duration probeInterval = Duration.ofSeconds(30);
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private int maxLineBytes = 4 * 1024 * 1024;
        private int maxResponseBytes = 16 * 1024 * 1024;
        private ParleyClock clock = ParleyClock.system();

        private Builder() {}

        /**
         * The pod's own configuration: API server from {@code KUBERNETES_SERVICE_HOST}/{@code _PORT},
         * token, CA and namespace from {@link #SERVICE_ACCOUNT}.
         *
         * @throws IllegalStateException when not running in a pod
         */
        public Builder inCluster() {
            return inCluster(System.getenv(), SERVICE_ACCOUNT);
        }

        Builder inCluster(Map<String, String> env, Path serviceAccount) {
            String host = env.get("KUBERNETES_SERVICE_HOST");
            String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
            if (host == null || host.isBlank()) {
                throw new IllegalStateException("inCluster: KUBERNETES_SERVICE_HOST is not set (expected: running in a pod; "
                        + "outside a cluster set apiServer(..) and token(..))");
            }
            Path tokenFile = serviceAccount.resolve("token");
            if (!Files.isReadable(tokenFile)) {
                throw new IllegalStateException("inCluster: no service account token at " + tokenFile
                        + " (expected: a pod with automountServiceAccountToken enabled)");
            }
            apiServer("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
            tokenFile(tokenFile);
            trustedCertificates(serviceAccount.resolve("ca.crt"));
            Path ns = serviceAccount.resolve("namespace");
            if (Files.isReadable(ns)) {
                try {
                    namespace(Files.readString(ns, StandardCharsets.UTF_8).strip());
                } catch (IOException e) {
                    throw new IllegalStateException("inCluster: cannot read " + ns + ": " + e.getMessage(), e);
                }
            }
            return this;
        }

        /** The API server's URL, e.g. {@code https://10.96.0.1:443}. */
        public Builder apiServer(String url) {
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("apiServer: '" + url + "' (expected: a URL such as https://10.96.0.1:443)", e);
            }
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("apiServer: '" + url + "' (expected: https://host:port, or http:// for a local proxy)");
            }
            this.apiServer = uri;
            return this;
        }

        /** A fixed bearer token. */
        public Builder token(String value) {
            if (value.isBlank() || value.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new IllegalArgumentException("token: not a bearer token (expected: non-blank printable ASCII without spaces)");
            }
            this.token = () -> value;
            return this;
        }

        /** A file holding the bearer token, read again for every request (service account tokens rotate). */
        public Builder tokenFile(Path file) {
            this.token = () -> {
                try {
                    return Files.readString(file, StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    throw new KubernetesException("tokenFile: cannot read " + file + ": " + e.getMessage(), e);
                }
            };
            return this;
        }

        /** PEM certificates of the CA(s) that signed the API server's certificate; default: the JVM's trust store. */
        public Builder trustedCertificates(Path pemFile) {
            this.trustedCertificates = pemFile;
            this.sslContext = null;
            return this;
        }

        /** The TLS context to reach the API server with (takes precedence over trustedCertificates). */
        public Builder sslContext(SSLContext value) {
            this.sslContext = Objects.requireNonNull(value, "sslContext");
            return this;
        }

        /** The namespace of the Services; default {@code default}, in a pod its own namespace. */
        public Builder namespace(String value) {
            if (!DNS_LABEL.matcher(value).matches()) {
                throw new IllegalArgumentException("namespace: '" + value + "' (expected: a DNS label: lowercase letters, digits and '-')");
            }
            this.namespace = value;
            return this;
        }

        /** Derives a Service name from a contract version: {@code {contract}} and {@code {major}} are filled in; default {@code {contract}-v{major}}. */
        public Builder serviceNamePattern(String value) {
            if (!value.contains("{contract}")) {
                throw new IllegalArgumentException("serviceNamePattern: '" + value + "' (expected: contains {contract}, e.g. {contract}-v{major})");
            }
            this.serviceNamePattern = value;
            return this;
        }

        /** The Service of one contract version, instead of the pattern's. */
        public Builder serviceName(ContractVersion version, String service) {
            if (!DNS_LABEL.matcher(service).matches()) {
                throw new IllegalArgumentException("serviceName: '" + service + "' for " + version
                        + " (expected: a DNS label: lowercase letters, digits and '-', at most 63 characters)");
            }
            serviceNames.put(version, service);
            return this;
        }

        /**
         * The label selector of the slices, with {@code {service}}, {@code {contract}} and {@code {major}} filled in;
         * default {@code kubernetes.io/service-name={service}}.
         */
        public Builder labelSelector(String template) {
            if (template.isBlank() || template.length() > 1024) {
                throw new IllegalArgumentException("labelSelector: '" + template + "' (expected: a label selector such as kubernetes.io/service-name={service})");
            }
            this.labelSelector = template;
            return this;
        }

        /** Which slices to read: {@code IPv4} (default), {@code IPv6} or {@code FQDN}. */
        public Builder addressType(String value) {
            if (!Set.of("IPv4", "IPv6", "FQDN").contains(value)) {
                throw new IllegalArgumentException("addressType: '" + value + "' (expected: IPv4, IPv6 or FQDN)");
            }
            this.addressType = value;
            return this;
        }

        /**
         * Maps the Service port named {@code portName} to {@code transport}'s address, written with
         * {@code {host}} and {@code {port}}; defaults: {@code http -> http, http://{host}:{port}},
         * {@code https -> http, https://{host}:{port}}, {@code rpc -> rpc, {host}:{port}}.
         */
        public Builder port(String portName, String transport, String addressTemplate) {
            if (portName.isBlank() || transport.isBlank() || !addressTemplate.contains("{host}") || !addressTemplate.contains("{port}")) {
                throw new IllegalArgumentException("port: '" + portName + "' -> '" + transport + "', '" + addressTemplate
                        + "' (expected: a port name, a transport name and an address template with {host} and {port})");
            }
            ports.put(portName, new PortMapping(transport, addressTemplate));
            return this;
        }

        /** Forgets the default port mappings, e.g. before mapping only one port. */
        public Builder clearPorts() {
            ports.clear();
            return this;
        }

        /** The time limit of one list, and of the wait for a watch's first answer; default 10 s. */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = positive("requestTimeout", value);
            return this;
        }

        /** The time limit of opening a connection to the API server; default 5 s. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive("connectTimeout", value);
            return this;
        }

        /** How long the API server keeps one watch request open ({@code timeoutSeconds}); the watch then resumes; default 5 min. */
        public Builder watchTimeout(Duration value) {
            positive("watchTimeout", value);
            if (value.toSeconds() < 1) {
                throw new IllegalArgumentException("watchTimeout: " + value + " (expected: at least PT1S)");
            }
            this.watchTimeout = value;
            return this;
        }

        /** After this long without a watch event, a watch checks that the API still answers; default 30 s. */
        public Builder probeInterval(Duration value) {
            this.probeInterval = positive("probeInterval", value);
            return this;
        }

        /** Retries after failures wait a random time growing from {@code initial} to {@code max}; default 200 ms to 10 s. */
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

        /** The longest watch event accepted; a longer one ends the stream and the watch lists again; default 4 MiB. */
        public Builder maxLineBytes(int value) {
            if (value < 1024) {
                throw new IllegalArgumentException("maxLineBytes: " + value + " (expected: >= 1024)");
            }
            this.maxLineBytes = value;
            return this;
        }

        /** The largest list answer accepted; default 16 MiB. */
        public Builder maxResponseBytes(int value) {
            if (value < 4096) {
                throw new IllegalArgumentException("maxResponseBytes: " + value + " (expected: >= 4096)");
            }
            this.maxResponseBytes = value;
            return this;
        }

        /** Times probes and back-off; default {@link ParleyClock#system()}. */
        public Builder clock(ParleyClock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * @throws IllegalStateException    without an API server
         * @throws IllegalArgumentException when the trusted certificates cannot be read
         */
        public KubernetesDiscovery build() {
            if (apiServer == null) {
                throw new IllegalStateException("apiServer: not set (expected: inCluster() in a pod, or apiServer(\"https://host:port\"))");
            }
            if (ports.isEmpty()) {
                throw new IllegalStateException("port: none mapped (expected: at least one port(name, transport, template))");
            }
            HttpClient.Builder http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                    .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            Optional.ofNullable(sslContext).or(() -> Optional.ofNullable(trustedCertificates).map(Builder::trusting)).ifPresent(http::sslContext);
            Settings settings = new Settings(apiServer, namespace, serviceNamePattern, Map.copyOf(serviceNames), labelSelector, addressType,
                    Map.copyOf(ports), requestTimeout, connectTimeout, watchTimeout, probeInterval, initialBackoff, maxBackoff,
                    maxLineBytes, maxResponseBytes, clock);
            return new KubernetesDiscovery(settings, http.build(), token);
        }

        private static SSLContext trusting(Path pemFile) {
            try (InputStream in = Files.newInputStream(pemFile)) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + i++, cert);
                }
                if (i == 0) {
                    throw new IllegalArgumentException("trustedCertificates: " + pemFile + " holds no certificate (expected: PEM certificates)");
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, tmf.getTrustManagers(), null);
                return context;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("trustedCertificates: " + pemFile + ": " + e.getMessage()
                        + " (expected: a readable file of PEM certificates)", e);
            }
        }

        private static Duration positive(String name, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }
    }
}
