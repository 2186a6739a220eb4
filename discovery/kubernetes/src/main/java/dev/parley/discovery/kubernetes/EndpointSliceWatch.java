package dev.parley.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.DiscoveryBackend;
import dev.parley.discovery.ServiceInstance;
import dev.parley.discovery.backend.LineStream;
import dev.parley.discovery.backend.RetryPause;
import dev.parley.discovery.backend.StreamingWatch;
import java.io.IOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the EndpointSlices of one Service on its own virtual thread, the way Kubernetes'
 * informers do:
 *
 * <pre>
 *  ┌─► list (labelSelector) ── fails ──► unavailable(cause) once per outage, back-off, again
 *  │     │ slices + resourceVersion ──► listener.instances(all)
 *  │     ▼
 *  │   watch from resourceVersion ── ADDED/MODIFIED/DELETED ──► listener.instances(all)
 *  │     │        BOOKMARK: remember its resourceVersion
 *  │     │ stream ended (server timeout, cut) ──► watch again from the last resourceVersion
 *  └─────┘ 410 Gone / ERROR event / unreadable line / oversized line ──► list again
 * </pre>
 */
final class EndpointSliceWatch extends StreamingWatch {

    private static final Logger log = LoggerFactory.getLogger(EndpointSliceWatch.class);

    private final ApiClient api;
    private final KubernetesDiscovery.Settings settings;
    private final ContractVersion version;
    private final String service;
    private final String selector;
    private final DiscoveryBackend.Listener listener;
    private final Consumer<EndpointSliceWatch> onClose;
    private final Map<String, List<ServiceInstance>> bySlice = new TreeMap<>();
    private @Nullable List<ServiceInstance> delivered;
    private String resourceVersion = "";
    private volatile int lists;
    private volatile int watches;

    EndpointSliceWatch(ApiClient api, KubernetesDiscovery.Settings settings, ContractVersion version, String service, String selector,
                       DiscoveryBackend.Listener listener, Consumer<EndpointSliceWatch> onClose) {
        super(settings.clock(), settings.requestTimeout(), "parley-k8s-watch-" + version, listener, settings.initialBackoff(),
                settings.maxBackoff());
        this.api = api;
        this.settings = settings;
        this.version = version;
        this.service = service;
        this.selector = selector;
        this.listener = listener;
        this.onClose = onClose;
    }

    @Override
    protected void onClosed() {
        onClose.accept(this);
    }

    /** Lists and watches started so far, for tests. */
    int lists() {
        return lists;
    }

    int watches() {
        return watches;
    }

    @Override
    protected void run() {
        while (!closed.get()) {
            try {
                JsonNode list = api.list(selector, false);
                lists++;
                bySlice.clear();
                for (JsonNode slice : list.path("items")) {
                    apply("ADDED", slice);
                }
                resourceVersion = list.path("metadata").path("resourceVersion").asText();
                deliver(answered());
                int quickEnds = 0;
                while (!closed.get()) {
                    if (quickEnds > 0) {
                        // The stream keeps ending without news: do not hammer the API server.
                        pause.await(RetryPause.backoff(settings.initialBackoff(), settings.maxBackoff(), quickEnds - 1), closed::get);
                    }
                    Outcome outcome = follow();
                    if (outcome == Outcome.RELIST) {
                        break;
                    }
                    quickEnds = outcome == Outcome.ENDED_QUIETLY ? quickEnds + 1 : 0;
                }
            } catch (ApiClient.Gone e) {
                log.info("kubernetes: {}; listing {} again", e.getMessage(), service);
            } catch (KubernetesException e) {
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

    private enum Outcome { RELIST, ENDED_AFTER_NEWS, ENDED_QUIETLY }

    /** Follows one watch request until its stream ends. */
    private Outcome follow() throws InterruptedException {
        LineStream lines = api.watch(selector, resourceVersion);
        watches++;
        following(lines);
        boolean news = false;
        try {
            while (!closed.get()) {
                Optional<String> line;
                try {
                    line = lines.next(settings.probeInterval());
                } catch (java.io.EOFException e) {
                    return news ? Outcome.ENDED_AFTER_NEWS : Outcome.ENDED_QUIETLY;
                } catch (IOException e) {
                    if (closed.get()) {
                        return Outcome.ENDED_AFTER_NEWS;
                    }
                    log.warn("kubernetes: watch of {} failed ({}); listing again", service, e.getMessage());
                    return Outcome.RELIST;
                }
                if (line.isEmpty()) {
                    api.list(selector, true); // quiet for a while: prove the API still answers
                    continue;
                }
                JsonNode event;
                try {
                    event = ApiClient.JSON.readTree(line.get());
                } catch (IOException e) {
                    log.warn("kubernetes: unreadable watch event for {} ({}); listing again", service, ApiClient.abbreviate(e.getMessage()));
                    return Outcome.RELIST;
                }
                String type = event == null ? "" : event.path("type").asText("");
                JsonNode object = event == null ? null : event.path("object");
                if (object == null || !object.isObject()) {
                    log.warn("kubernetes: watch event for {} without an object ({}); listing again", service, ApiClient.abbreviate(line.get()));
                    return Outcome.RELIST;
                }
                switch (type) {
                    case "ADDED", "MODIFIED", "DELETED" -> {
                        if (!apply(type, object)) {
                            return Outcome.RELIST;
                        }
                        remember(object);
                        news = true;
                        deliver(false);
                    }
                    case "BOOKMARK" -> remember(object);
                    case "ERROR" -> {
                        int code = object.path("code").asInt(0);
                        log.info("kubernetes: watch of {} ended with an ERROR event (code {}: {}); listing again", service, code,
                                ApiClient.abbreviate(object.path("message").asText("")));
                        return Outcome.RELIST;
                    }
                    default -> log.warn("kubernetes: watch event for {} of unknown type {}; ignored", service, ApiClient.abbreviate(type));
                }
            }
            return Outcome.ENDED_AFTER_NEWS;
        } finally {
            lines.abort();
            following(null);
        }
    }

    /** Applies one slice change; false when the slice has no name (the state can no longer be trusted). */
    private boolean apply(String type, JsonNode slice) {
        String name = slice.path("metadata").path("name").asText("");
        if (name.isBlank()) {
            log.warn("kubernetes: EndpointSlice without metadata.name for {}: {}; listing again", service, ApiClient.abbreviate(slice.toString()));
            return false;
        }
        if (type.equals("DELETED")) {
            bySlice.remove(name);
        } else {
            bySlice.put(name, SliceMapping.instances(slice, version, service, settings));
        }
        return true;
    }

    private void remember(JsonNode object) {
        JsonNode rv = object.path("metadata").path("resourceVersion");
        if (rv.isTextual() && !rv.asText().isBlank() && rv.asText().length() < 64) {
            resourceVersion = rv.asText();
        }
    }

    private void deliver(boolean force) {
        // A pod listed by two slices at once (while slices are rebalanced) counts once, ready if either says so.
        Map<String, ServiceInstance> byId = new LinkedHashMap<>();
        bySlice.values().forEach(instances -> instances.forEach(i -> byId.merge(i.id(), i, (a, b) -> a.ready() ? a : b)));
        List<ServiceInstance> now = byId.values().stream().sorted(Comparator.comparing(ServiceInstance::id)).toList();
        if (!force && now.equals(delivered)) {
            return;
        }
        delivered = now;
        try {
            listener.instances(now);
        } catch (RuntimeException e) {
            log.error("kubernetes: listener of {} failed in instances(..)", version, e);
        }
    }
}
