package dev.parley.discovery;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed list of instances, from code or from a properties file, for setups without a
 * registry (a few known hosts, tests). Watches get the list at once and again after
 * {@link #replace}. Instances cannot register: {@link #register} throws.
 *
 * <pre>{@code
 * StaticBackend backend = StaticBackend.builder()
 *         .instance("trips-1", "trip-management", "trips/v1", "http=http://10.0.0.7:8080")
 *         .instance("trips-2", "trip-management", "trips/v1,trips/v2", "http=http://10.0.0.8:8080,rpc=10.0.0.8:7000")
 *         .build();
 * }</pre>
 *
 * The same list as properties (prefix e.g. {@code parley.discovery.static.}), each key named
 * like the builder's parameters:
 * <pre>
 * instance.trips-1.service=trip-management
 * instance.trips-1.contracts=trips/v1
 * instance.trips-1.addresses=http=http://10.0.0.7:8080
 * instance.trips-1.metadata=zone=eu-west-1a,weight=2      (optional)
 * instance.trips-1.ready=true                             (optional)
 * </pre>
 */
public final class StaticBackend implements DiscoveryBackend {

    private static final Logger log = LoggerFactory.getLogger(StaticBackend.class);
    private static final Pattern INSTANCE_KEY = Pattern.compile("instance\\.([A-Za-z0-9._:-]+)\\.(service|contracts|addresses|metadata|ready)");
    private static final Pattern CONTRACT_VERSION = Pattern.compile("([a-z0-9]+(?:[.-][a-z0-9]+)*)/v(\\d{1,6})");

    private volatile List<ServiceInstance> instances;
    private final List<StaticWatch> watches = new CopyOnWriteArrayList<>();

    private StaticBackend(List<ServiceInstance> instances) {
        this.instances = checked(instances);
    }

    /** A backend with exactly {@code instances}. */
    public static StaticBackend of(List<ServiceInstance> instances) {
        return new StaticBackend(instances);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding the instances described by properties whose keys start with {@code prefix}.
     *
     * @throws IllegalArgumentException naming the key and value, for unknown keys, malformed values or
     *                                  instances that lack service, contracts or addresses
     */
    public static Builder fromProperties(Properties properties, String prefix) {
        Map<String, Map<String, String>> byId = new LinkedHashMap<>();
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            Matcher m = INSTANCE_KEY.matcher(key.substring(prefix.length()));
            if (!m.matches()) {
                throw new IllegalArgumentException(key + ": unknown StaticBackend setting (expected: instance.<id>.service, "
                        + "instance.<id>.contracts, instance.<id>.addresses, instance.<id>.metadata or instance.<id>.ready)");
            }
            byId.computeIfAbsent(m.group(1), id -> new LinkedHashMap<>()).put(m.group(2), properties.getProperty(key).trim());
        }
        Builder b = new Builder();
        for (Map.Entry<String, Map<String, String>> e : byId.entrySet()) {
            String id = e.getKey();
            Map<String, String> fields = e.getValue();
            String at = prefix + "instance." + id;
            for (String required : List.of("service", "contracts", "addresses")) {
                if (!fields.containsKey(required)) {
                    throw new IllegalArgumentException(at + "." + required + ": missing (expected: service, contracts and addresses for every instance)");
                }
            }
            boolean ready = !fields.containsKey("ready") || Settings.bool(at + ".ready", fields.get("ready"));
            b.add(instance(id, fields.get("service"), fields.get("contracts"), fields.get("addresses"),
                    fields.getOrDefault("metadata", ""), ready, at));
        }
        return b;
    }

    /**
     * A builder holding the instances of a properties file, keys under {@code prefix}.
     *
     * @throws IllegalArgumentException when the file cannot be read, or as {@link #fromProperties}
     */
    public static Builder fromFile(Path file, String prefix) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("static discovery file " + file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        return fromProperties(p, prefix);
    }

    @Override
    public String name() {
        return "static";
    }

    /** The current list. */
    public List<ServiceInstance> instances() {
        return instances;
    }

    /** Replaces the list; every watch gets its new view. */
    public void replace(List<ServiceInstance> value) {
        instances = checked(value);
        for (StaticWatch w : watches) {
            w.deliver();
        }
    }

    /** @throws UnsupportedOperationException always: the list is fixed by configuration */
    @Override
    public Lease register(ServiceInstance instance) {
        throw new UnsupportedOperationException("register(" + instance.id() + "): a StaticBackend's instances are configured "
                + "(expected: StaticBackend.builder().instance(..), or a registry backend such as EmbeddedRegistryBackend)");
    }

    @Override
    public Watch watch(ContractVersion version, Listener listener) {
        StaticWatch w = new StaticWatch(version, listener);
        watches.add(w);
        w.deliver();
        return w;
    }

    @Override
    public void close() {
        watches.clear();
    }

    @Override
    public String toString() {
        return "StaticBackend(" + instances.size() + " instances)";
    }

    private static List<ServiceInstance> checked(List<ServiceInstance> list) {
        Set<String> ids = new LinkedHashSet<>();
        for (ServiceInstance i : list) {
            if (!ids.add(i.id())) {
                throw new IllegalArgumentException("instance id '" + i.id() + "' appears twice (expected: unique ids) in the static list");
            }
        }
        return List.copyOf(list);
    }

    private final class StaticWatch implements Watch {
        private final ContractVersion version;
        private final Listener listener;

        StaticWatch(ContractVersion version, Listener listener) {
            this.version = version;
            this.listener = listener;
        }

        synchronized void deliver() {
            List<ServiceInstance> serving = instances.stream().filter(i -> i.serves(version)).toList();
            try {
                listener.instances(serving);
            } catch (RuntimeException e) {
                log.warn("watch listener of {} failed", version, e);
            }
        }

        @Override
        public void close() {
            watches.remove(this);
        }
    }

    static ServiceInstance instance(String id, String service, String contracts, String addresses, String metadata, boolean ready, String at) {
        Set<ContractVersion> versions = new LinkedHashSet<>();
        for (String c : contracts.split(",")) {
            Matcher m = CONTRACT_VERSION.matcher(c.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException(at + ".contracts: '" + c.trim() + "' (expected: name/v<major>, e.g. trips/v1, comma-separated)");
            }
            versions.add(new ContractVersion(m.group(1), Integer.parseInt(m.group(2))));
        }
        Map<String, String> addressMap = pairs(addresses, at + ".addresses", "transport=address, e.g. http=http://10.0.0.7:8080");
        if (addressMap.isEmpty()) {
            throw new IllegalArgumentException(at + ".addresses: '' (expected: at least one transport=address, e.g. http=http://10.0.0.7:8080)");
        }
        Map<String, String> meta = pairs(metadata, at + ".metadata", "key=value, e.g. zone=eu-west-1a");
        String weight = meta.get(ServiceInstance.WEIGHT);
        if (weight != null && !weight.matches("[1-9][0-9]{0,3}")) {
            throw new IllegalArgumentException(at + ".metadata: weight '" + weight + "' (expected: an integer 1..9999)");
        }
        try {
            return new ServiceInstance(id, service, versions, addressMap, meta, ready);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> pairs(String text, String at, String expected) {
        Map<String, String> map = new LinkedHashMap<>();
        if (text.isBlank()) {
            return map;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new IllegalArgumentException(at + ": '" + pair.trim() + "' (expected: " + expected + ", comma-separated)");
            }
            String key = pair.substring(0, eq).trim();
            if (map.put(key, pair.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException(at + ": '" + key + "' appears twice (expected: each key once)");
            }
        }
        return map;
    }

    /** Builds a {@link StaticBackend}. */
    public static final class Builder {
        private final List<ServiceInstance> instances = new ArrayList<>();

        private Builder() {}

        /** Adds an instance. */
        public Builder add(ServiceInstance instance) {
            instances.add(Objects.requireNonNull(instance, "instance"));
            return this;
        }

        /**
         * Adds a ready instance described as in a properties file: {@code contracts} like
         * {@code trips/v1,trips/v2}, {@code addresses} like {@code http=http://10.0.0.7:8080,rpc=10.0.0.7:7000}.
         */
        public Builder instance(String id, String service, String contracts, String addresses) {
            return add(StaticBackend.instance(id, service, contracts, addresses, "", true, "instance." + id));
        }

        /** @throws IllegalArgumentException when two instances share an id */
        public StaticBackend build() {
            return new StaticBackend(instances);
        }
    }
}
