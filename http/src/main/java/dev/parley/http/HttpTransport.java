package dev.parley.http;

import dev.parley.contract.ContractDescriptor;
import dev.parley.transport.AddressableTransport;
import dev.parley.transport.ClientChannel;
import dev.parley.transport.InboundHandler;
import dev.parley.transport.Registration;
import dev.parley.transport.Transport;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Parley's one-to-one calls as REST over HTTP/1.1 and HTTP/2, cleartext or TLS, built on Netty.
 *
 * <p>As a server ({@link Builder#server(int)}) it serves every contract handed to
 * {@link #serve} under its {@link HttpRoute}s ({@code GET /v1/trips/{id}}, ...), plus
 * {@code GET /health/live} and {@code GET /health/ready}. Parley's dispatcher does the rest
 * (decoding, deadlines, authorization, handler threads), so the server only moves bytes:
 * nothing runs on its event loops but parsing and writing. As a client ({@link Builder#target})
 * it calls the same routes on any HTTP server, keeping pooled keep-alive connections per host
 * (or one multiplexed HTTP/2 connection with {@link HttpProtocol#H2C} or {@link HttpProtocol#H2}).
 *
 * <p>TLS is one setting per side: {@link Builder#serverTls} makes the server port TLS only
 * (HTTP/1.1 and h2 by ALPN; with {@link TlsSettings.Builder#requireClientAuth} mutual TLS), and
 * {@code https://} targets are reached over TLS with {@link Builder#clientTls} (the JDK's trust
 * store and host name verification when it is not set):
 *
 * <pre>{@code
 * HttpTransport toTrips = HttpTransport.builder()
 *         .target("https://trips:8443").protocol(HttpProtocol.H2)
 *         .clientTls(TlsSettings.custom().trustedCertificates(caPem).certificateChain(certPem).privateKey(keyPem).build())
 *         .build();
 * }</pre>
 *
 * <pre>{@code
 * HttpTransport http = HttpTransport.builder().server(8080).build();
 * Parley trips = Parley.builder().service("trips").transport(http).build();
 * trips.serve(TripService.class, new TripManagement());      // GET /v1/trips/{id}, ...
 *
 * HttpTransport toTrips = HttpTransport.builder().target("http://trips:8080").build();
 * TripService client = Parley.builder().transport(toTrips).build().client(TripService.class);
 * }</pre>
 *
 * <p>One instance owns its event loop threads, server socket and connection pools: share it
 * between the contracts of a runtime, and {@link #close()} it (which drains in-flight calls)
 * when done. The wire mapping is described in docs/wire-formats.md, section "HTTP".
 */
public final class HttpTransport implements AddressableTransport {

    /** Server limits, shared by HTTP/1.1 connections and HTTP/2 streams. */
    record Limits(int maxHeaderBytes, int maxBodyBytes, Duration idleTimeout, Duration requestReadTimeout) {}

    private final NettyIo io;
    private final @Nullable HttpServer server;
    private final HttpConnections connections;
    private final Optional<URI> defaultTarget;
    private final Map<String, URI> targets;
    private final Duration drainTimeout;
    private final Map<Class<?>, List<HttpRoute>> routesByContract = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean tls;

    private HttpTransport(Builder b) {
        if (b.serverTls != null && b.port < 0) {
            throw new IllegalArgumentException("serverTls is set but there is no server (expected: HttpTransport.builder().server(port))");
        }
        // Key material is read before any thread starts, so a bad file fails the build cleanly.
        io.netty.handler.ssl.SslContext serverTls = b.serverTls == null ? null : TlsContexts.server(b.serverTls);
        HttpConnections.ClientTls clientTls = b.clientTls();
        this.io = new NettyIo(b.ioThreads, "parley-http");
        Limits limits = new Limits(b.maxHeaderBytes, b.maxBodyBytes, b.idleTimeout, b.requestReadTimeout);
        HttpServer started = null;
        if (b.port >= 0) {
            try {
                started = new HttpServer(io, b.bindAddress, b.port, limits, serverTls, b.asyncCallbacks);
            } catch (RuntimeException e) {
                io.group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                throw e;
            }
        }
        this.server = started;
        this.connections = new HttpConnections(io, b.protocol, limits, b.maxConnectionsPerHost, b.connectTimeout.toMillis(),
                b.clientIdleTimeout.toMillis(), clientTls);
        this.defaultTarget = Optional.ofNullable(b.defaultTarget);
        this.targets = Map.copyOf(b.targets);
        this.drainTimeout = b.drainTimeout;
        this.tls = serverTls != null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder set from properties whose keys start with {@code prefix} (e.g. {@code parley.http.}),
     * each named like its builder method:
     * <pre>
     * server=8080                  bindAddress=127.0.0.1
     * target=http://gateway:8080   target.trips=https://trips:8443    (per contract name)
     * protocol=H2C                 (or HTTP_1_1, H2)
     * maxHeaderBytes=8192          maxBodyBytes=4194304              maxConnectionsPerHost=32   ioThreads=4
     * idleTimeout=PT60S            requestReadTimeout=PT10S          drainTimeout=PT10S         connectTimeout=PT2S
     * clientIdleTimeout=PT50S
     * serverTls.certificateChain=/etc/tls/tls.crt   serverTls.privateKey=/etc/tls/tls.key
     * serverTls.privateKeyPassword=...            (for a BEGIN ENCRYPTED PRIVATE KEY file)
     * serverTls.trustedCertificates=/etc/tls/ca.crt serverTls.requireClientAuth=true    serverTls.protocols=TLSv1.3
     * clientTls.certificateChain=...  clientTls.privateKey=...  clientTls.trustedCertificates=...  clientTls.verifyHostname=true
     * </pre>
     * (key stores can be given in code only.) The builder can be refined in code before {@link Builder#build()}.
     *
     * @throws IllegalArgumentException naming the key, the value and what was expected, for unknown
     *                                  keys under the prefix and malformed values
     */
    public static Builder fromProperties(java.util.Properties properties, String prefix) {
        Builder b = new Builder();
        TlsSettings.Builder serverTls = null;
        TlsSettings.Builder clientTls = null;
        for (String key : new java.util.TreeSet<>(properties.stringPropertyNames())) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            String setting = key.substring(prefix.length());
            String value = properties.getProperty(key).trim();
            if (setting.startsWith("target.")) {
                b.target(setting.substring("target.".length()), value);
                continue;
            }
            if (setting.startsWith("serverTls.")) {
                serverTls = tlsSetting(serverTls, key, setting.substring("serverTls.".length()), value);
                continue;
            }
            if (setting.startsWith("clientTls.")) {
                clientTls = tlsSetting(clientTls, key, setting.substring("clientTls.".length()), value);
                continue;
            }
            switch (setting) {
                case "server" -> b.server(integer(key, value));
                case "bindAddress" -> b.bindAddress(value);
                case "target" -> b.target(value);
                case "protocol" -> b.protocol(parse(key, value, HttpProtocol::valueOf, "HTTP_1_1, H2C or H2"));
                case "maxHeaderBytes" -> b.maxHeaderBytes(integer(key, value));
                case "maxBodyBytes" -> b.maxBodyBytes(integer(key, value));
                case "maxConnectionsPerHost" -> b.maxConnectionsPerHost(integer(key, value));
                case "ioThreads" -> b.ioThreads(integer(key, value));
                case "idleTimeout" -> b.idleTimeout(duration(key, value));
                case "requestReadTimeout" -> b.requestReadTimeout(duration(key, value));
                case "drainTimeout" -> b.drainTimeout(duration(key, value));
                case "connectTimeout" -> b.connectTimeout(duration(key, value));
                case "clientIdleTimeout" -> b.clientIdleTimeout(duration(key, value));
                default -> throw new IllegalArgumentException(key + ": unknown HttpTransport setting (expected: server, bindAddress, "
                        + "target, target.<contract>, protocol, maxHeaderBytes, maxBodyBytes, maxConnectionsPerHost, ioThreads, "
                        + "idleTimeout, requestReadTimeout, drainTimeout, connectTimeout, clientIdleTimeout, serverTls.<setting> or clientTls.<setting>)");
            }
        }
        if (serverTls != null) {
            b.serverTls(build(serverTls, prefix + "serverTls"));
        }
        if (clientTls != null) {
            b.clientTls(build(clientTls, prefix + "clientTls"));
        }
        return b;
    }

    private static TlsSettings.Builder tlsSetting(TlsSettings.@Nullable Builder tls, String key, String setting, String value) {
        try {
            return (tls == null ? TlsSettings.custom() : tls).set(setting, value);
        } catch (IllegalArgumentException e) { // also InvalidPathException
            throw new IllegalArgumentException(key + ": '" + value + "': " + e.getMessage(), e);
        }
    }

    private static TlsSettings build(TlsSettings.Builder tls, String key) {
        try {
            return tls.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ".*: " + e.getMessage(), e);
        }
    }

    private static int integer(String key, String value) {
        return parse(key, value, Integer::parseInt, "an integer");
    }

    private static Duration duration(String key, String value) {
        return parse(key, value, Duration::parse, "an ISO-8601 duration such as PT2S");
    }

    private static <T> T parse(String key, String value, java.util.function.Function<String, T> parser, String expected) {
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' (expected: " + expected + ")", e);
        }
    }

    @Override
    public String name() {
        return "http";
    }

    /**
     * The port the server is bound to (the ephemeral one when built with {@code server(0)}).
     *
     * @throws IllegalStateException when this transport has no server
     */
    public int port() {
        return requireServer("port()").port();
    }

    /** Open server connections, for tests of connection reuse. */
    int openServerConnections() {
        return requireServer("openServerConnections()").openConnections();
    }

    /** The server, for tests of its parts. */
    HttpServer serverForTests() {
        return requireServer("serverForTests()");
    }

    /** HTTP/2 client connections still taking new streams, for tests of GOAWAY and idle eviction. */
    int http2ConnectionsInUse() {
        return connections.http2ConnectionsInUse();
    }

    /** The routes currently served, literal paths first. */
    public List<HttpRoute> routes() {
        return server == null ? List.of() : server.routes.routes();
    }

    @Override
    public ClientChannel connect(Class<?> contractType) {
        ensureOpen();
        ContractDescriptor contract = ContractDescriptor.of(contractType);
        URI base = Optional.ofNullable(targets.get(contract.name())).or(() -> defaultTarget).orElseThrow(() -> new IllegalStateException(
                "no HTTP target for contract " + contract.address() + " (expected: HttpTransport.builder().target(url) or target(\""
                        + contract.name() + "\", url))"));
        return channel(contractType, contract, base);
    }

    @Override
    public ClientChannel connect(Class<?> contractType, String address) {
        ensureOpen();
        return channel(contractType, ContractDescriptor.of(contractType), Builder.parseTarget(address, "address"));
    }

    @Override
    public String serverAddress(String advertisedHost) {
        String host = advertisedHost.indexOf(':') >= 0 && !advertisedHost.startsWith("[") ? "[" + advertisedHost + "]" : advertisedHost;
        return (tls ? "https://" : "http://") + host + ":" + port();
    }

    private ClientChannel channel(Class<?> contractType, ContractDescriptor contract, URI base) {
        Map<String, HttpRoute> byWireName = new HashMap<>();
        for (HttpRoute route : routes(contractType)) {
            byWireName.put(route.operation().wireName(), route);
        }
        return new HttpClientChannel(connections, base, Map.copyOf(byWireName), contract.address());
    }

    @Override
    public Registration serve(Class<?> contractType, InboundHandler handler) {
        ensureOpen();
        ContractDescriptor contract = ContractDescriptor.of(contractType);
        HttpServer s = requireServer("serve(" + contract.address() + ")");
        HttpServer.ServedContract target = new HttpServer.ServedContract(contract.name(), handler);
        try {
            for (HttpRoute route : routes(contractType)) {
                s.register(route, target);
            }
        } catch (RuntimeException e) {
            s.routes.removeTarget(target);
            throw e;
        }
        return () -> s.routes.removeTarget(target);
    }

    private List<HttpRoute> routes(Class<?> contract) {
        return routesByContract.computeIfAbsent(contract, HttpRoute::of);
    }

    private HttpServer requireServer(String what) {
        if (server == null) {
            throw new IllegalStateException(what + ": this HttpTransport has no server (expected: HttpTransport.builder().server(port))");
        }
        return server;
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("HttpTransport is closed");
        }
    }

    /**
     * Stops accepting connections, answers new HTTP/1.1 requests with 503, sends every HTTP/2
     * connection a GOAWAY (the streams it already took are served, later ones are not), waits up
     * to the drain timeout for in-flight calls and open streams, then closes every connection and
     * stops the event loops. Deliveries of async callbacks still running are dropped (logged).
     * Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (server != null) {
                server.close(drainTimeout);
            }
            connections.close();
        } finally {
            io.group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "HttpTransport(" + (server == null ? "client only" : "port " + server.port() + (tls ? ", TLS" : "")) + ")";
    }

    /** Settings of an {@link HttpTransport}; every one has a default but the server port and the targets. */
    public static final class Builder {
        private int port = -1;
        private String bindAddress = "0.0.0.0";
        private @Nullable URI defaultTarget;
        private final Map<String, URI> targets = new LinkedHashMap<>();
        private HttpProtocol protocol = HttpProtocol.HTTP_1_1;
        private int maxHeaderBytes = 8 * 1024;
        private int maxBodyBytes = 4 * 1024 * 1024;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration requestReadTimeout = Duration.ofSeconds(10);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration clientIdleTimeout = Duration.ofSeconds(50);
        private int maxConnectionsPerHost = 32;
        private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private @Nullable TlsSettings serverTls;
        private @Nullable TlsSettings clientTls;
        private @Nullable AsyncCallbacks asyncCallbacks;

        private Builder() {}

        /** Serve on this port; 0 picks a free one ({@link HttpTransport#port()} tells which). */
        public Builder server(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("server port: " + value + " (expected: 0 to 65535) for HttpTransport");
            }
            this.port = value;
            return this;
        }

        /** The address the server binds; default {@code 0.0.0.0}. */
        public Builder bindAddress(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("bindAddress: '" + value + "' (expected: a host name or IP address) for HttpTransport");
            }
            this.bindAddress = value;
            return this;
        }

        /** Where clients send calls of every contract without a {@link #target(String, String) contract target}. */
        public Builder target(String baseUrl) {
            this.defaultTarget = parseTarget(baseUrl, "target");
            return this;
        }

        /** Where clients send calls of the contract named {@code contractName}. */
        public Builder target(String contractName, String baseUrl) {
            targets.put(contractName, parseTarget(baseUrl, "target for " + contractName));
            return this;
        }

        /**
         * Serve TLS only on the server port, with these settings (which must hold key material):
         * ALPN selects h2 or HTTP/1.1; plaintext connections fail their handshake and are closed.
         */
        public Builder serverTls(TlsSettings value) {
            this.serverTls = java.util.Objects.requireNonNull(value, "serverTls");
            return this;
        }

        /**
         * How clients reach {@code https://} targets: the CAs to trust, the certificate to
         * present for mutual TLS, host name verification. Without it, {@code https://} targets
         * are reached with {@link TlsSettings#ofDefaults()}. Setting it with no {@code https://}
         * target fails the build, so that a mistyped {@code http://} never sends calls in clear.
         */
        public Builder clientTls(TlsSettings value) {
            this.clientTls = java.util.Objects.requireNonNull(value, "clientTls");
            return this;
        }

        /** The protocol clients speak; default HTTP/1.1; {@link HttpProtocol#H2C} needs {@code http://} targets, {@link HttpProtocol#H2} {@code https://} ones. */
        public Builder protocol(HttpProtocol value) {
            this.protocol = java.util.Objects.requireNonNull(value, "protocol");
            return this;
        }

        /** Largest request line plus headers the server reads (431 beyond); default 8 KiB. */
        public Builder maxHeaderBytes(int value) {
            this.maxHeaderBytes = positive("maxHeaderBytes", value, 1024);
            return this;
        }

        /** Largest request body the server reads (413 beyond) and response body the client reads; default 4 MiB. */
        public Builder maxBodyBytes(int value) {
            this.maxBodyBytes = positive("maxBodyBytes", value, 1);
            return this;
        }

        /** How long a server connection without calls stays open; default 60 s. */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = positive("idleTimeout", value);
            return this;
        }

        /** How long the server waits for a whole HTTP/1.1 request once it started; default 10 s. */
        public Builder requestReadTimeout(Duration value) {
            this.requestReadTimeout = positive("requestReadTimeout", value);
            return this;
        }

        /** How long {@link HttpTransport#close()} waits for in-flight calls; default 10 s. */
        public Builder drainTimeout(Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("drainTimeout: " + value + " (expected: >= 0) for HttpTransport");
            }
            this.drainTimeout = value;
            return this;
        }

        /** How long the client waits for a TCP connection, and again for its TLS handshake; default 2 s. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive("connectTimeout", value);
            return this;
        }

        /**
         * How long a client connection (pooled HTTP/1.1, or HTTP/2) without calls stays open
         * before the client closes it; default 50 s, below the servers' usual idle timeouts
         * (60 s for this transport's server), so that the client closes an idle connection
         * before the server does. A connection the server closed first is noticed and never
         * handed to a call.
         */
        public Builder clientIdleTimeout(Duration value) {
            this.clientIdleTimeout = positive("clientIdleTimeout", value);
            return this;
        }

        /**
         * Lets callers of request/async-response operations name a callback URL
         * ({@code parley-callback}) to which the server POSTs the result; off by default, when
         * such a request is answered {@code 400}.
         */
        public Builder asyncCallbacks(AsyncCallbacks value) {
            this.asyncCallbacks = java.util.Objects.requireNonNull(value, "asyncCallbacks");
            return this;
        }

        /** Pooled HTTP/1.1 connections per host; default 32. */
        public Builder maxConnectionsPerHost(int value) {
            this.maxConnectionsPerHost = positive("maxConnectionsPerHost", value, 1);
            return this;
        }

        /** Event loop threads, shared by server and client; default: the number of cores, at least 2. */
        public Builder ioThreads(int value) {
            this.ioThreads = positive("ioThreads", value, 1);
            return this;
        }

        /**
         * Starts the server, if one is configured.
         *
         * @throws IllegalStateException    when the port cannot be bound
         * @throws IllegalArgumentException when TLS key material cannot be loaded, or a target's scheme does not fit the protocol
         */
        public HttpTransport build() {
            return new HttpTransport(this);
        }

        /** Checks every target against the protocol, and builds the client's TLS contexts if a target is {@code https://}. */
        private HttpConnections.@Nullable ClientTls clientTls() {
            Map<String, URI> all = new LinkedHashMap<>(targets);
            if (defaultTarget != null) {
                all.put("(default)", defaultTarget);
            }
            Set<HttpConnections.Origin> tlsOrigins = new HashSet<>();
            Set<HttpConnections.Origin> plainOrigins = new HashSet<>();
            for (Map.Entry<String, URI> e : all.entrySet()) {
                URI uri = e.getValue();
                boolean https = "https".equals(uri.getScheme());
                String where = "target " + uri + " for " + e.getKey();
                if (https && protocol == HttpProtocol.H2C) {
                    throw new IllegalArgumentException(where + ": protocol H2C is cleartext (expected: an http:// target, or protocol H2 for https://) for HttpTransport");
                }
                if (!https && protocol == HttpProtocol.H2) {
                    throw new IllegalArgumentException(where + ": protocol H2 runs over TLS (expected: an https:// target, or protocol H2C for http://) for HttpTransport");
                }
                (https ? tlsOrigins : plainOrigins).add(new HttpConnections.Origin(uri.getHost(), uri.getPort()));
            }
            for (HttpConnections.Origin origin : tlsOrigins) {
                if (plainOrigins.contains(origin)) {
                    throw new IllegalArgumentException("targets: " + origin + " is both http:// and https:// (expected: one scheme per host and port) for HttpTransport");
                }
            }
            if (tlsOrigins.isEmpty()) {
                if (clientTls != null) {
                    throw new IllegalArgumentException("clientTls is set but no target is https:// (targets: " + all.values() + ") for HttpTransport");
                }
                return null;
            }
            TlsSettings settings = clientTls != null ? clientTls : TlsSettings.ofDefaults();
            return new HttpConnections.ClientTls(Set.copyOf(tlsOrigins), TlsContexts.client(settings, false),
                    protocol == HttpProtocol.H2 ? TlsContexts.client(settings, true) : null);
        }

        private static URI parseTarget(String baseUrl, String what) {
            URI uri;
            try {
                uri = new URI(baseUrl);
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalArgumentException(what + ": '" + baseUrl + "' (expected: http[s]://host:port[/path]) for HttpTransport", e);
            }
            boolean https = "https".equals(uri.getScheme());
            if (!(https || "http".equals(uri.getScheme())) || uri.getHost() == null || uri.getRawQuery() != null) {
                throw new IllegalArgumentException(what + ": '" + baseUrl + "' (expected: http[s]://host:port[/path]) for HttpTransport");
            }
            if (uri.getPort() < 0) {
                // Made explicit here: connections are keyed by host and port, and the client assumes 80 when none is given.
                try {
                    uri = new URI(uri.getScheme(), uri.getRawUserInfo(), uri.getHost(), https ? 443 : 80, uri.getRawPath(), null, uri.getRawFragment());
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException(what + ": '" + baseUrl + "' (expected: http[s]://host:port[/path]) for HttpTransport", e);
                }
            }
            return uri;
        }

        private static int positive(String name, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ") for HttpTransport");
            }
            return value;
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0) for HttpTransport");
            }
            return value;
        }
    }
}
