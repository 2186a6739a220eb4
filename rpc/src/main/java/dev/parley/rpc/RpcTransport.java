package dev.parley.rpc;

import dev.parley.contract.ContractDescriptor;
import dev.parley.http.NettyIo;
import dev.parley.http.TlsSettings;
import dev.parley.transport.AddressableTransport;
import dev.parley.transport.ClientChannel;
import dev.parley.transport.InboundHandler;
import dev.parley.transport.Registration;
import dev.parley.transport.Transport;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Parley's one-to-one calls (request/response, async response, one-way) over its binary RPC
 * protocol: length-prefixed frames on TCP, many calls multiplexed on one connection and
 * correlated by stream id, one-way messages that get no answer at all, cancellation frames,
 * keepalive pings and a graceful drain. The wire format is in docs/rpc-protocol.md.
 *
 * <pre>{@code
 * RpcTransport rpc = RpcTransport.builder().server(7070).build();
 * Parley trips = Parley.builder().service("trips").transport(rpc).build();
 * trips.serve(TripService.class, new TripManagement());
 *
 * RpcTransport toTrips = RpcTransport.builder().target("trips:7070").build();
 * TripService client = Parley.builder().transport(toTrips).codec(Codec.cbor()).build().client(TripService.class);
 * }</pre>
 *
 * <p>As a server ({@link Builder#server}) it serves every contract handed to {@link #serve};
 * Parley's dispatcher does the rest (decoding, deadlines, authorization, handler threads), so
 * nothing but framing runs on the event loops. As a client ({@link Builder#target}) it keeps
 * one long-lived connection per server ({@link Builder#connectionsPerTarget} for more), opened
 * on the first call and reopened with exponential backoff and jitter after a loss. Bodies travel
 * as the runtime's codec encoded them; use {@code Codec.cbor()} for the compact binary form.
 *
 * <p>Limits protect both sides: frames over {@link Builder#maxFrameBytes} are refused before a
 * byte of them is buffered; a server runs at most {@link Builder#maxConcurrentCalls} calls per
 * connection and stops reading while its replies cannot be written; a client queues at most
 * {@link Builder#maxQueuedBytes} of calls per connection while the server cannot take them, and
 * fails further calls with {@code RESOURCE_EXHAUSTED}. A queued call whose deadline passes leaves
 * the queue.
 *
 * <p>One instance owns its event loop threads, server socket and connections: share it between
 * the contracts of a runtime, and {@link #close()} it (which drains in-flight calls) when done.
 */
public final class RpcTransport implements AddressableTransport {

    private final NettyIo io;
    private final @Nullable RpcServer server;
    private final @Nullable SslContext clientTls;
    private final Endpoint.Settings clientSettings;
    private final @Nullable String defaultTarget;
    private final Map<String, String> targets;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Duration drainTimeout;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RpcTransport(Builder b) {
        if (b.serverTls != null && b.port < 0) {
            throw new IllegalArgumentException("serverTls is set but there is no server (expected: RpcTransport.builder().server(port))");
        }
        SslContext serverTls = b.serverTls == null ? null : RpcTls.server(b.serverTls);
        this.clientTls = b.clientTls == null ? null : RpcTls.client(b.clientTls);
        this.io = new NettyIo(b.ioThreads, "parley-rpc");
        RpcServer started = null;
        if (b.port >= 0) {
            try {
                started = new RpcServer(io, b.bindAddress, b.port, new RpcServer.Limits(b.maxFrameBytes, b.maxConcurrentCalls,
                        b.idleTimeout, b.handshakeTimeout, b.writeBufferHighWater, b.serverKeepaliveInterval, b.serverKeepaliveTimeout),
                        serverTls);
            } catch (RuntimeException e) {
                io.group().shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                throw e;
            }
        }
        this.server = started;
        this.clientSettings = new Endpoint.Settings(b.maxFrameBytes, b.maxQueuedBytes, b.connectTimeout, b.keepaliveInterval,
                b.initialBackoff, b.maxBackoff, b.connectionsPerTarget, b.writeBufferHighWater);
        this.defaultTarget = b.defaultTarget;
        this.targets = Map.copyOf(b.targets);
        this.drainTimeout = b.drainTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder set from properties whose keys start with {@code prefix} (e.g. {@code parley.rpc.}),
     * each named like its builder method:
     * <pre>
     * server=7070              bindAddress=0.0.0.0         target=trips:7070     target.pricing=pricing:7070
     * maxFrameBytes=5242880    maxConcurrentCalls=1024     maxQueuedBytes=16777216
     * connectionsPerTarget=1   ioThreads=4                 writeBufferHighWater=1048576
     * idleTimeout=PT5M         handshakeTimeout=PT10S      drainTimeout=PT10S    connectTimeout=PT2S
     * keepaliveInterval=PT30S  initialBackoff=PT0.1S       maxBackoff=PT10S
     * serverKeepaliveInterval=PT60S (PT0S: off)            serverKeepaliveTimeout=PT20S
     * serverTls.certificateChain=...  serverTls.privateKey=...  serverTls.trustedCertificates=...  serverTls.requireClientAuth=true
     * serverTls.privateKeyPassword=... (for a BEGIN ENCRYPTED PRIVATE KEY file; key stores can be given in code only)
     * clientTls.certificateChain=...  clientTls.privateKey=...  clientTls.trustedCertificates=...  clientTls.verifyHostname=true
     * </pre>
     *
     * @throws IllegalArgumentException naming the key, the value and what was expected
     */
    public static Builder fromProperties(Properties properties, String prefix) {
        Builder b = new Builder();
        TlsSettings.Builder serverTls = null;
        TlsSettings.Builder clientTls = null;
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            String setting = key.substring(prefix.length());
            String value = properties.getProperty(key).trim();
            try {
                if (setting.startsWith("target.")) {
                    b.target(setting.substring("target.".length()), value);
                } else if (setting.startsWith("serverTls.")) {
                    serverTls = (serverTls == null ? TlsSettings.custom() : serverTls).set(setting.substring("serverTls.".length()), value);
                } else if (setting.startsWith("clientTls.")) {
                    clientTls = (clientTls == null ? TlsSettings.custom() : clientTls).set(setting.substring("clientTls.".length()), value);
                } else {
                    switch (setting) {
                        case "server" -> b.server(Integer.parseInt(value));
                        case "bindAddress" -> b.bindAddress(value);
                        case "target" -> b.target(value);
                        case "maxFrameBytes" -> b.maxFrameBytes(Integer.parseInt(value));
                        case "maxConcurrentCalls" -> b.maxConcurrentCalls(Integer.parseInt(value));
                        case "maxQueuedBytes" -> b.maxQueuedBytes(Long.parseLong(value));
                        case "connectionsPerTarget" -> b.connectionsPerTarget(Integer.parseInt(value));
                        case "ioThreads" -> b.ioThreads(Integer.parseInt(value));
                        case "writeBufferHighWater" -> b.writeBufferHighWater(Integer.parseInt(value));
                        case "idleTimeout" -> b.idleTimeout(Duration.parse(value));
                        case "handshakeTimeout" -> b.handshakeTimeout(Duration.parse(value));
                        case "drainTimeout" -> b.drainTimeout(Duration.parse(value));
                        case "connectTimeout" -> b.connectTimeout(Duration.parse(value));
                        case "keepaliveInterval" -> b.keepaliveInterval(Duration.parse(value));
                        case "serverKeepaliveInterval" -> b.serverKeepaliveInterval(Duration.parse(value));
                        case "serverKeepaliveTimeout" -> b.serverKeepaliveTimeout(Duration.parse(value));
                        case "initialBackoff" -> b.reconnectBackoff(Duration.parse(value), b.maxBackoff);
                        case "maxBackoff" -> b.reconnectBackoff(b.initialBackoff, Duration.parse(value));
                        default -> throw new IllegalArgumentException("unknown RpcTransport setting (expected: server, bindAddress, target, "
                                + "target.<contract>, maxFrameBytes, maxConcurrentCalls, maxQueuedBytes, connectionsPerTarget, ioThreads, "
                                + "writeBufferHighWater, idleTimeout, handshakeTimeout, drainTimeout, connectTimeout, keepaliveInterval, "
                                + "serverKeepaliveInterval, serverKeepaliveTimeout, initialBackoff, maxBackoff, serverTls.<setting> or "
                                + "clientTls.<setting>)");
                    }
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(key + ": '" + value + "': " + e.getMessage(), e);
            }
        }
        if (serverTls != null) {
            b.serverTls(serverTls.build());
        }
        if (clientTls != null) {
            b.clientTls(clientTls.build());
        }
        return b;
    }

    @Override
    public String name() {
        return "rpc";
    }

    /** CBOR, the compact binary codec: a runtime on this transport encodes with it unless told otherwise. */
    @Override
    public java.util.Optional<dev.parley.codec.Codec> preferredCodec() {
        return java.util.Optional.of(dev.parley.codec.Codec.cbor());
    }

    /**
     * The port the server is bound to (the ephemeral one when built with {@code server(0)}).
     *
     * @throws IllegalStateException when this transport has no server
     */
    public int port() {
        return requireServer("port()").port();
    }

    /** The server, for tests that drive a connection directly. */
    RpcServer server() {
        return requireServer("server()");
    }

    /** Open server connections. */
    int openServerConnections() {
        return requireServer("openServerConnections()").openConnections();
    }

    @Override
    public ClientChannel connect(Class<?> contractType) {
        ensureOpen();
        ContractDescriptor contract = ContractDescriptor.of(contractType);
        String target = Optional.ofNullable(targets.get(contract.name())).or(() -> Optional.ofNullable(defaultTarget))
                .orElseThrow(() -> new IllegalStateException("no RPC target for contract " + contract.address()
                        + " (expected: RpcTransport.builder().target(\"host:port\") or target(\"" + contract.name() + "\", \"host:port\"))"));
        return channel(contract, target);
    }

    @Override
    public ClientChannel connect(Class<?> contractType, String address) {
        ensureOpen();
        return channel(ContractDescriptor.of(contractType), Builder.parseTarget(address, "address"));
    }

    @Override
    public String serverAddress(String advertisedHost) {
        return advertisedHost + ":" + port();
    }

    private ClientChannel channel(ContractDescriptor contract, String target) {
        Endpoint endpoint = endpoints.computeIfAbsent(target, t -> {
            int colon = t.lastIndexOf(':');
            return new Endpoint(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1)), clientSettings, io, clientTls);
        });
        return new RpcClientChannel(endpoint, contract.address());
    }

    @Override
    public Registration serve(Class<?> contractType, InboundHandler handler) {
        ensureOpen();
        ContractDescriptor contract = ContractDescriptor.of(contractType);
        RpcServer s = requireServer("serve(" + contract.address() + ")");
        s.register(contract, handler);
        return () -> s.unregister(contract, handler);
    }

    private RpcServer requireServer(String what) {
        if (server == null) {
            throw new IllegalStateException(what + ": this RpcTransport has no server (expected: RpcTransport.builder().server(port))");
        }
        return server;
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("RpcTransport is closed");
        }
    }

    /**
     * Drains and stops: the server stops accepting connections, sends GOAWAY on each (calls
     * already received finish, new ones are refused with {@code UNAVAILABLE}) and waits up to the
     * drain timeout for them; client connections send GOAWAY and close once their calls are
     * answered. Then the event loops stop. Idempotent.
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
            endpoints.values().forEach(Endpoint::close);
        } finally {
            io.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "RpcTransport(" + (server == null ? "client only" : "port " + server.port()) + ")";
    }

    /** Settings of an {@link RpcTransport}; every one has a default but the server port and the targets. */
    public static final class Builder {
        private int port = -1;
        private String bindAddress = "0.0.0.0";
        private @Nullable String defaultTarget;
        private final Map<String, String> targets = new LinkedHashMap<>();
        private int maxFrameBytes = 5 * 1024 * 1024;
        private int maxConcurrentCalls = 1024;
        private long maxQueuedBytes = 16L * 1024 * 1024;
        private int connectionsPerTarget = 1;
        private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int writeBufferHighWater = 1024 * 1024;
        private Duration idleTimeout = Duration.ofMinutes(5);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration keepaliveInterval = Duration.ofSeconds(30);
        private Duration serverKeepaliveInterval = Duration.ofSeconds(60);
        private Duration serverKeepaliveTimeout = Duration.ofSeconds(20);
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private @Nullable TlsSettings serverTls;
        private @Nullable TlsSettings clientTls;

        private Builder() {}

        /** Serve on this port; 0 picks a free one ({@link RpcTransport#port()} tells which). */
        public Builder server(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("server port: " + value + " (expected: 0 to 65535) for RpcTransport");
            }
            this.port = value;
            return this;
        }

        /** The address the server binds; default {@code 0.0.0.0}. */
        public Builder bindAddress(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("bindAddress: '" + value + "' (expected: a host name or IP address) for RpcTransport");
            }
            this.bindAddress = value;
            return this;
        }

        /** Where clients send calls of every contract without a {@link #target(String, String) contract target}: {@code host:port}. */
        public Builder target(String hostPort) {
            this.defaultTarget = parseTarget(hostPort, "target");
            return this;
        }

        /** Where clients send calls of the contract named {@code contractName}: {@code host:port}. */
        public Builder target(String contractName, String hostPort) {
            targets.put(contractName, parseTarget(hostPort, "target for " + contractName));
            return this;
        }

        /** The largest frame (10-byte header, headers and body) either side sends or accepts; default 5 MiB. */
        public Builder maxFrameBytes(int value) {
            this.maxFrameBytes = atLeast("maxFrameBytes", value, 1024);
            return this;
        }

        /** Calls the server runs at once per connection; more are refused with RESOURCE_EXHAUSTED; default 1024. */
        public Builder maxConcurrentCalls(int value) {
            this.maxConcurrentCalls = atLeast("maxConcurrentCalls", value, 1);
            return this;
        }

        /** Bytes of calls a client connection holds while the server cannot take them; default 16 MiB. */
        public Builder maxQueuedBytes(long value) {
            if (value < 0) {
                throw new IllegalArgumentException("maxQueuedBytes: " + value + " (expected: >= 0) for RpcTransport");
            }
            this.maxQueuedBytes = value;
            return this;
        }

        /** Connections per server, calls spread round-robin; default 1 (one multiplexed connection). */
        public Builder connectionsPerTarget(int value) {
            this.connectionsPerTarget = atLeast("connectionsPerTarget", value, 1);
            return this;
        }

        /** Event loop threads, shared by server and client; default: the number of cores, at least 2. */
        public Builder ioThreads(int value) {
            this.ioThreads = atLeast("ioThreads", value, 1);
            return this;
        }

        /** Outbound bytes buffered per connection before it counts as not writable (backpressure); default 1 MiB. */
        public Builder writeBufferHighWater(int value) {
            this.writeBufferHighWater = atLeast("writeBufferHighWater", value, 2);
            return this;
        }

        /**
         * How long the server keeps a connection on which nothing arrives (clients ping while they stay, and PONGs
         * answering the server's own pings count as arrivals); default 5 min.
         */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = positive("idleTimeout", value);
            return this;
        }

        /** How long the server waits for a new connection's TLS handshake and HELLO; default 10 s. */
        public Builder handshakeTimeout(Duration value) {
            this.handshakeTimeout = positive("handshakeTimeout", value);
            return this;
        }

        /** How long {@link RpcTransport#close()} waits for in-flight calls; default 10 s. */
        public Builder drainTimeout(Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("drainTimeout: " + value + " (expected: >= 0) for RpcTransport");
            }
            this.drainTimeout = value;
            return this;
        }

        /** How long the client waits for a TCP connection, and again for TLS and HELLO_ACK; default 2 s. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive("connectTimeout", value);
            return this;
        }

        /** A client pings after this long without receiving anything, and closes after as long again without an answer; default 30 s. */
        public Builder keepaliveInterval(Duration value) {
            this.keepaliveInterval = positive("keepaliveInterval", value);
            return this;
        }

        /**
         * The server pings a connection on which it received nothing for this long, and closes it (failing the
         * calls in flight on it) when nothing arrives within {@link #serverKeepaliveTimeout} of the ping: a dead
         * client, a dropped NAT mapping or a half-open connection is found in {@code interval + timeout} instead of
         * TCP's many minutes. {@link Duration#ZERO} turns the server's pings off (the {@link #idleTimeout} still
         * applies). A Parley client pings on its own after {@link #keepaliveInterval} (30 s) of silence, so with the
         * default of 60 s the server rarely needs to ping one. Default 60 s; the server answers PINGs either way.
         */
        public Builder serverKeepaliveInterval(Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("serverKeepaliveInterval: " + value + " (expected: > 0, or 0 for no server pings) for RpcTransport");
            }
            this.serverKeepaliveInterval = value;
            return this;
        }

        /** How long the server waits for anything (a PONG or any other frame) after a keepalive PING before closing; default 20 s. */
        public Builder serverKeepaliveTimeout(Duration value) {
            this.serverKeepaliveTimeout = positive("serverKeepaliveTimeout", value);
            return this;
        }

        /** Reconnect backoff: the first wait, doubled per failed attempt up to {@code max}, half of it random; default 100 ms to 10 s. */
        public Builder reconnectBackoff(Duration initial, Duration max) {
            Duration i = positive("initialBackoff", initial);
            Duration m = positive("maxBackoff", max);
            if (m.compareTo(i) < 0) {
                throw new IllegalArgumentException("maxBackoff: " + max + " (expected: >= initialBackoff " + initial + ") for RpcTransport");
            }
            this.initialBackoff = i;
            this.maxBackoff = m;
            return this;
        }

        /**
         * Serve TLS only on the server port: key material from PEM files or a {@code KeyStore}, and, for mutual TLS
         * ({@code requireClientAuth}), the CAs that sign client certificates (a PEM file or a trust store).
         */
        public Builder serverTls(TlsSettings value) {
            this.serverTls = Objects.requireNonNull(value, "serverTls");
            return this;
        }

        /**
         * Reach every target over TLS with these settings: the CAs to trust (PEM file, trust store, or the JDK's), and a
         * certificate to present for mutual TLS (PEM files or a {@code KeyStore}).
         */
        public Builder clientTls(TlsSettings value) {
            this.clientTls = Objects.requireNonNull(value, "clientTls");
            return this;
        }

        /**
         * Starts the server, if one is configured.
         *
         * @throws IllegalStateException    when the port cannot be bound
         * @throws IllegalArgumentException when TLS key material cannot be loaded
         */
        public RpcTransport build() {
            return new RpcTransport(this);
        }

        private static String parseTarget(String hostPort, String what) {
            Function<String, IllegalArgumentException> bad = v -> new IllegalArgumentException(what + ": '" + v
                    + "' (expected: host:port) for RpcTransport");
            if (hostPort == null) {
                throw bad.apply(null);
            }
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0 || colon == hostPort.length() - 1) {
                throw bad.apply(hostPort);
            }
            try {
                int p = Integer.parseInt(hostPort.substring(colon + 1));
                if (p < 1 || p > 65535) {
                    throw bad.apply(hostPort);
                }
            } catch (NumberFormatException e) {
                throw bad.apply(hostPort);
            }
            return hostPort;
        }

        private static int atLeast(String name, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ") for RpcTransport");
            }
            return value;
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0) for RpcTransport");
            }
            return value;
        }
    }
}
