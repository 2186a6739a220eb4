package dev.parley.internal;

import dev.parley.message.Headers;

/**
 * Sets headers without {@link Headers.Builder#set}'s checks, for the runtime's hot paths where
 * the name and value are known to be valid: names from {@code StandardHeaders}, values the
 * runtime generated itself (message ids, traceparents, deadlines) or that a transport already
 * checked on an earlier frame of the same connection. Validating these on every call was the
 * largest single item of a client call's CPU time. Not an API: anything else goes through
 * {@link Headers.Builder#set}.
 */
public final class HeaderAccess {

    /** What {@link Headers} hands out; installed once, by {@link Headers} itself. */
    public interface Setter {
        /** Sets {@code name} (a valid header name) to {@code value} (a valid value) without checking either. */
        Headers.Builder setTrusted(Headers.Builder builder, String name, String value);

        /** Sets {@code name} (a valid header name) to {@code value}, checking the value only. */
        Headers.Builder setValue(Headers.Builder builder, String name, String value);
    }

    private static volatile Setter setter;

    private HeaderAccess() {}

    /** Called by {@link Headers}'s class initializer; a second call fails. */
    public static void install(Setter s) {
        synchronized (HeaderAccess.class) {
            if (setter != null) {
                throw new IllegalStateException("HeaderAccess is installed by dev.parley.message.Headers only, once");
            }
            setter = s;
        }
    }

    public static Setter setter() {
        Setter s = setter;
        if (s == null) {
            Headers.empty(); // initializes Headers, which installs its setter
            s = setter;
        }
        return s;
    }
}
