package dev.parley.message;

import dev.parley.internal.Checks;
import org.jspecify.annotations.Nullable;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The headers of an {@link Envelope}: an immutable, ordered list of name/value pairs with
 * lower-case names. {@link StandardHeaders} names the ones Parley reads; any other header is
 * passed through untouched by every transport.
 *
 * <p>Names are 1 to 128 characters of {@code a-z 0-9 . _ -}; values are at most 8 KiB and hold
 * no control characters; an envelope carries at most 64 headers. Transports build headers
 * from the wire through {@link #builder()}, which enforces these limits, so hostile input
 * fails with an {@link IllegalArgumentException} naming the header.
 */
public final class Headers {

    public static final int MAX_HEADERS = 64;
    public static final int MAX_NAME_LENGTH = 128;
    public static final int MAX_VALUE_LENGTH = 8192;

    private static final Headers EMPTY = new Headers(new String[0]);

    static {
        dev.parley.internal.HeaderAccess.install(new dev.parley.internal.HeaderAccess.Setter() {
            @Override
            public Builder setTrusted(Builder builder, String name, String value) {
                return builder.put(name, value);
            }

            @Override
            public Builder setValue(Builder builder, String name, String value) {
                Builder.validateValue(name, value);
                return builder.put(name, value);
            }
        });
    }

    // name0, value0, name1, value1, ...: cheaper than a map for the handful of headers a call has.
    private final String[] pairs;

    private Headers(String[] pairs) {
        this.pairs = pairs;
    }

    public static Headers empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder(new String[16], 0);
    }

    /** Headers from a map, validated; order follows the map's iteration order. */
    public static Headers of(Map<String, String> map) {
        Builder b = builder();
        map.forEach(b::set);
        return b.build();
    }

    public Optional<String> get(String name) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(name)) {
                return Optional.of(pairs[i + 1]);
            }
        }
        return Optional.empty();
    }

    /** The value, or {@code null}: for transports on hot paths; user code should prefer {@link #get}. */
    public @Nullable String valueOrNull(String name) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(name)) {
                return pairs[i + 1];
            }
        }
        return null;
    }

    /**
     * The name of the header at {@code index} (0 to {@link #size()} - 1), in order: with
     * {@link #value(int)}, a way for transports to walk the headers without a callback.
     */
    public String name(int index) {
        return pairs[checkIndex(index)];
    }

    /** The value of the header at {@code index} (0 to {@link #size()} - 1). */
    public String value(int index) {
        return pairs[checkIndex(index) + 1];
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= pairs.length / 2) {
            throw new IndexOutOfBoundsException("header index " + index + " (size: " + pairs.length / 2 + ")");
        }
        return index * 2;
    }

    public boolean contains(String name) {
        return valueOrNull(name) != null;
    }

    public int size() {
        return pairs.length / 2;
    }

    public boolean isEmpty() {
        return pairs.length == 0;
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < pairs.length; i += 2) {
            action.accept(pairs[i], pairs[i + 1]);
        }
    }

    public Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        forEach(map::put);
        return Collections.unmodifiableMap(map);
    }

    /** A builder starting from these headers; {@link Builder#set} replaces, so this is how to derive headers. */
    public Builder toBuilder() {
        String[] copy = Arrays.copyOf(pairs, Math.max(16, pairs.length + 8));
        return new Builder(copy, pairs.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Headers h && Arrays.equals(pairs, h.pairs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(pairs);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Headers{");
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) {
                sb.append(", ");
            }
            String value = pairs[i].equals(StandardHeaders.AUTHORIZATION) ? "<redacted>" : pairs[i + 1];
            sb.append(pairs[i]).append('=').append(value);
        }
        return sb.append('}').toString();
    }

    /** Accumulates headers, validating each name and value as it is added. Not thread-safe. */
    public static final class Builder {
        /** The characters of a header name, by code: a table lookup per character (every header of every message is checked). */
        private static final boolean[] NAME_CHARS = new boolean[128];

        static {
            for (char c = 'a'; c <= 'z'; c++) {
                NAME_CHARS[c] = true;
            }
            for (char c = '0'; c <= '9'; c++) {
                NAME_CHARS[c] = true;
            }
            NAME_CHARS['-'] = true;
            NAME_CHARS['_'] = true;
            NAME_CHARS['.'] = true;
        }

        private String[] pairs;
        private int length;

        private Builder(String[] pairs, int length) {
            this.pairs = pairs;
            this.length = length;
        }

        /** Sets a header, replacing an earlier value of the same name. */
        public Builder set(String name, String value) {
            validateName(name);
            validateValue(name, value);
            return put(name, value);
        }

        /** {@link #set} without the checks: for names and values known to be valid (see {@link dev.parley.internal.HeaderAccess}). */
        private Builder put(String name, String value) {
            for (int i = 0; i < length; i += 2) {
                if (pairs[i].equals(name)) {
                    pairs[i + 1] = value;
                    return this;
                }
            }
            if (length / 2 >= MAX_HEADERS) {
                throw new IllegalArgumentException("headers: more than " + MAX_HEADERS + " (adding '" + name + "')");
            }
            if (length == pairs.length) {
                pairs = Arrays.copyOf(pairs, pairs.length * 2);
            }
            pairs[length++] = name;
            pairs[length++] = value;
            return this;
        }

        public Builder remove(String name) {
            for (int i = 0; i < length; i += 2) {
                if (pairs[i].equals(name)) {
                    System.arraycopy(pairs, i + 2, pairs, i, length - i - 2);
                    length -= 2;
                    return this;
                }
            }
            return this;
        }

        public Builder setAll(Headers headers) {
            headers.forEach(this::set);
            return this;
        }

        public Headers build() {
            return length == 0 ? EMPTY : new Headers(Arrays.copyOf(pairs, length));
        }

        private static void validateName(String name) {
            int n = name.length();
            if (n == 0 || n > MAX_NAME_LENGTH) {
                throw new IllegalArgumentException("header name: '" + Checks.abbreviate(name, 40) + "' (expected: 1 to " + MAX_NAME_LENGTH + " characters)");
            }
            for (int i = 0; i < n; i++) {
                char c = name.charAt(i);
                if (c >= 128 || !NAME_CHARS[c]) {
                    throw new IllegalArgumentException("header name: '" + Checks.abbreviate(name, 40)
                            + "' (expected: lower-case letters, digits, '-', '_' or '.')");
                }
            }
        }

        private static void validateValue(String name, String value) {
            int n = value.length();
            if (n > MAX_VALUE_LENGTH) {
                throw new IllegalArgumentException("header " + name + ": value of " + n + " characters (limit: " + MAX_VALUE_LENGTH + ")");
            }
            for (int i = 0; i < n; i++) {
                char c = value.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    throw new IllegalArgumentException("header " + name + ": value contains control character 0x"
                            + Integer.toHexString(c) + " at " + i);
                }
            }
        }
    }
}
