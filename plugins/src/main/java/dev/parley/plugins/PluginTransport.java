package dev.parley.plugins;

import dev.parley.CallRejectedException;
import dev.parley.ErrorCode;
import dev.parley.HandlerExecution;
import dev.parley.Parley;
import dev.parley.ParleyClock;
import dev.parley.TransportException;
import dev.parley.contract.ContractDescriptor;
import dev.parley.contract.MessageDescriptor;
import dev.parley.message.Envelope;
import dev.parley.transport.ClientChannel;
import dev.parley.transport.InboundHandler;
import dev.parley.transport.Registration;
import dev.parley.transport.ReplySink;
import dev.parley.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.jar.Manifest;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} whose other side is a plugin: the newest version of a contract's
 * implementation in a {@link PluginRepository}, loaded into this process in a class loader of
 * its own. The consumer builds its Parley runtime on it and gets an ordinary client, so calls
 * have the deadline, bulkhead, circuit breaker, retries and fallback of every other transport,
 * and the consumer cannot tell a plugin from a remote service:
 *
 * <pre>{@code
 * PluginTransport plugins = PluginTransport.builder(Pricing.class)
 *         .repository(PluginRepository.folder(Path.of("/srv/plugins")))
 *         .deploymentWindow(Duration.ofMinutes(5))
 *         .build();                                      // loads the newest version now
 * Pricing pricing = Parley.builder().transport(plugins).build().client(Pricing.class);
 * }</pre>
 *
 * <p>How a new version takes over:
 *
 * <pre>
 *  repository changed (file event, or poll every pollInterval)
 *    └ worker thread: list ─► newest version new? ─► fetch into the cache ─► SHA-256 ─► signature
 *        ─► safe extraction ─► manifest: contract name, same major version ─► class loader
 *        ─► entry point ─► init() ─► healthy() ─► serve it through its own Parley dispatcher
 *        ─► switch: new calls go to it ─► old version: in-flight calls finish ─► close() ─► class loader dropped
 *  any step fails ─► PluginEvent.Rejected + a warning in the log; the current version keeps serving
 * </pre>
 *
 * <p>Removing or replacing the newest jar takes effect the same way, so rolling back is deleting
 * the bad version. Removing every version keeps the current one serving.
 *
 * <p><b>Deployment window.</b> The repository must be reached (listed) at least once per
 * {@link Builder#deploymentWindow window}; after that, calls fail fast with a
 * {@link CallRejectedException} ({@code UNAVAILABLE}, reason {@code deployment-window}), which
 * runs the method's fallback if there is one, until the repository answers again. So once a
 * window has passed after a deployment, every consumer runs it or none does.
 *
 * <p>One transport serves one contract; build one per plugin contract. It owns its repository
 * and worker thread: close it on shutdown. Calls cost a volatile read, two atomic counter updates
 * and the dispatcher's hand-off to a handler thread on top of the client pipeline.
 */
public final class PluginTransport implements Transport {

    private static final Logger log = LoggerFactory.getLogger(PluginTransport.class);
    /** The packages of Parley's API, which plugin and consumer must share. */
    private static final Set<String> PARLEY_API = Set.of("dev.parley", "dev.parley.contract", "dev.parley.contract.http",
            "dev.parley.codec", "dev.parley.message", "dev.parley.resilience", "dev.parley.transport", "dev.parley.plugins");
    private static final String WINDOW_REASON = "deployment-window";

    private final Class<?> contract;
    private final ContractDescriptor descriptor;
    private final String target;
    private final PluginRepository repository;
    private final Path cache;
    private final boolean ownsCache;
    private final ParleyClock clock;
    private final long pollNanos;
    private final long windowNanos;
    private final long drainNanos;
    private final Duration initTimeout;
    private final @Nullable PublicKey publicKey;
    private final boolean requireChecksums;
    private final ArchiveLimits limits;
    private final Set<String> sharedPackages;
    private final boolean passByReference;
    private final HandlerExecution execution;
    private final Consumer<PluginEvent> listener;

    private final ExecutorService worker;
    private final AtomicBoolean refreshPending = new AtomicBoolean();
    private final Map<String, String> rejected = new HashMap<>();
    private final AtomicLong directories = new AtomicLong();
    private final AutoCloseable watch;
    private volatile @Nullable LoadedVersion current;
    private volatile long lastReached;
    private volatile boolean reachable = true;
    private volatile boolean windowReported;
    private volatile ParleyClock.Cancellable windowTimer = ParleyClock.Cancellable.NOOP;
    private volatile ParleyClock.Cancellable pollTimer = ParleyClock.Cancellable.NOOP;
    private volatile boolean closed;
    private volatile @Nullable Thread workerThread;

    private PluginTransport(Builder b, Path cache, boolean ownsCache) {
        this.contract = b.contract;
        this.descriptor = ContractDescriptor.of(b.contract);
        this.target = "plugin:" + descriptor.address();
        this.repository = java.util.Objects.requireNonNull(b.repository, "repository");
        this.cache = cache;
        this.ownsCache = ownsCache;
        this.clock = b.clock;
        this.pollNanos = b.pollInterval.toNanos();
        this.windowNanos = b.deploymentWindow.toNanos();
        this.drainNanos = b.drainTimeout.toNanos();
        this.initTimeout = b.initTimeout;
        this.publicKey = b.publicKey;
        this.requireChecksums = b.requireChecksums;
        this.limits = b.limits;
        this.passByReference = b.passByReference;
        this.execution = b.execution;
        this.listener = b.listener;
        Set<String> shared = new HashSet<>(PARLEY_API);
        shared.add(b.contract.getPackageName());
        for (MessageDescriptor m : descriptor.messages().values()) {
            m.javaType().ifPresent(t -> {
                int dot = t.lastIndexOf('.');
                if (dot > 0) {
                    shared.add(t.substring(0, dot));
                }
            });
        }
        shared.addAll(b.sharedPackages);
        this.sharedPackages = Set.copyOf(shared);
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = Thread.ofPlatform().daemon().name("parley-plugins-" + descriptor.name()).unstarted(r);
            workerThread = t;
            return t;
        });
        this.lastReached = clock.nanoTime();
        // Watch before the first listing, so that nothing deployed in between goes unnoticed.
        this.watch = repository.watch(this::requestRefresh);
        try {
            worker.submit(this::update).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.error("plugins of {}: first load failed unexpectedly", descriptor.name(), e.getCause());
        }
        schedulePoll();
    }

    /** Starts building the transport for {@code contract}, a Parley contract interface. */
    public static Builder builder(Class<?> contract) {
        ContractDescriptor.of(contract); // validates the contract early
        return new Builder(contract);
    }

    @Override
    public String name() {
        return "plugin";
    }

    /** The version taking calls now, if one is loaded. */
    public Optional<PluginVersion> currentVersion() {
        LoadedVersion v = current;
        return v == null ? Optional.empty() : Optional.of(v.version());
    }

    /** The class loader of the version taking calls; for tests that prove a replaced one is collected. */
    @Nullable ClassLoader currentClassLoader() {
        LoadedVersion v = current;
        return v == null ? null : v.classLoader();
    }

    /**
     * Looks at the repository now and loads its newest version if it changed, on the worker
     * thread; returns when done, with the version taking calls afterwards. The transport also
     * does this on its own (file events, polling); this is for tests and admin endpoints.
     */
    public Optional<PluginVersion> refresh() {
        ensureOpen();
        if (Thread.currentThread() == workerThread) {
            update(); // called from a listener: already on the worker
            return currentVersion();
        }
        try {
            worker.submit(this::update).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while refreshing the plugins of " + descriptor.name(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("refreshing the plugins of " + descriptor.name() + " failed", e.getCause());
        }
        return currentVersion();
    }

    /** Whether the repository was reached within the deployment window, i.e. whether calls are let through. */
    public boolean withinDeploymentWindow() {
        return clock.nanoTime() - lastReached <= windowNanos;
    }

    @Override
    public ClientChannel connect(Class<?> requested) {
        if (requested != contract) {
            throw new IllegalArgumentException("contract: " + requested.getName() + " (expected: " + contract.getName()
                    + ", the contract this plugin transport loads; build one PluginTransport per plugin contract)");
        }
        return new PluginChannel();
    }

    @Override
    public Registration serve(Class<?> served, InboundHandler handler) {
        throw new UnsupportedOperationException("a PluginTransport only calls plugins; serve " + served.getName()
                + " on another transport");
    }

    private final class PluginChannel implements ClientChannel {
        @Override
        public String target() {
            return target;
        }

        @Override
        public boolean acceptsLocalMessages() {
            return passByReference;
        }

        @Override
        public CompletableFuture<Envelope> request(Envelope request) {
            Acquired acquired = acquire();
            LoadedVersion v = acquired.version;
            if (v == null) {
                return CompletableFuture.failedFuture(acquired.failure);
            }
            CompletableFuture<Envelope> reply = new CompletableFuture<>();
            ParleyClock.Cancellable work;
            try {
                work = v.handler.handle(request, reply::complete);
            } catch (RuntimeException e) {
                v.release();
                log.error("{}: dispatching to {} failed", target, v, e);
                return CompletableFuture.failedFuture(new TransportException(ErrorCode.INTERNAL, target + ": " + v
                        + " could not take the call", e));
            }
            reply.whenComplete((r, e) -> {
                if (reply.isCancelled()) {
                    work.cancel(); // the caller gave up: interrupt the plugin's handler
                }
                v.release();
            });
            return reply;
        }

        @Override
        public CompletableFuture<Void> send(Envelope message) {
            Acquired acquired = acquire();
            LoadedVersion v = acquired.version;
            if (v == null) {
                return CompletableFuture.failedFuture(acquired.failure);
            }
            AtomicBoolean released = new AtomicBoolean();
            Runnable release = () -> {
                if (released.compareAndSet(false, true)) {
                    v.release();
                }
            };
            try {
                // The outcome of a one-way call goes nowhere, but it tells when the handler finished.
                v.handler.handle(message, ReplySink.acknowledging(outcome -> release.run()));
            } catch (RuntimeException e) {
                release.run();
                log.error("{}: dispatching to {} failed", target, v, e);
                return CompletableFuture.failedFuture(new TransportException(ErrorCode.INTERNAL, target + ": " + v
                        + " could not take the message", e));
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public String toString() {
            return target;
        }
    }

    private record Acquired(@Nullable LoadedVersion version, @Nullable RuntimeException failure) {}

    private Acquired acquire() {
        if (closed) {
            return new Acquired(null, new TransportException(target + ": the plugin transport is closed", null));
        }
        if (!withinDeploymentWindow()) {
            return new Acquired(null, new CallRejectedException(ErrorCode.UNAVAILABLE, target
                    + ": the plugin repository " + repository.describe() + " was not reached within the deployment window of "
                    + Duration.ofNanos(windowNanos) + "; calls are refused until it is", WINDOW_REASON));
        }
        while (true) {
            LoadedVersion v = current;
            if (v == null) {
                return new Acquired(null, new TransportException(target + ": no version of plugin "
                        + descriptor.name() + " is loaded from " + repository.describe(), null));
            }
            if (v.tryAcquire()) {
                return new Acquired(v, null);
            }
            // Retired between the read and the count: the switch already published its successor.
        }
    }

    // ---- the worker: everything below runs on the worker thread, one step at a time ----

    private void requestRefresh() {
        if (closed || !refreshPending.compareAndSet(false, true)) {
            return;
        }
        try {
            worker.execute(() -> {
                refreshPending.set(false);
                update();
            });
        } catch (RejectedExecutionException e) {
            refreshPending.set(false); // closing
        }
    }

    private void schedulePoll() {
        if (!closed) {
            pollTimer = clock.schedule(pollNanos, () -> {
                requestRefresh();
                schedulePoll();
            });
        }
    }

    private void update() {
        if (closed) {
            return;
        }
        List<PluginArtifact> listed;
        try {
            listed = new ArrayList<>(repository.list(descriptor.name()));
        } catch (IOException | RuntimeException e) {
            if (reachable) {
                reachable = false;
                log.warn("plugins of {}: repository {} unreachable: {}", descriptor.name(), repository.describe(), e.toString());
                emit(new PluginEvent.RepositoryUnreachable(descriptor.name(), repository.describe(), e.toString()));
            }
            return;
        }
        reached();
        if (requireChecksums) {
            listed.removeIf(a -> {
                boolean incomplete = a.sha256().isEmpty();
                if (incomplete) {
                    log.debug("plugins of {}: {} has no checksum yet; waiting for it", descriptor.name(), a.name());
                }
                return incomplete;
            });
        }
        listed.sort(Comparator.comparing(PluginArtifact::version).reversed());
        LoadedVersion now = current;
        if (listed.isEmpty()) {
            if (now != null) {
                log.debug("plugins of {}: {} lists no version; {} keeps serving", descriptor.name(), repository.describe(), now);
            }
            return;
        }
        PluginArtifact newest = listed.get(0);
        if (now != null && now.artifact.name().equals(newest.name()) && now.artifact.identity().equals(newest.identity())) {
            return;
        }
        // Serving: only the newest version may replace the current one (a bad newest keeps the current
        // serving). Starting: the newest that loads.
        for (PluginArtifact candidate : now == null ? listed : List.of(newest)) {
            if (candidate.identity().equals(rejected.get(candidate.name()))) {
                continue; // refused before, and unchanged since
            }
            long started = System.nanoTime();
            LoadedVersion loaded;
            try {
                loaded = load(candidate);
            } catch (VersionRejected r) {
                rejected.put(candidate.name(), candidate.identity());
                log.warn("plugins of {}: {} rejected ({}): {}{}", descriptor.name(), candidate.name(), r.reason(), r.getMessage(),
                        now == null ? "" : "; " + now + " keeps serving");
                emit(new PluginEvent.Rejected(descriptor.name(), candidate.name(), Optional.of(candidate.version()), r.reason(),
                        r.getMessage()));
                continue;
            }
            rejected.remove(candidate.name());
            activate(loaded, Duration.ofNanos(System.nanoTime() - started));
            return;
        }
    }

    private void reached() {
        lastReached = clock.nanoTime();
        windowReported = false;
        if (!reachable) {
            reachable = true;
            log.info("plugins of {}: repository {} reachable again", descriptor.name(), repository.describe());
            emit(new PluginEvent.RepositoryReachable(descriptor.name(), repository.describe()));
        }
        windowTimer.cancel();
        windowTimer = clock.schedule(windowNanos + 1, () -> {
            if (!withinDeploymentWindow() && !windowReported && !closed) {
                windowReported = true;
                log.warn("plugins of {}: repository {} not reached within the deployment window of {}; calls are refused until it is",
                        descriptor.name(), repository.describe(), Duration.ofNanos(windowNanos));
                emit(new PluginEvent.DeploymentWindowPassed(descriptor.name(), repository.describe(), Duration.ofNanos(windowNanos)));
            }
        });
    }

    private void activate(LoadedVersion next, Duration loadTime) {
        LoadedVersion previous = current;
        current = next;
        log.info("plugins of {}: {} active{} (loaded in {} ms)", descriptor.name(), next.version(),
                previous == null ? "" : ", replacing " + previous.version(), loadTime.toMillis());
        emit(new PluginEvent.Activated(descriptor.name(), next.version(), Optional.ofNullable(previous).map(LoadedVersion::version),
                loadTime));
        if (previous != null) {
            retire(previous);
        }
    }

    private void retire(LoadedVersion old) {
        old.retire(v -> {
            try {
                worker.execute(() -> unload(v));
            } catch (RejectedExecutionException e) {
                unload(v); // the transport is closing
            }
        }, clock, drainNanos, () -> log.warn("plugins of {}: {} still had {} calls in flight after the drain timeout of {}; closing it",
                descriptor.name(), old, old.inflight(), Duration.ofNanos(drainNanos)));
    }

    private void unload(LoadedVersion v) {
        v.runtime().close();
        if (v.instance() instanceof PluginLifecycle lifecycle) {
            try {
                onPluginThread(v.classLoader(), "close", () -> {
                    lifecycle.close();
                    return null;
                });
            } catch (Exception e) {
                log.warn("plugins of {}: closing {} failed: {}", descriptor.name(), v, e.toString());
            }
        }
        v.classLoader().close();
        deleteTree(v.directory());
        log.info("plugins of {}: {} unloaded", descriptor.name(), v.version());
        emit(new PluginEvent.Unloaded(descriptor.name(), v.version()));
    }

    private LoadedVersion load(PluginArtifact artifact) throws VersionRejected {
        Path directory = cache.resolve(artifact.version().text() + "-" + directories.incrementAndGet());
        PluginClassLoader loader = null;
        Object instance = null;
        try {
            Files.createDirectories(directory);
            Path jar = directory.resolve("plugin.jar");
            try {
                repository.fetch(artifact, jar, limits.maxArchiveBytes());
            } catch (IOException | RuntimeException e) {
                throw new VersionRejected(RejectionReason.FETCH_FAILED, "could not fetch it from " + repository.describe() + ": " + e);
            }
            verify(artifact, jar);
            List<Path> roots = new SafeArchive(limits).extractPlugin(jar, directory.resolve("x"));
            Files.delete(jar);
            PluginManifest manifest = manifest(roots.get(0), artifact);
            loader = new PluginClassLoader(descriptor.name() + "-" + manifest.version(), roots, contract.getClassLoader(),
                    sharedPackages, List.of());
            Class<?> entry;
            try {
                entry = Class.forName(manifest.entryPoint(), false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new VersionRejected(RejectionReason.BAD_ENTRY_POINT, "entry point " + manifest.entryPoint()
                        + " cannot be loaded: " + e);
            }
            if (!contract.isAssignableFrom(entry)) {
                throw new VersionRejected(RejectionReason.BAD_ENTRY_POINT, "entry point " + manifest.entryPoint()
                        + " does not implement " + contract.getName());
            }
            Class<?> entryClass = entry;
            instance = onPluginThread(loader, "init", () -> entryClass.getConstructor().newInstance(), RejectionReason.BAD_ENTRY_POINT);
            if (instance instanceof PluginLifecycle lifecycle) {
                onPluginThread(loader, "init", () -> {
                    lifecycle.init();
                    return Boolean.TRUE;
                }, RejectionReason.INIT_FAILED);
                Object healthy = onPluginThread(loader, "health check", () -> lifecycle.healthy(), RejectionReason.HEALTH_CHECK_FAILED);
                if (!Boolean.TRUE.equals(healthy)) {
                    throw new VersionRejected(RejectionReason.HEALTH_CHECK_FAILED, "health check of " + manifest.version()
                            + " said it is not healthy");
                }
            }
            CapturingTransport serving = new CapturingTransport();
            Parley runtime = Parley.builder().service("plugin-" + descriptor.name()).instanceId(manifest.version().text())
                    .transport(serving).clock(clock).build();
            try {
                runtime.serve(castContract(), instance, execution);
            } catch (RuntimeException e) {
                runtime.close();
                throw new VersionRejected(RejectionReason.BAD_ENTRY_POINT, "cannot serve " + manifest.entryPoint() + ": " + e);
            }
            return new LoadedVersion(artifact, manifest, directory, loader, instance, runtime, serving.handler());
        } catch (VersionRejected | RuntimeException | IOException e) {
            if (instance instanceof PluginLifecycle lifecycle) {
                try {
                    onPluginThread(loader, "close", () -> {
                        lifecycle.close();
                        return null;
                    });
                } catch (Exception closing) {
                    log.debug("closing rejected plugin {} failed: {}", artifact.name(), closing.toString());
                }
            }
            if (loader != null) {
                loader.close();
            }
            deleteTree(directory);
            if (e instanceof VersionRejected r) {
                throw r;
            }
            throw new VersionRejected(RejectionReason.CORRUPT_ARCHIVE, "could not be loaded: " + e, e);
        }
    }

    @SuppressWarnings("unchecked")
    private Class<Object> castContract() {
        return (Class<Object>) contract;
    }

    private void verify(PluginArtifact artifact, Path jar) throws VersionRejected, IOException {
        String actual = sha256(jar);
        if (artifact.sha256().isPresent() && !artifact.sha256().get().equals(actual)) {
            throw new VersionRejected(RejectionReason.CHECKSUM_MISMATCH, "SHA-256 is " + actual + " but the repository published "
                    + artifact.sha256().get());
        }
        if (publicKey != null) {
            if (artifact.signature().isEmpty()) {
                throw new VersionRejected(RejectionReason.SIGNATURE_INVALID, "it is not signed, and a public key is configured");
            }
            byte[] signature;
            try {
                signature = Base64.getDecoder().decode(artifact.signature().get().trim());
            } catch (IllegalArgumentException e) {
                throw new VersionRejected(RejectionReason.SIGNATURE_INVALID, "its signature is not Base64");
            }
            try {
                Signature verifier = Signature.getInstance(signatureAlgorithm(publicKey));
                verifier.initVerify(publicKey);
                try (InputStream in = Files.newInputStream(jar)) {
                    byte[] buffer = new byte[65_536];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        verifier.update(buffer, 0, n);
                    }
                }
                if (!verifier.verify(signature)) {
                    throw new VersionRejected(RejectionReason.SIGNATURE_INVALID, "its signature does not verify with the configured "
                            + publicKey.getAlgorithm() + " public key");
                }
            } catch (java.security.GeneralSecurityException e) {
                throw new VersionRejected(RejectionReason.SIGNATURE_INVALID, "its signature cannot be verified: " + e);
            }
        }
    }

    static String signatureAlgorithm(PublicKey key) {
        return switch (key.getAlgorithm()) {
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new IllegalArgumentException("publicKey: " + key.getAlgorithm()
                    + " (expected: an Ed25519, EC or RSA public key)");
        };
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[65_536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private PluginManifest manifest(Path classes, PluginArtifact artifact) throws VersionRejected {
        Path file = classes.resolve("META-INF/MANIFEST.MF");
        PluginManifest manifest;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            manifest = PluginManifest.read(new Manifest(in));
        } catch (IOException e) {
            throw new VersionRejected(RejectionReason.INVALID_MANIFEST, "it has no readable META-INF/MANIFEST.MF: " + e);
        } catch (IllegalArgumentException e) {
            throw new VersionRejected(RejectionReason.INVALID_MANIFEST, e.getMessage());
        }
        if (!manifest.contract().equals(descriptor.name())) {
            throw new VersionRejected(RejectionReason.INCOMPATIBLE_CONTRACT, "it implements contract '" + manifest.contract()
                    + "', not '" + descriptor.name() + "'");
        }
        if (manifest.contractVersion().major() != descriptor.version().major()) {
            throw new VersionRejected(RejectionReason.INCOMPATIBLE_CONTRACT, "it implements " + descriptor.name() + " "
                    + manifest.contractVersion() + ", but this consumer uses " + descriptor.version()
                    + " (expected: the same major version " + descriptor.version().major() + ")");
        }
        if (!manifest.version().equals(artifact.version())) {
            throw new VersionRejected(RejectionReason.INVALID_MANIFEST, "its manifest says version " + manifest.version()
                    + " but the repository lists it as " + artifact.version());
        }
        return manifest;
    }

    private Object onPluginThread(PluginClassLoader loader, String step, Callable<?> task, RejectionReason reason) throws VersionRejected {
        try {
            return onPluginThread(loader, step, task);
        } catch (TimeoutException e) {
            throw new VersionRejected(reason, step + " did not finish within " + initTimeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null
                    ? ite.getCause() : e.getCause();
            throw new VersionRejected(reason, step + " failed: " + cause, cause);
        }
    }

    /**
     * Runs plugin code on a fresh thread with the plugin's class loader as context loader, so that
     * a plugin that blocks or throws (even an Error) cannot stall or kill the worker, and no pooled
     * thread keeps a reference to the class loader afterwards.
     */
    private @Nullable Object onPluginThread(@Nullable PluginClassLoader loader, String step, Callable<?> task)
            throws TimeoutException, ExecutionException {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().daemon().name("parley-plugin-" + descriptor.name() + "-" + step).unstarted(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) { // reported to the caller as the rejection or the log line, never dropped
                result.completeExceptionally(e);
            }
        });
        thread.setContextClassLoader(loader);
        thread.start();
        try {
            return result.get(initTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecutionException("interrupted", e);
        } catch (TimeoutException e) {
            thread.interrupt();
            throw e;
        }
    }

    private void emit(PluginEvent event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            log.warn("plugins of {}: the event listener failed on {}", descriptor.name(), event, e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            // Deepest first; walk does not follow links, so a link is deleted, never its target.
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("could not delete {}: {}", root, e.toString());
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the plugin transport of " + descriptor.name() + " is closed");
        }
    }

    /**
     * Stops watching and polling, closes the current version (in-flight calls get until the
     * drain timeout), the repository, and deletes the plugin cache this transport created.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pollTimer.cancel();
        windowTimer.cancel();
        try {
            watch.close();
        } catch (Exception e) {
            log.debug("closing the repository watch failed: {}", e.toString());
        }
        LoadedVersion last = current;
        if (last != null) {
            try {
                worker.submit(() -> retire(last)).get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.warn("plugins of {}: closing {} failed: {}", descriptor.name(), last, e.toString());
            }
        }
        worker.shutdown();
        try {
            if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("plugins of {}: worker did not stop within 10 s", descriptor.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        current = null;
        repository.close();
        if (ownsCache) {
            deleteTree(cache.getParent());
        }
    }

    @Override
    public String toString() {
        return "PluginTransport(" + descriptor.address() + " from " + repository.describe() + ")";
    }

    /** The Transport a version's own Parley runtime serves on: it keeps the dispatcher for the channel to call. */
    private static final class CapturingTransport implements Transport {
        private volatile @Nullable InboundHandler handler;

        InboundHandler handler() {
            InboundHandler h = handler;
            if (h == null) {
                throw new IllegalStateException("the plugin's runtime registered no handler");
            }
            return h;
        }

        @Override
        public String name() {
            return "plugin-dispatch";
        }

        @Override
        public ClientChannel connect(Class<?> c) {
            throw new UnsupportedOperationException("a plugin's runtime makes no calls through its dispatcher transport");
        }

        @Override
        public Registration serve(Class<?> c, InboundHandler h) {
            this.handler = h;
            return () -> this.handler = null;
        }

        @Override
        public void close() {}
    }

    /** Builds a {@link PluginTransport}; every setting has a default except the repository. */
    public static final class Builder {
        private final Class<?> contract;
        private @Nullable PluginRepository repository;
        private @Nullable Path cacheDirectory;
        private ParleyClock clock = ParleyClock.system();
        private Duration pollInterval = Duration.ofSeconds(10);
        private Duration deploymentWindow = Duration.ofMinutes(10);
        private Duration drainTimeout = Duration.ofSeconds(30);
        private Duration initTimeout = Duration.ofSeconds(30);
        private @Nullable PublicKey publicKey;
        private boolean requireChecksums;
        private ArchiveLimits limits = ArchiveLimits.ofDefaults();
        private final Set<String> sharedPackages = new HashSet<>();
        private boolean passByReference;
        private HandlerExecution execution = HandlerExecution.VIRTUAL_THREAD;
        private Consumer<PluginEvent> listener = e -> { };

        private Builder(Class<?> contract) {
            this.contract = contract;
        }

        /** Where the versions are deployed. Required; the transport closes it when it closes. */
        public Builder repository(PluginRepository value) {
            this.repository = value;
            return this;
        }

        /**
         * The directory fetched and extracted versions live in (a subdirectory per contract, emptied
         * at start). Default: a new temporary directory, deleted on close.
         */
        public Builder cacheDirectory(Path value) {
            this.cacheDirectory = value;
            return this;
        }

        /** The clock of polls, deployment window and drain timeout, and of the versions' dispatchers. */
        public Builder clock(ParleyClock value) {
            this.clock = value;
            return this;
        }

        /** How often the repository is listed, also when it sends change events. Default 10 s. */
        public Builder pollInterval(Duration value) {
            this.pollInterval = positive("pollInterval", value);
            return this;
        }

        /**
         * How long calls go on after the repository was last reached. Default 10 minutes; it must
         * be longer than the poll interval.
         */
        public Builder deploymentWindow(Duration value) {
            this.deploymentWindow = positive("deploymentWindow", value);
            return this;
        }

        /** How long a replaced version's in-flight calls may run before it is closed anyway. Default 30 s. */
        public Builder drainTimeout(Duration value) {
            this.drainTimeout = positive("drainTimeout", value);
            return this;
        }

        /** How long instantiation, {@code init()} and {@code healthy()} may each take (real time). Default 30 s. */
        public Builder initTimeout(Duration value) {
            this.initTimeout = positive("initTimeout", value);
            return this;
        }

        /**
         * Requires every version to be signed with the private key of {@code key} (Ed25519, EC
         * with SHA-256, or RSA with SHA-256), over the jar's bytes; unsigned or badly signed
         * versions are rejected.
         */
        public Builder publicKey(PublicKey key) {
            signatureAlgorithm(key);
            this.publicKey = key;
            return this;
        }

        /** Loads only versions whose repository publishes a SHA-256 (others count as not yet complete). Default false. */
        public Builder requireChecksums(boolean value) {
            this.requireChecksums = value;
            return this;
        }

        public Builder archiveLimits(ArchiveLimits value) {
            this.limits = value;
            return this;
        }

        /**
         * Packages, besides the contract's and Parley's API, whose classes plugins get from the
         * consumer rather than from their own jar, e.g. {@code org.slf4j} to log through the
         * consumer's logging. Everything shared is a coupling between plugin and consumer: keep it small.
         */
        public Builder sharedPackages(String... packages) {
            for (String p : packages) {
                if (!p.matches("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*")
                        || p.equals("java") || p.startsWith("java.")) {
                    throw new IllegalArgumentException("sharedPackages: '" + p + "' (expected: a package name outside java.*)");
                }
                sharedPackages.add(p);
            }
            return this;
        }

        /**
         * Hands request and reply objects to the plugin without encoding them (they are the
         * contract's records, shared by both sides). Faster; a plugin then sees the caller's very
         * objects. Default false: messages are encoded as on the wire.
         */
        public Builder passByReference(boolean value) {
            this.passByReference = value;
            return this;
        }

        /**
         * Where the plugin's methods run: on a virtual thread per call (the default, as for every
         * served contract), or {@link HandlerExecution#DIRECT} on the caller's thread, for plugins
         * whose methods never block; deadlines can then not interrupt them.
         */
        public Builder handlerExecution(HandlerExecution value) {
            this.execution = value;
            return this;
        }

        /** Receives every {@link PluginEvent}, on the transport's worker thread. */
        public Builder listener(Consumer<PluginEvent> value) {
            this.listener = value;
            return this;
        }

        /**
         * Builds the transport and loads the newest version before returning (a repository that
         * cannot be reached is reported, not thrown: calls fail until it can).
         *
         * @throws IllegalStateException when settings contradict each other or the cache cannot be created
         */
        public PluginTransport build() {
            if (repository == null) {
                throw new IllegalStateException("repository: not set (expected: PluginRepository.folder(..) or PluginRepository.http(..)) for "
                        + contract.getName());
            }
            if (deploymentWindow.compareTo(pollInterval) <= 0) {
                throw new IllegalStateException("deploymentWindow: " + deploymentWindow + " (expected: longer than pollInterval "
                        + pollInterval + ") for " + contract.getName());
            }
            boolean owns = cacheDirectory == null;
            Path root;
            try {
                root = owns ? Files.createTempDirectory("parley-plugins-") : cacheDirectory;
                Path perContract = root.resolve(ContractDescriptor.of(contract).name());
                deleteTree(perContract);
                Files.createDirectories(perContract);
                return new PluginTransport(this, perContract, owns);
            } catch (IOException e) {
                throw new IllegalStateException("cacheDirectory: " + cacheDirectory + " cannot be prepared: " + e, e);
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
