package dev.parley.console;

import dev.parley.CallEvent;
import dev.parley.CallListener;
import dev.parley.Parley;
import dev.parley.ParleyClock;
import dev.parley.contract.ContractDescriptor;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live operations page for one or more Parley runtimes: services and instances, the contracts
 * and versions they serve, call rates, latencies (p50/p99) and error rates per interaction,
 * circuit breaker states and bulkhead usage, plus sections from {@link ConsoleSource}s (queues,
 * dead letters, webhooks, plugins, discovery). The page updates itself every second over
 * server-sent events and draws sparklines of call rate and latency.
 *
 * <pre>{@code
 * OperationsConsole console = OperationsConsole.builder().port(9400).build();
 * Parley trips = Parley.builder().service("trips").transport(transport)
 *         .listener(console.listener("trips"))               // call rates, latencies, errors
 *         .build();
 * console.observe(trips, TripService.class);                  // breakers, bulkheads, contracts served
 * console.start();                                            // http://127.0.0.1:9400/
 * }</pre>
 *
 * <p>Calls are counted by the {@link CallListener} a runtime is built with (a runtime's
 * listeners are fixed when it is built, so ask for {@link #listener(String)} first);
 * breakers and bulkheads are read from the runtime's Resilience4j registries when a snapshot
 * is taken, so observing costs nothing between pushes. Recording a call is one short
 * synchronized update of a per-interaction ring of one-second slots; memory is constant per
 * interaction (at most {@value #MAX_INTERACTIONS} interactions; more are counted and dropped).
 *
 * <p>The HTTP side is a small Netty server with one event-loop thread (Netty rather than the
 * JDK's {@code com.sun.net.httpserver}: with Netty a write never blocks, so a slow event-stream
 * client is detected by its unwritable channel and dropped without holding a thread or
 * delaying anyone else). Security defaults: it binds 127.0.0.1, answers only requests whose
 * {@code Host} is this console's (no DNS rebinding), sends no CORS headers, sends a strict
 * {@code Content-Security-Policy}, serves only GET/HEAD of a fixed set of paths, escapes
 * {@code < > & '} in JSON, and the page inserts every string as text, never as markup. It has
 * no authentication: expose it beyond localhost only behind something that has.
 *
 * <p>Thread-safe. {@link #close()} stops the server; the listeners it handed out keep working
 * (and counting) but nobody sees the numbers any more.
 */
public final class OperationsConsole implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OperationsConsole.class);

    /** How many distinct interactions are tracked; calls of further ones are only counted. */
    public static final int MAX_INTERACTIONS = 500;

    final ParleyClock clock;
    final long originNanos;
    final Settings settings;
    final List<ConsoleSource> sources;
    final List<Observed> runtimes = new CopyOnWriteArrayList<>();
    final Map<InteractionKey, InteractionWindow> interactions = new ConcurrentHashMap<>();
    final Map<String, Set<String>> instancesSeen = new ConcurrentHashMap<>();
    final AtomicLong droppedInteractions = new AtomicLong();
    final AtomicLong listenerFailures = new AtomicLong();
    private final SnapshotJson snapshots;
    private ConsoleServer server;
    private boolean closed;

    private OperationsConsole(Builder b) {
        this.clock = b.clock;
        this.originNanos = clock.nanoTime();
        this.settings = new Settings(b.host, b.port, b.title, (int) b.window.toSeconds(), b.pushInterval, b.heartbeat,
                b.maxEventClients, List.copyOf(b.allowedHosts));
        this.sources = List.copyOf(b.sources);
        this.runtimes.addAll(b.runtimes);
        this.snapshots = new SnapshotJson(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A listener to pass to {@code Parley.builder().listener(..)} of a runtime of
     * {@code service}: it counts that runtime's outbound calls (as calls made by
     * {@code service}) and handled calls. Several runtimes (instances) of one service may share
     * the same name; their numbers add up.
     */
    public CallListener listener(String service) {
        if (service.isBlank() || service.length() > 200) {
            throw new IllegalArgumentException("service: '" + ConsoleSection.cut(service, 40) + "' (expected: 1-200 characters, not blank)");
        }
        return event -> {
            try {
                record(service, event);
            } catch (RuntimeException e) {
                // A listener must never throw into a call; count it so a bug here is visible.
                listenerFailures.incrementAndGet();
                log.warn("console listener of {} failed on {}", service, event, e);
            }
        };
    }

    /**
     * Shows {@code runtime} on the page: its instance, transport, circuit breakers and
     * bulkheads, and the contracts (with full versions) it serves, as given here.
     */
    public void observe(Parley runtime, Class<?>... servedContracts) {
        runtimes.add(Observed.of(runtime, servedContracts));
    }

    /** Binds the HTTP port and starts pushing snapshots; returns this console. */
    public synchronized OperationsConsole start() {
        if (closed) {
            throw new IllegalStateException("operations console is closed");
        }
        if (server != null) {
            throw new IllegalStateException("operations console already started at " + server.uri());
        }
        server = ConsoleServer.start(settings, snapshots);
        log.info("Parley operations console at {}", server.uri());
        return this;
    }

    /** Where the page is, e.g. {@code http://127.0.0.1:9400/}; fails before {@link #start()}. */
    public synchronized URI uri() {
        if (server == null) {
            throw new IllegalStateException("operations console not started (call start() first)");
        }
        return server.uri();
    }

    /** The snapshot {@code GET /api/snapshot} returns, as JSON. */
    public String snapshotJson() {
        return snapshots.build();
    }

    /** Stops the server and disconnects the event streams. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server != null) {
            server.close();
        }
    }

    void record(String service, CallEvent event) {
        long now = clock.nanoTime() - originNanos;
        String target = event.side() == CallEvent.Side.CLIENT ? event.target() : "";
        if (event.side() == CallEvent.Side.SERVER) {
            Set<String> seen = instancesSeen.computeIfAbsent(service, s -> ConcurrentHashMap.newKeySet());
            if (seen.size() < 100) {
                seen.add(event.target());
            }
        }
        InteractionKey key = new InteractionKey(event.side(), service, event.contract(), event.operation(), event.style().name(), target);
        InteractionWindow window = interactions.get(key);
        if (window == null) {
            if (interactions.size() >= MAX_INTERACTIONS) {
                droppedInteractions.incrementAndGet();
                return;
            }
            window = interactions.computeIfAbsent(key, k -> new InteractionWindow());
        }
        window.record(now, event.durationNanos(), event.error().map(Enum::name).orElse(""), event.fallbackUsed(),
                event.attempts() == 0);
    }

    synchronized ConsoleServer server() {
        if (server == null) {
            throw new IllegalStateException("operations console not started (call start() first)");
        }
        return server;
    }

    long nowNanos() {
        return clock.nanoTime() - originNanos;
    }

    /** One row of the interactions table. */
    record InteractionKey(CallEvent.Side side, String service, String contract, String operation, String style, String target) {}

    /** A runtime on the page and the contracts it was said to serve. */
    record Observed(Parley runtime, List<ContractDescriptor> served) {
        static Observed of(Parley runtime, Class<?>... served) {
            List<ContractDescriptor> descriptors = new ArrayList<>();
            for (Class<?> c : served) {
                descriptors.add(ContractDescriptor.of(c));
            }
            return new Observed(runtime, List.copyOf(descriptors));
        }
    }

    /** The console's settings, validated by the builder. */
    record Settings(String host, int port, String title, int windowSeconds, Duration pushInterval, Duration heartbeat,
                    int maxEventClients, List<String> allowedHosts) {}

    /**
     * Configures an {@link OperationsConsole}. Defaults: 127.0.0.1, an ephemeral port, a
     * 10-second stats window, a push every second, a heartbeat comment every 15 seconds, at most
     * 16 event-stream clients.
     */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private String title = "Parley operations";
        private ParleyClock clock = ParleyClock.system();
        private Duration window = Duration.ofSeconds(10);
        private Duration pushInterval = Duration.ofSeconds(1);
        private Duration heartbeat = Duration.ofSeconds(15);
        private int maxEventClients = 16;
        private final Set<String> allowedHosts = new LinkedHashSet<>();
        private final List<ConsoleSource> sources = new ArrayList<>();
        private final List<Observed> runtimes = new ArrayList<>();

        private Builder() {}

        /**
         * The address to bind, 127.0.0.1 by default. Binding anything else makes the console
         * reachable from other machines: it has no authentication.
         */
        public Builder host(String value) {
            try {
                InetAddress.getByName(value);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("host: '" + value + "' (expected: an IP address or resolvable name to bind)", e);
            }
            host = value;
            return this;
        }

        /** The port to bind; 0 (the default) picks a free one, see {@link OperationsConsole#uri()}. */
        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("port: " + value + " (expected: 0-65535)");
            }
            port = value;
            return this;
        }

        /**
         * Another name the page may be reached by, e.g. {@code ops.internal:9400} behind a
         * proxy; {@code localhost}, 127.0.0.1, [::1] and the bound host with the console's port
         * are always accepted. Requests with any other {@code Host} get 403.
         */
        public Builder allowedHost(String hostAndPort) {
            if (!hostAndPort.matches("[A-Za-z0-9.\\-\\[\\]:]{1,255}")) {
                throw new IllegalArgumentException("allowedHost: '" + ConsoleSection.cut(hostAndPort, 60)
                        + "' (expected: host or host:port, letters, digits, '.', '-', ':', '[', ']')");
            }
            allowedHosts.add(hostAndPort.toLowerCase(java.util.Locale.ROOT));
            return this;
        }

        /** The page's heading. */
        public Builder title(String value) {
            ConsoleSection.requireText("title", value);
            title = value;
            return this;
        }

        /** The clock of the stats windows; tests pass a {@code ManualClock}. */
        public Builder clock(ParleyClock value) {
            clock = value;
            return this;
        }

        /** How far back rates, error rates and percentiles look: 1 to 60 seconds, 10 by default. */
        public Builder window(Duration value) {
            if (value.compareTo(Duration.ofSeconds(1)) < 0 || value.compareTo(Duration.ofSeconds(InteractionWindow.HISTORY_SECONDS)) > 0
                    || value.toNanosPart() != 0) {
                throw new IllegalArgumentException("window: " + value + " (expected: whole seconds from PT1S to PT60S)");
            }
            window = value;
            return this;
        }

        /** How often a snapshot is pushed to event-stream clients: 50 ms to 1 minute, 1 second by default. */
        public Builder pushInterval(Duration value) {
            if (value.compareTo(Duration.ofMillis(50)) < 0 || value.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("pushInterval: " + value + " (expected: PT0.05S to PT1M)");
            }
            pushInterval = value;
            return this;
        }

        /** How often a comment line keeps idle event streams open through proxies: 50 ms to 5 minutes, 15 s by default. */
        public Builder heartbeat(Duration value) {
            if (value.compareTo(Duration.ofMillis(50)) < 0 || value.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("heartbeat: " + value + " (expected: PT0.05S to PT5M)");
            }
            heartbeat = value;
            return this;
        }

        /** At most this many concurrent {@code /api/events} clients (1-1000, 16 by default); more get 503. */
        public Builder maxEventClients(int value) {
            if (value < 1 || value > 1000) {
                throw new IllegalArgumentException("maxEventClients: " + value + " (expected: 1-1000)");
            }
            maxEventClients = value;
            return this;
        }

        /** Adds a section to the page; sections appear in the order added. */
        public Builder source(ConsoleSource value) {
            sources.add(value);
            return this;
        }

        /** Same as {@link OperationsConsole#observe}, for runtimes built before the console. */
        public Builder runtime(Parley runtime, Class<?>... servedContracts) {
            runtimes.add(Observed.of(runtime, servedContracts));
            return this;
        }

        /** Builds the console; {@link OperationsConsole#start()} binds the port. */
        public OperationsConsole build() {
            return new OperationsConsole(this);
        }
    }
}
