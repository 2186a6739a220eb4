package dev.parley.discovery.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.DiscoveryBackend;
import dev.parley.discovery.ServiceInstance;
import dev.parley.discovery.backend.LineStream;
import dev.parley.discovery.backend.RetryPause;
import dev.parley.discovery.backend.StreamingWatch;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the keys of one contract version, on its own virtual thread:
 *
 * <pre>
 *  ┌─► range(prefix) ── fails ──► unavailable(cause) once per outage, back-off, again
 *  │     │ snapshot (revision R) ──► listener.instances(all)
 *  │     ▼
 *  │   watch(prefix, from R+1) ── events ──► apply PUT/DELETE ──► listener.instances(all)
 *  │     │ quiet for probeInterval ──► count(prefix): proves etcd still answers
 *  └─────┘ stream ended / canceled (compaction) / unreadable ──► list again
 * </pre>
 *
 * Re-listing after every interruption (rather than resuming from the last revision) also covers
 * an etcd that came back with a new, empty data directory and restarted its revisions at 1.
 */
final class EtcdWatch extends StreamingWatch {

    private static final Logger log = LoggerFactory.getLogger(EtcdWatch.class);

    private final EtcdClient client;
    private final EtcdDiscovery.Settings settings;
    private final ContractVersion version;
    private final DiscoveryBackend.Listener listener;
    private final String keyPrefix;
    private final Consumer<EtcdWatch> onClose;
    private final Map<String, ServiceInstance> byKey = new TreeMap<>();
    private @Nullable List<ServiceInstance> delivered;
    private volatile long relists;

    EtcdWatch(EtcdClient client, EtcdDiscovery.Settings settings, ContractVersion version, DiscoveryBackend.Listener listener,
              Consumer<EtcdWatch> onClose) {
        super(settings.clock(), settings.requestTimeout(), "parley-etcd-watch-" + version, listener, settings.initialBackoff(),
                settings.maxBackoff());
        this.client = client;
        this.settings = settings;
        this.version = version;
        this.listener = listener;
        this.keyPrefix = settings.versionPrefix(version);
        this.onClose = onClose;
    }

    @Override
    protected void onClosed() {
        onClose.accept(this);
    }

    /** How many times the watch listed the prefix (1 + restarts), for tests. */
    long relists() {
        return relists;
    }

    @Override
    protected void run() {
        int restarts = 0;
        while (!closed.get()) {
            try {
                if (restarts > 1) {
                    // The stream keeps ending right after it started: do not hammer etcd.
                    pause.await(RetryPause.backoff(settings.initialBackoff(), settings.maxBackoff(), restarts - 2), closed::get);
                    if (closed.get()) {
                        return;
                    }
                }
                EtcdClient.Range range = client.range(keyPrefix);
                relists++;
                byKey.clear();
                for (EtcdClient.KeyValue kv : range.kvs()) {
                    accept(kv.key(), kv.value());
                }
                deliver(answered());
                boolean sawEvents = stream(range.revision() + 1);
                restarts = sawEvents ? 1 : restarts + 1;
            } catch (EtcdException e) {
                if (!unreachable(e)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!failed(e)) {
                    return;
                }
            }
        }
    }

    /** Follows the watch stream until it must be restarted; whether it delivered any event. */
    private boolean stream(long fromRevision) throws InterruptedException {
        LineStream lines = client.watch(keyPrefix, fromRevision, settings.maxResponseBytes());
        following(lines);
        boolean sawEvents = false;
        try {
            while (!closed.get()) {
                Optional<String> line;
                try {
                    line = lines.next(settings.probeInterval());
                } catch (IOException e) {
                    if (!closed.get()) {
                        log.info("etcd: watch stream of {} ended ({}); listing again", version, e.getMessage());
                    }
                    return sawEvents;
                }
                if (line.isEmpty()) {
                    client.count(keyPrefix);
                    continue;
                }
                JsonNode message;
                try {
                    message = EtcdClient.parse(line.get());
                } catch (IOException e) {
                    log.warn("etcd: unreadable watch message for {} ({}); listing again", version, e.getMessage());
                    return sawEvents;
                }
                if (message.has("error")) {
                    log.info("etcd: watch stream of {} failed: {}; listing again", version, EtcdClient.abbreviate(message.path("error").toString()));
                    return sawEvents;
                }
                JsonNode result = message.path("result");
                if (result.path("canceled").asBoolean(false)) {
                    long compacted = result.path("compact_revision").asLong(0);
                    log.info("etcd: watch of {} canceled by etcd ({}); listing again", version,
                            compacted > 0 ? "history compacted up to revision " + compacted : result.path("cancel_reason").asText("no reason given"));
                    return sawEvents;
                }
                JsonNode events = result.path("events");
                if (!events.isArray() || events.isEmpty()) {
                    continue;
                }
                for (JsonNode event : events) {
                    JsonNode kv = event.path("kv");
                    String key = EtcdClient.decodeKey(kv);
                    if ("DELETE".equals(event.path("type").asText("PUT"))) {
                        byKey.remove(key);
                    } else {
                        EtcdClient.KeyValue read = EtcdClient.keyValue(kv);
                        accept(read.key(), read.value());
                    }
                }
                sawEvents = true;
                deliver(false);
            }
            return sawEvents;
        } finally {
            lines.abort();
            following(null);
        }
    }

    /** Takes a key's value into the snapshot, or leaves the key out with a log line saying why. */
    private void accept(String key, byte[] value) {
        byKey.remove(key);
        String idSegment = key.substring(Math.min(key.length(), keyPrefix.length()));
        if (!key.startsWith(keyPrefix) || idSegment.isEmpty() || idSegment.contains("/")) {
            log.warn("etcd: skipping key {} (expected: {}<instance id>)", EtcdClient.abbreviate(key), keyPrefix);
            return;
        }
        if (value.length > settings.maxValueBytes()) {
            log.warn("etcd: skipping key {}: value of {} bytes (expected: at most maxValueBytes = {})", key, value.length, settings.maxValueBytes());
            return;
        }
        ServiceInstance instance;
        try {
            instance = InstanceJson.read(value);
        } catch (IllegalArgumentException e) {
            log.warn("etcd: skipping key {}: {}", key, e.getMessage());
            return;
        }
        if (!EtcdDiscovery.Settings.escape(instance.id()).equals(idSegment)) {
            log.warn("etcd: skipping key {}: its value is instance '{}' (expected: the instance named by the key)", key, instance.id());
            return;
        }
        if (!instance.serves(version)) {
            log.warn("etcd: skipping key {}: instance {} does not serve {} (expected: the version of the key)", key, instance.id(), version);
            return;
        }
        byKey.put(key, instance);
    }

    private void deliver(boolean force) {
        List<ServiceInstance> now = byKey.values().stream().sorted(Comparator.comparing(ServiceInstance::id)).toList();
        if (!force && now.equals(delivered)) {
            return;
        }
        delivered = now;
        try {
            listener.instances(now);
        } catch (RuntimeException e) {
            log.error("etcd: listener of {} failed in instances(..)", version, e);
        }
    }
}
