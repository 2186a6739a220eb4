package dev.parley.discovery;

import dev.parley.ErrorCode;
import dev.parley.ParleyClock;
import dev.parley.ParleyException;
import dev.parley.discovery.RegistryService.Instance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The embedded registry's state: leases, the instances they carry, and a modification index
 * per contract version for blocking queries. Every method validates its input and throws
 * {@link ParleyException}s with the wire error code. Thread-safe: one lock, short sections;
 * waiting queries hold futures, not threads.
 */
final class RegistryState {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final Pattern CONTRACT_NAME = Pattern.compile("[a-z0-9]+([.-][a-z0-9]+)*");
    private static final Pattern CONTRACT_VERSION = Pattern.compile("([a-z0-9]+(?:[.-][a-z0-9]+)*)/v(\\d{1,6})");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,63}");
    static final int MAX_CONTRACTS = 64;
    static final int MAX_ADDRESSES = 16;
    static final int MAX_METADATA = 32;
    static final int MAX_VALUE_LENGTH = 512;
    static final long MAX_WAIT_MILLIS = 60_000;

    private final ParleyClock clock;
    private final RegistryLimits limits;
    private final String epoch = UUID.randomUUID().toString();
    private final Map<String, Entry> byLease = new LinkedHashMap<>();
    private final Map<String, String> leaseByInstance = new HashMap<>();
    private final Map<ContractVersion, Long> changedAt = new HashMap<>();
    private final Map<ContractVersion, List<CompletableFuture<Void>>> waiting = new HashMap<>();
    private int waiters;
    // Starts at 1, so that index 0 in a query always means "never asked".
    private long index = 1;
    private boolean closed;

    private static final class Entry {
        final String leaseId;
        Instance instance;
        final Set<ContractVersion> versions;
        final long ttlNanos;
        long expiresAt;

        Entry(String leaseId, Instance instance, Set<ContractVersion> versions, long ttlNanos, long expiresAt) {
            this.leaseId = leaseId;
            this.instance = instance;
            this.versions = versions;
            this.ttlNanos = ttlNanos;
            this.expiresAt = expiresAt;
        }
    }

    RegistryState(ParleyClock clock, RegistryLimits limits) {
        this.clock = clock;
        this.limits = limits;
    }

    String epoch() {
        return epoch;
    }

    RegistryService.Lease register(RegistryService.@Nullable Register request) {
        if (request == null || request.instance() == null) {
            throw invalid("instance: missing (expected: {\"instance\": {...}, \"ttlMillis\": ...})");
        }
        Instance instance = validate(request.instance());
        long ttl = request.ttlMillis();
        if (ttl < limits.minTtl().toMillis() || ttl > limits.maxTtl().toMillis()) {
            throw invalid("ttlMillis: " + ttl + " (expected: " + limits.minTtl().toMillis() + ".." + limits.maxTtl().toMillis()
                    + ") for instance " + instance.id());
        }
        Set<ContractVersion> versions = versions(instance.contracts());
        synchronized (this) {
            ensureOpen();
            expireLapsed();
            String previous = leaseByInstance.get(instance.id());
            if (previous == null && byLease.size() >= limits.maxInstances()) {
                throw ParleyException.of(ErrorCode.RESOURCE_EXHAUSTED, "registry is full: " + byLease.size()
                        + " instances (expected: at most maxInstances " + limits.maxInstances() + "); instance " + instance.id() + " not registered");
            }
            if (previous != null) {
                // The same instance registering again (it restarted, or lost its lease): the new lease replaces the old.
                removeLocked(previous);
            }
            String leaseId = UUID.randomUUID().toString();
            long ttlNanos = ttl * 1_000_000L;
            byLease.put(leaseId, new Entry(leaseId, instance, versions, ttlNanos, clock.nanoTime() + ttlNanos));
            leaseByInstance.put(instance.id(), leaseId);
            changedLocked(versions);
            return new RegistryService.Lease(leaseId, ttl, epoch);
        }
    }

    RegistryService.Lease heartbeat(RegistryService.@Nullable LeaseId request) {
        String leaseId = leaseId(request == null ? null : request.leaseId());
        synchronized (this) {
            ensureOpen();
            expireLapsed();
            Entry e = entry(leaseId);
            e.expiresAt = clock.nanoTime() + e.ttlNanos;
            return new RegistryService.Lease(leaseId, e.ttlNanos / 1_000_000L, epoch);
        }
    }

    RegistryService.Lease ready(RegistryService.@Nullable Readiness request) {
        String leaseId = leaseId(request == null ? null : request.leaseId());
        synchronized (this) {
            ensureOpen();
            expireLapsed();
            Entry e = entry(leaseId);
            e.expiresAt = clock.nanoTime() + e.ttlNanos;
            if (e.instance.ready() != request.ready()) {
                Instance i = e.instance;
                e.instance = new Instance(i.id(), i.service(), i.contracts(), i.addresses(), i.metadata(), request.ready());
                changedLocked(e.versions);
            }
            return new RegistryService.Lease(leaseId, e.ttlNanos / 1_000_000L, epoch);
        }
    }

    void deregister(RegistryService.@Nullable LeaseId request) {
        String leaseId = leaseId(request == null ? null : request.leaseId());
        synchronized (this) {
            ensureOpen();
            expireLapsed();
            // Deregistering twice is fine (a retried DELETE): it is gone either way.
            removeLocked(leaseId);
        }
    }

    /** Answers at once, or returns a future that completes when the query should be answered. */
    RegistryService.Instances instances(RegistryService.@Nullable Query q) throws InterruptedException {
        if (q == null) {
            throw invalid("query: missing (expected: contract, major)");
        }
        ContractVersion version = version(q.contract(), q.major());
        if (q.index() < 0) {
            throw invalid("index: " + q.index() + " (expected: >= 0) for " + version);
        }
        if (q.waitMillis() < 0 || q.waitMillis() > MAX_WAIT_MILLIS) {
            throw invalid("waitMillis: " + q.waitMillis() + " (expected: 0.." + MAX_WAIT_MILLIS + ") for " + version);
        }
        String queryEpoch = q.epoch() == null ? "" : q.epoch();
        CompletableFuture<Void> change;
        ParleyClock.Cancellable timer;
        synchronized (this) {
            ensureOpen();
            expireLapsed();
            long current = changedAt.getOrDefault(version, 0L);
            if (q.waitMillis() == 0 || !queryEpoch.equals(epoch) || current > q.index() || q.index() > index) {
                return snapshotLocked(version);
            }
            if (waiters >= limits.maxWatches()) {
                throw ParleyException.of(ErrorCode.RESOURCE_EXHAUSTED, "too many blocking queries: " + waiters
                        + " (expected: at most maxWatches " + limits.maxWatches() + "); retry " + version + " later");
            }
            change = new CompletableFuture<>();
            waiting.computeIfAbsent(version, v -> new ArrayList<>()).add(change);
            waiters++;
            CompletableFuture<Void> f = change;
            timer = clock.schedule(q.waitMillis() * 1_000_000L, () -> f.complete(null));
        }
        try {
            change.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            timer.cancel();
            synchronized (this) {
                List<CompletableFuture<Void>> list = waiting.get(version);
                if (list != null && list.remove(change)) {
                    waiters--;
                    if (list.isEmpty()) {
                        waiting.remove(version);
                    }
                }
            }
        }
        synchronized (this) {
            expireLapsed();
            return snapshotLocked(version);
        }
    }

    /** Drops the leases whose time-to-live has lapsed; called by the sweeper and on every request. */
    synchronized void expireLapsed() {
        long now = clock.nanoTime();
        List<String> lapsed = new ArrayList<>();
        for (Entry e : byLease.values()) {
            if (now - e.expiresAt >= 0) {
                lapsed.add(e.leaseId);
            }
        }
        for (String leaseId : lapsed) {
            removeLocked(leaseId);
        }
    }

    synchronized List<Instance> all() {
        expireLapsed();
        return byLease.values().stream().map(e -> e.instance).toList();
    }

    synchronized void close() {
        closed = true;
        waiting.values().forEach(list -> list.forEach(f -> f.complete(null)));
    }

    private void ensureOpen() {
        if (closed) {
            throw ParleyException.of(ErrorCode.UNAVAILABLE, "the registry is shutting down");
        }
    }

    private RegistryService.Instances snapshotLocked(ContractVersion version) {
        List<Instance> instances = new ArrayList<>();
        for (Entry e : byLease.values()) {
            if (e.versions.contains(version)) {
                instances.add(e.instance);
            }
        }
        instances.sort(Comparator.comparing(Instance::id));
        return new RegistryService.Instances(changedAt.getOrDefault(version, index), epoch, List.copyOf(instances));
    }

    private void removeLocked(String leaseId) {
        Entry e = byLease.remove(leaseId);
        if (e != null) {
            leaseByInstance.remove(e.instance.id(), leaseId);
            changedLocked(e.versions);
        }
    }

    private void changedLocked(Set<ContractVersion> versions) {
        index++;
        for (ContractVersion v : versions) {
            changedAt.put(v, index);
            List<CompletableFuture<Void>> list = waiting.get(v);
            if (list != null) {
                list.forEach(f -> f.complete(null));
            }
        }
    }

    private Entry entry(String leaseId) {
        Entry e = byLease.get(leaseId);
        if (e == null) {
            throw ParleyException.of(ErrorCode.NOT_FOUND, "lease " + leaseId + " is unknown or has lapsed (expected: register again)");
        }
        return e;
    }

    private static String leaseId(@Nullable String leaseId) {
        if (leaseId == null || !ID.matcher(leaseId).matches()) {
            throw invalid("leaseId: '" + leaseId + "' (expected: a lease id returned by POST /v1/leases)");
        }
        return leaseId;
    }

    private static ContractVersion version(@Nullable String contract, int major) {
        if (contract == null || contract.length() > 128 || !CONTRACT_NAME.matcher(contract).matches()) {
            throw invalid("contract: '" + contract + "' (expected: a contract name such as trips or taxi.trips)");
        }
        if (major < 0 || major > 999_999) {
            throw invalid("major: " + major + " (expected: 0..999999) for contract " + contract);
        }
        return new ContractVersion(contract, major);
    }

    private static Set<ContractVersion> versions(List<String> contracts) {
        Set<ContractVersion> versions = new java.util.HashSet<>();
        for (String c : contracts) {
            var m = CONTRACT_VERSION.matcher(c);
            m.matches(); // validated before
            versions.add(new ContractVersion(m.group(1), Integer.parseInt(m.group(2))));
        }
        return Set.copyOf(versions);
    }

    /** Checks every field of an instance and returns it with its maps copied. */
    static Instance validate(Instance i) {
        String id = i.id();
        if (id == null || !ID.matcher(id).matches()) {
            throw invalid("instance.id: '" + id + "' (expected: 1-128 letters, digits, '.', '_', ':' or '-')");
        }
        if (i.service() == null || !ID.matcher(i.service()).matches()) {
            throw invalid("instance.service: '" + i.service() + "' (expected: 1-128 letters, digits, '.', '_', ':' or '-') for instance " + id);
        }
        List<String> contracts = i.contracts() == null ? List.of() : i.contracts();
        if (contracts.isEmpty() || contracts.size() > MAX_CONTRACTS) {
            throw invalid("instance.contracts: " + contracts.size() + " entries (expected: 1.." + MAX_CONTRACTS + ") for instance " + id);
        }
        for (String c : contracts) {
            if (c == null || c.length() > 140 || !CONTRACT_VERSION.matcher(c).matches()) {
                throw invalid("instance.contracts: '" + c + "' (expected: name/v<major>, e.g. trips/v1) for instance " + id);
            }
        }
        Map<String, String> addresses = map("instance.addresses", i.addresses(), MAX_ADDRESSES, id);
        if (addresses.isEmpty()) {
            throw invalid("instance.addresses: empty (expected: at least one transport address, e.g. {\"http\": \"http://host:8080\"}) for instance " + id);
        }
        Map<String, String> metadata = map("instance.metadata", i.metadata(), MAX_METADATA, id);
        String weight = metadata.get(ServiceInstance.WEIGHT);
        if (weight != null && !weight.matches("[1-9][0-9]{0,3}")) {
            throw invalid("instance.metadata.weight: '" + weight + "' (expected: an integer 1..9999) for instance " + id);
        }
        return new Instance(id, i.service(), List.copyOf(contracts), addresses, metadata, i.ready());
    }

    private static Map<String, String> map(String field, @Nullable Map<String, String> map, int max, String id) {
        if (map == null) {
            return Map.of();
        }
        if (map.size() > max) {
            throw invalid(field + ": " + map.size() + " entries (expected: at most " + max + ") for instance " + id);
        }
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (e.getKey() == null || !KEY.matcher(e.getKey()).matches()) {
                throw invalid(field + ": key '" + e.getKey() + "' (expected: 1-64 letters, digits, '.', '_', '/' or '-') for instance " + id);
            }
            if (e.getValue() == null || e.getValue().isEmpty() || e.getValue().length() > MAX_VALUE_LENGTH) {
                throw invalid(field + "." + e.getKey() + ": " + (e.getValue() == null ? "null" : e.getValue().length() + " characters")
                        + " (expected: 1.." + MAX_VALUE_LENGTH + " characters) for instance " + id);
            }
        }
        return Map.copyOf(map);
    }

    private static ParleyException invalid(String message) {
        return ParleyException.of(ErrorCode.INVALID_ARGUMENT, message);
    }
}
