package dev.parley.plugins;

import dev.parley.Parley;
import dev.parley.ParleyClock;
import dev.parley.transport.InboundHandler;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One loaded plugin version: its class loader, the entry point instance, and the Parley
 * runtime that serves it (whose dispatcher, {@link #handler}, the transport hands calls to).
 * Counts its in-flight calls so that a replaced version closes only after the last one.
 *
 * <pre>
 *  acquire: inflight++ ; retired? -> inflight-- and use the new current version
 *  release: inflight-- ; 0 and retired -> close
 *  retire:  retired = true ; inflight 0 -> close   (else the last release, or the drain timeout, closes)
 * </pre>
 */
final class LoadedVersion {

    final PluginArtifact artifact;
    final PluginManifest manifest;
    final InboundHandler handler;
    private final Path directory;
    private final PluginClassLoader loader;
    private final Object instance;
    private final Parley runtime;
    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean retired;
    private volatile Consumer<LoadedVersion> closer = v -> { };
    private volatile ParleyClock.Cancellable drainTimer = ParleyClock.Cancellable.NOOP;

    LoadedVersion(PluginArtifact artifact, PluginManifest manifest, Path directory, PluginClassLoader loader, Object instance,
                  Parley runtime, InboundHandler handler) {
        this.artifact = artifact;
        this.manifest = manifest;
        this.directory = directory;
        this.loader = loader;
        this.instance = instance;
        this.runtime = runtime;
        this.handler = handler;
    }

    /** Counts a call in; false when the version was retired meanwhile (the caller picks the new one). */
    boolean tryAcquire() {
        inflight.incrementAndGet();
        if (retired) {
            release();
            return false;
        }
        return true;
    }

    void release() {
        if (inflight.decrementAndGet() == 0 && retired) {
            closeOnce();
        }
    }

    int inflight() {
        return Math.max(0, inflight.get());
    }

    /**
     * No new calls from now on; {@code closer} runs once the in-flight calls finished, or when
     * {@code forceClose} is called (the drain timeout).
     */
    void retire(Consumer<LoadedVersion> closer, ParleyClock clock, long drainNanos, Runnable onDrainTimeout) {
        this.closer = closer;
        this.retired = true;
        if (inflight.get() == 0) {
            closeOnce();
            return;
        }
        drainTimer = clock.schedule(drainNanos, () -> {
            if (!closed.get()) {
                onDrainTimeout.run();
                closeOnce();
            }
        });
        if (closed.get()) {
            drainTimer.cancel();
        }
    }

    private void closeOnce() {
        if (closed.compareAndSet(false, true)) {
            drainTimer.cancel();
            closer.accept(this);
        }
    }

    PluginVersion version() {
        return manifest.version();
    }

    Path directory() {
        return directory;
    }

    PluginClassLoader classLoader() {
        return loader;
    }

    Object instance() {
        return instance;
    }

    Parley runtime() {
        return runtime;
    }

    @Override
    public String toString() {
        return manifest.contract() + " " + manifest.version();
    }
}
