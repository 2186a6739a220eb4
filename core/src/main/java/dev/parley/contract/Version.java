package dev.parley.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A contract's semantic version, {@code major.minor}. Consumers of one major version can talk
 * to any provider of the same major version with an equal or higher minor version.
 */
public record Version(int major, int minor) implements Comparable<Version> {

    public Version {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("version: " + major + "." + minor + " (expected: major.minor, both >= 0)");
        }
    }

    /** Parses {@code "1.2"}; throws {@link IllegalArgumentException} naming the text otherwise. */
    @JsonCreator
    public static Version parse(String text) {
        int dot = text.indexOf('.');
        if (dot <= 0 || dot == text.length() - 1 || text.indexOf('.', dot + 1) >= 0) {
            throw new IllegalArgumentException("version: '" + text + "' (expected: major.minor such as 1.0)");
        }
        try {
            return new Version(Integer.parseInt(text, 0, dot, 10), Integer.parseInt(text, dot + 1, text.length(), 10));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("version: '" + text + "' (expected: major.minor such as 1.0)", e);
        }
    }

    @Override
    public int compareTo(Version other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @JsonValue
    @Override
    public String toString() {
        return major + "." + minor;
    }
}
