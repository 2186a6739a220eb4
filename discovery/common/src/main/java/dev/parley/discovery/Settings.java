package dev.parley.discovery;

import java.time.Duration;
import java.util.function.Consumer;

/** Parsing of settings read from properties files and command lines, with messages naming the key. */
final class Settings {
    private Settings() {}

    static int integer(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' (expected: an integer)", e);
        }
    }

    static Duration duration(String key, String value) {
        try {
            return Duration.parse(value.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' (expected: an ISO-8601 duration such as PT2S)", e);
        }
    }

    static boolean bool(String key, String value) {
        return switch (value.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + ": '" + value + "' (expected: true or false)");
        };
    }

    /** Applies a setter, prefixing the key to its validation message when it is not already there. */
    static void apply(String key, String value, Consumer<String> setter) {
        try {
            setter.accept(value);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(key)) {
                throw e;
            }
            throw new IllegalArgumentException(key + ": '" + value + "': " + e.getMessage(), e);
        }
    }
}
