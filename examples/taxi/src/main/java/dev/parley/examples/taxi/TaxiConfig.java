package dev.parley.examples.taxi;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The showcase's settings: the embedded defaults ({@code taxi-defaults.properties}), overridden
 * by a file ({@code -Dtaxi.config=path}) and then by {@code taxi.*} system properties. Every
 * value is checked when the configuration is built, and an error names the key, the value,
 * what was expected and where it came from.
 */
public final class TaxiConfig {

    /** Which broker carries events and gathers. */
    public enum Broker { INPROCESS, RABBITMQ, KAFKA, NATS }

    /** Where services find each other. */
    public enum Discovery { EMBEDDED, ETCD }

    /** The parts of the application a process runs. */
    public enum Role {
        ALL, REGISTRY, PASSENGERS, PAYMENTS, TRIP_MANAGEMENT, DISPATCHER, DRIVERS, NOTIFICATION, PARTNER, PASSENGER_APP;

        static Role parse(String value) {
            return Role.valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        /** The name used on the command line, e.g. {@code trip-management}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** One driver of the fleet. */
    public record DriverSpec(String id, int etaSeconds, boolean onDuty) {}

    private static final String DEFAULTS = "taxi-defaults.properties";

    private final Properties values;
    private final Map<String, String> origins;

    private TaxiConfig(Properties values, Map<String, String> origins) {
        this.values = values;
        this.origins = origins;
        validate();
    }

    /** The embedded defaults, then {@code -Dtaxi.config} if set, then {@code taxi.*} system properties. */
    public static TaxiConfig load() {
        Properties overrides = new Properties();
        String file = System.getProperty("taxi.config");
        if (file != null && !file.isBlank()) {
            overrides.putAll(readFile(Path.of(file)));
        }
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("taxi.") && !key.equals("taxi.config")) {
                overrides.setProperty(key, System.getProperty(key));
            }
        }
        return defaults(overrides);
    }

    /** The embedded defaults with {@code overrides} applied (used by tests and {@link #load()}). */
    public static TaxiConfig defaults(Map<?, ?> overrides) {
        Properties values = new Properties();
        try (InputStream in = TaxiConfig.class.getResourceAsStream("/" + DEFAULTS)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULTS + " is missing from the class path");
            }
            values.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> origins = new java.util.HashMap<>();
        values.stringPropertyNames().forEach(k -> origins.put(k, DEFAULTS));
        overrides.forEach((k, v) -> {
            String key = String.valueOf(k);
            if (!values.containsKey(key)) {
                throw new IllegalArgumentException("unknown setting " + key + "=" + v + " (expected one of: "
                        + new java.util.TreeSet<>(values.stringPropertyNames()) + ")");
            }
            values.setProperty(key, String.valueOf(v));
            origins.put(key, "overrides");
        });
        return new TaxiConfig(values, origins);
    }

    private static Properties readFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("taxi.config: cannot read " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        return p;
    }

    private void validate() {
        role();
        broker();
        host();
        discovery();
        etcdEndpoints();
        for (String service : List.of("trips", "passengers", "partner", "payments", "registry")) {
            port(service);
        }
        pluginPollInterval();
        for (String client : List.of("passengers", "pricing", "payments", "events", "trips")) {
            deadline(client);
        }
        drivers();
        offerWindow();
        breakerWait();
        passengerAppInterval();
        if (string("taxi.tokens.issuer").isBlank()) {
            throw invalid("taxi.tokens.issuer", "a non-blank issuer URI");
        }
    }

    public Role role() {
        String value = string("taxi.role");
        try {
            return Role.parse(value);
        } catch (IllegalArgumentException e) {
            throw invalid("taxi.role", "one of all, registry, passengers, payments, trip-management, dispatcher, drivers, notification, partner, passenger-app");
        }
    }

    public Broker broker() {
        try {
            return Broker.valueOf(string("taxi.broker").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("taxi.broker", "inprocess, rabbitmq, kafka or nats");
        }
    }

    public Discovery discovery() {
        try {
            return Discovery.valueOf(string("taxi.discovery").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("taxi.discovery", "embedded or etcd");
        }
    }

    /** The etcd endpoints, for {@code taxi.discovery=etcd}. */
    public List<String> etcdEndpoints() {
        List<String> urls = List.of(string("taxi.etcd.endpoints").split("\\s*,\\s*"));
        if (urls.isEmpty() || urls.stream().anyMatch(u -> !u.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+(:\\d{1,5})?/?"))) {
            throw invalid("taxi.etcd.endpoints", "comma-separated http(s)://host:port URLs");
        }
        return urls;
    }

    public String host() {
        String host = string("taxi.host");
        if (!host.matches("[A-Za-z0-9.:\\-]{1,253}")) {
            throw invalid("taxi.host", "a host name or IP address");
        }
        return host;
    }

    /** The port of {@code service} (trips, passengers, partner, payments, registry); 0 picks a free one. */
    public int port(String service) {
        String key = "taxi." + service + ".port";
        try {
            int port = Integer.parseInt(string(key));
            if (port >= 0 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(key, "a port in 0..65535 (0: any free port)");
    }

    public String rabbitMqUri() {
        return string("taxi.rabbitmq.uri");
    }

    public String natsUrl() {
        return string("taxi.nats.url");
    }

    public String kafkaBootstrapServers() {
        return string("taxi.kafka.bootstrapServers");
    }

    public Path dataDir() {
        return Path.of(string("taxi.dataDir"));
    }

    public Path pluginsDir() {
        String dir = string("taxi.plugins.dir");
        return dir.isBlank() ? dataDir().resolve("plugins") : Path.of(dir);
    }

    public Duration pluginPollInterval() {
        return positiveDuration("taxi.plugins.pollInterval");
    }

    /** The deadline of calls to {@code client}: passengers, pricing, payments, events or trips. */
    public Duration deadline(String client) {
        return positiveDuration("taxi." + client + ".deadline");
    }

    public List<DriverSpec> drivers() {
        String key = "taxi.drivers";
        List<DriverSpec> fleet = new ArrayList<>();
        for (String entry : string(key).split(",")) {
            String[] parts = entry.trim().split(":");
            if (parts.length != 2 || !parts[0].matches("[A-Za-z0-9._-]{1,64}")) {
                throw invalid(key, "a list of id:etaSeconds or id:off, e.g. driver-17:240,driver-7:off");
            }
            if (parts[1].equals("off")) {
                fleet.add(new DriverSpec(parts[0], 0, false));
                continue;
            }
            try {
                int eta = Integer.parseInt(parts[1]);
                if (eta > 0 && eta <= 86_400) {
                    fleet.add(new DriverSpec(parts[0], eta, true));
                    continue;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw invalid(key, "an ETA in seconds (1..86400) or 'off' after '" + parts[0] + ":'");
        }
        return List.copyOf(fleet);
    }

    public Duration offerWindow() {
        return positiveDuration("taxi.dispatch.offerWindow");
    }

    public Duration breakerWait() {
        return positiveDuration("taxi.dispatch.breakerWait");
    }

    /** Zero: the passenger app sends only its first requests. */
    public Duration passengerAppInterval() {
        Duration d = duration("taxi.passengerApp.interval");
        if (d.isNegative()) {
            throw invalid("taxi.passengerApp.interval", "a duration >= PT0S");
        }
        return d;
    }

    public String tokenIssuer() {
        return string("taxi.tokens.issuer");
    }

    /** This configuration with {@code key} set to {@code value}. */
    public TaxiConfig with(String key, Object value) {
        Properties copy = new Properties();
        copy.putAll(values);
        Map<String, String> o = new java.util.HashMap<>(origins);
        if (!copy.containsKey(key)) {
            throw new IllegalArgumentException("unknown setting " + key);
        }
        copy.setProperty(key, String.valueOf(value));
        o.put(key, "code");
        return new TaxiConfig(copy, o);
    }

    private Duration positiveDuration(String key) {
        Duration d = duration(key);
        if (d.isZero() || d.isNegative()) {
            throw invalid(key, "a duration > 0");
        }
        return d;
    }

    private Duration duration(String key) {
        try {
            return Duration.parse(string(key));
        } catch (DateTimeParseException e) {
            throw invalid(key, "an ISO-8601 duration such as PT0.5S");
        }
    }

    private String string(String key) {
        return values.getProperty(key, "").trim();
    }

    private IllegalArgumentException invalid(String key, String expected) {
        return new IllegalArgumentException(key + ": '" + string(key) + "' (expected: " + expected + ") in " + origins.get(key));
    }
}
