package dev.parley.internal;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Argument checks shared by Parley's modules; messages name the value and what was expected. */
public final class Checks {
    private Checks() {}

    /** @throws IllegalArgumentException {@code name: value (expected: > 0)} unless {@code value} is positive */
    public static Duration requirePositive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    /**
     * {@code text} cut to {@code max} characters plus "..." when longer, for echoing untrusted input
     * in error messages and logs without echoing all of it; "" for null.
     */
    public static String abbreviate(@Nullable String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() > max ? text.substring(0, max) + "..." : text;
    }
}
