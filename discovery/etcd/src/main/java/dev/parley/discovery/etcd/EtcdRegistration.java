package dev.parley.discovery.etcd;

import dev.parley.discovery.DiscoveryBackend;
import dev.parley.discovery.ServiceInstance;
import dev.parley.discovery.backend.RetryPause;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One registered instance: an etcd lease with one key per contract version attached to it,
 * kept alive by a loop on its own virtual thread.
 *
 * <pre>
 *  no lease ──grant(ttl) + put keys──► leased ──keepalive every keepAliveInterval──┐
 *     ▲                                  │  ▲                                         │
 *     └──── keepalive says TTL 0 ────────┘  └──── ready(..): put keys again ──────────┘
 *  etcd unreachable: retry with back-off; close(): revoke (deletes every key at once)
 * </pre>
 */
final class EtcdRegistration implements DiscoveryBackend.Lease {

    private static final Logger log = LoggerFactory.getLogger(EtcdRegistration.class);

    private final EtcdClient client;
    private final EtcdDiscovery.Settings settings;
    private final List<String> keys;
    private final RetryPause pause;
    private final Consumer<EtcdRegistration> onClose;
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ServiceInstance instance;
    private volatile long lease;
    private volatile long registrations;
    private Thread thread;

    EtcdRegistration(EtcdClient client, EtcdDiscovery.Settings settings, ServiceInstance instance, Consumer<EtcdRegistration> onClose) {
        this.client = client;
        this.settings = settings;
        this.instance = instance;
        this.keys = instance.contracts().stream().map(c -> settings.key(c, instance.id())).sorted().toList();
        this.pause = new RetryPause(settings.clock());
        this.onClose = onClose;
    }

    /** Tries the first registration on the caller's thread (so it is visible when register returns), then keeps it alive. */
    void start() {
        try {
            registerNow();
        } catch (EtcdException e) {
            log.warn("etcd: cannot register instance {} yet, retrying in the background: {}", instance.id(), e.getMessage());
        }
        thread = Thread.ofVirtual().name("parley-etcd-lease-" + instance.id()).start(this::run);
    }

    @Override
    public void ready(boolean value) {
        if (closed.get()) {
            // Deregistered already: there is nothing left to publish (a shutdown may race with a readiness change).
            log.debug("etcd: ready({}) for instance {} after close() ignored", value, instance.id());
            return;
        }
        instance = instance.withReady(value);
        dirty.set(true);
        pause.wake();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        pause.wake();
        try {
            thread.join(settings.requestTimeout().plusSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long id = lease;
        if (id != 0) {
            try {
                client.revoke(id);
            } catch (EtcdException e) {
                log.warn("etcd: cannot revoke the lease of instance {}; it disappears when its TTL of {} lapses: {}",
                        instance.id(), settings.leaseTtl(), e.getMessage());
            }
        }
        onClose.accept(this);
    }

    /**
     * Stops the keep-alives without revoking the lease, as a crashed process would: etcd drops the
     * keys once the TTL lapses. For tests.
     */
    void crash() {
        if (closed.compareAndSet(false, true)) {
            pause.wake();
            try {
                thread.join(settings.requestTimeout().plusSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            onClose.accept(this);
        }
    }

    /** The current lease ID (0 while unregistered), for tests. */
    long leaseId() {
        return lease;
    }

    /** How many times a lease was granted and the keys put under it (1 + re-registrations). */
    long registrations() {
        return registrations;
    }

    private void run() {
        int failures = 0;
        while (!closed.get()) {
            try {
                if (lease == 0) {
                    registerNow();
                    log.info("etcd: instance {} registered under lease {} (registration #{})", instance.id(), Long.toHexString(lease),
                            registrations);
                } else if (dirty.getAndSet(false)) {
                    put(lease, instance);
                } else {
                    long ttl = client.keepAlive(lease);
                    if (ttl <= 0) {
                        log.warn("etcd: lease {} of instance {} is gone (expired or etcd lost it); registering again",
                                Long.toHexString(lease), instance.id());
                        lease = 0;
                        continue;
                    }
                }
                failures = 0;
                pause.await(settings.keepAliveInterval(), () -> closed.get() || dirty.get());
            } catch (EtcdException e) {
                failures++;
                if (failures == 1) {
                    log.warn("etcd: keeping instance {} registered failed, retrying with back-off: {}", instance.id(), e.getMessage());
                } else {
                    log.debug("etcd: attempt {} for instance {} failed: {}", failures, instance.id(), e.getMessage());
                }
                try {
                    pause.await(RetryPause.backoff(settings.initialBackoff(), settings.maxBackoff(), failures - 1), closed::get);
                } catch (InterruptedException ie) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Never let a surprise end the loop: the instance would silently vanish after its TTL.
                failures++;
                log.error("etcd: unexpected failure keeping instance {} registered", instance.id(), e);
                try {
                    pause.await(RetryPause.backoff(settings.initialBackoff(), settings.maxBackoff(), failures - 1), closed::get);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void registerNow() {
        dirty.set(false);
        ServiceInstance snapshot = instance;
        long id = client.grant(settings.leaseTtl());
        try {
            put(id, snapshot);
        } catch (EtcdException e) {
            try {
                client.revoke(id);
            } catch (EtcdException ignored) {
                log.debug("etcd: cannot revoke half-registered lease {}; it lapses after its TTL", Long.toHexString(id));
            }
            throw e;
        }
        lease = id;
        registrations++;
    }

    private void put(long id, ServiceInstance snapshot) {
        byte[] value = InstanceJson.write(snapshot);
        for (String key : keys) {
            client.put(key, value, id);
        }
    }
}
