package dev.parley.discovery;

import java.time.Duration;
import java.util.Properties;

/**
 * When a failing instance is taken out of rotation and for how long. An instance whose calls
 * fail with transport failures ({@code connection refused}, a broken connection, a
 * {@code 503} from a draining server, a breaker open) {@link #failuresToEject()} times in a
 * row is ejected for {@link #baseEjection()}; after that one trial call is let through: if it
 * succeeds the instance is back, if it fails it is ejected again for twice as long, up to
 * {@link #maxEjection()}. Answers that are application errors (not found, invalid argument)
 * and calls the caller cancelled do not count. Immutable.
 *
 * <pre>{@code
 * EjectionPolicy policy = EjectionPolicy.custom().failuresToEject(2).baseEjection(Duration.ofMillis(500)).build();
 * }</pre>
 */
public final class EjectionPolicy {

    private static final EjectionPolicy DEFAULTS = new Builder().build();

    private final int failuresToEject;
    private final Duration baseEjection;
    private final Duration maxEjection;

    private EjectionPolicy(Builder b) {
        this.failuresToEject = b.failuresToEject;
        this.baseEjection = b.baseEjection;
        this.maxEjection = b.maxEjection;
    }

    /** One failure ejects for 1 s, doubling up to 30 s. */
    public static EjectionPolicy ofDefaults() {
        return DEFAULTS;
    }

    public static Builder custom() {
        return new Builder();
    }

    public static Builder from(EjectionPolicy base) {
        Builder b = new Builder();
        b.failuresToEject = base.failuresToEject;
        b.baseEjection = base.baseEjection;
        b.maxEjection = base.maxEjection;
        return b;
    }

    /**
     * A policy set from properties whose keys start with {@code prefix} (e.g.
     * {@code parley.discovery.ejection.}): {@code failuresToEject}, {@code baseEjection},
     * {@code maxEjection}; unset keys keep their defaults.
     *
     * @throws IllegalArgumentException naming the key and value, for unknown keys and malformed values
     */
    public static EjectionPolicy fromProperties(Properties properties, String prefix) {
        Builder b = custom();
        for (String key : new java.util.TreeSet<>(properties.stringPropertyNames())) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            String value = properties.getProperty(key).trim();
            Settings.apply(key, value, switch (key.substring(prefix.length())) {
                case "failuresToEject" -> v -> b.failuresToEject(Settings.integer(key, v));
                case "baseEjection" -> v -> b.baseEjection(Settings.duration(key, v));
                case "maxEjection" -> v -> b.maxEjection(Settings.duration(key, v));
                default -> throw new IllegalArgumentException(key + ": unknown EjectionPolicy setting (expected: failuresToEject, "
                        + "baseEjection or maxEjection)");
            });
        }
        return b.build();
    }

    /** Consecutive transport failures that eject an instance. */
    public int failuresToEject() {
        return failuresToEject;
    }

    /** How long the first ejection lasts. */
    public Duration baseEjection() {
        return baseEjection;
    }

    /** The longest ejection, however often the trial calls fail. */
    public Duration maxEjection() {
        return maxEjection;
    }

    /** The ejection after {@code ejections} ejections in a row (1 for the first): base doubled each time, capped. */
    long ejectionNanos(int ejections) {
        long base = baseEjection.toNanos();
        long max = maxEjection.toNanos();
        int shift = Math.min(ejections - 1, 30);
        long value = base << shift;
        return value <= 0 || value > max || (value >> shift) != base ? max : value;
    }

    @Override
    public String toString() {
        return "EjectionPolicy{failuresToEject=" + failuresToEject + ", baseEjection=" + baseEjection + ", maxEjection=" + maxEjection + "}";
    }

    /** Builds an {@link EjectionPolicy}. */
    public static final class Builder {
        private int failuresToEject = 1;
        private Duration baseEjection = Duration.ofSeconds(1);
        private Duration maxEjection = Duration.ofSeconds(30);

        private Builder() {}

        public Builder failuresToEject(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("failuresToEject: " + value + " (expected: >= 1) for EjectionPolicy");
            }
            this.failuresToEject = value;
            return this;
        }

        public Builder baseEjection(Duration value) {
            this.baseEjection = positive("baseEjection", value);
            return this;
        }

        public Builder maxEjection(Duration value) {
            this.maxEjection = positive("maxEjection", value);
            return this;
        }

        /** @throws IllegalArgumentException when baseEjection exceeds maxEjection */
        public EjectionPolicy build() {
            if (baseEjection.compareTo(maxEjection) > 0) {
                throw new IllegalArgumentException("baseEjection: " + baseEjection + " (expected: <= maxEjection " + maxEjection + ") for EjectionPolicy");
            }
            return new EjectionPolicy(this);
        }

        private static Duration positive(String name, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0) for EjectionPolicy");
            }
            return value;
        }
    }
}
