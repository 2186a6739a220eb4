package dev.parley.webhooks;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@link ReplayStore#inMemory}: a bounded map of ids to expiry, in arrival order. */
final class BoundedReplayStore implements ReplayStore {

    private final int maxIds;
    private final LinkedHashMap<String, Instant> ids = new LinkedHashMap<>();

    BoundedReplayStore(int maxIds) {
        if (maxIds < 1) {
            throw new IllegalArgumentException("maxIds: " + maxIds + " (expected: >= 1)");
        }
        this.maxIds = maxIds;
    }

    @Override
    public synchronized boolean firstSeen(String id, Instant expiresAt, Instant now) {
        Instant known = ids.get(id);
        if (known != null && known.isAfter(now)) {
            return false;
        }
        ids.remove(id);
        evictExpired(now);
        while (ids.size() >= maxIds) {
            Iterator<String> oldest = ids.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        ids.put(id, expiresAt);
        return true;
    }

    @Override
    public synchronized void forget(String id) {
        ids.remove(id);
    }

    synchronized int size() {
        return ids.size();
    }

    private void evictExpired(Instant now) {
        // Arrival order approximates expiry order (expiry = timestamp + tolerance), so stop at
        // the first live entry instead of scanning everything on every webhook.
        Iterator<Map.Entry<String, Instant>> it = ids.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue().isAfter(now)) {
                return;
            }
            it.remove();
        }
    }
}
