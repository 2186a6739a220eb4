package dev.parley.http;

import dev.parley.net.AddressClass;
import dev.parley.net.HostResolver;
import dev.parley.net.SsrfPolicy;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Whether and how the server POSTs the result of an async operation to the callback URL a
 * caller names in the {@code parley-callback} request header (see docs/wire-formats.md,
 * "Asynchronous replies"). Off unless set with {@link HttpTransport.Builder#asyncCallbacks}:
 * a callback makes the server send requests to a URL chosen by its caller, across a trust
 * boundary, so the URL goes through core's SSRF guard ({@link SsrfPolicy}, the one webhooks
 * use): only {@code http}/{@code https} URLs to {@link AddressClass#PUBLIC public} addresses are
 * accepted unless {@link Builder#allowPrivateNetworks()} says otherwise; cloud metadata
 * addresses are always refused. Each attempt resolves the host once, checks every address and
 * connects to the checked one ({@link dev.parley.net.GuardedHttpClient}), so a DNS answer that
 * changes in between cannot redirect it. Redirects are not followed.
 *
 * <pre>{@code
 * HttpTransport.builder().server(8080)
 *         .asyncCallbacks(AsyncCallbacks.builder().signingSecret(secret).build())
 * }</pre>
 *
 * <p>Each callback is tried {@link Builder#attempts} times at most, each attempt bounded by
 * {@link Builder#timeout}, waiting {@link Builder#backoff} (doubled after each attempt) in
 * between; a 2xx answer ends it, and a callback given up is logged at warn level. The result
 * stays at the operation's status resource either way. Immutable.
 */
public final class AsyncCallbacks {

    private final boolean allowPrivateNetworks;
    private final SsrfPolicy ssrfPolicy;
    private final HostResolver resolver;
    private final byte @Nullable [] signingSecret;
    private final Duration timeout;
    private final int attempts;
    private final Duration backoff;

    private AsyncCallbacks(Builder b) {
        this.allowPrivateNetworks = b.allowPrivateNetworks;
        this.ssrfPolicy = b.allowPrivateNetworks
                ? SsrfPolicy.strict().allowing(AddressClass.LOOPBACK, AddressClass.PRIVATE, AddressClass.LINK_LOCAL)
                : SsrfPolicy.strict();
        this.resolver = b.resolver;
        this.signingSecret = b.signingSecret == null ? null : b.signingSecret.clone();
        this.timeout = b.timeout;
        this.attempts = b.attempts;
        this.backoff = b.backoff;
    }

    /** Public addresses only, unsigned, 4 attempts of at most 5 s, 1 s backoff doubling. */
    public static AsyncCallbacks defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Which callback targets may be called: public addresses, plus private networks when allowed. */
    SsrfPolicy ssrfPolicy() {
        return ssrfPolicy;
    }

    HostResolver resolver() {
        return resolver;
    }

    byte @Nullable [] signingSecret() {
        return signingSecret;
    }

    Duration timeout() {
        return timeout;
    }

    int attempts() {
        return attempts;
    }

    Duration backoff() {
        return backoff;
    }

    @Override
    public String toString() {
        return "AsyncCallbacks{allowPrivateNetworks=" + allowPrivateNetworks + ", signed=" + (signingSecret != null)
                + ", timeout=" + timeout + ", attempts=" + attempts + ", backoff=" + backoff + "}";
    }

    /** Settings of {@link AsyncCallbacks}. */
    public static final class Builder {
        private boolean allowPrivateNetworks;
        private HostResolver resolver = HostResolver.system();
        private byte @Nullable [] signingSecret;
        private Duration timeout = Duration.ofSeconds(5);
        private int attempts = 4;
        private Duration backoff = Duration.ofSeconds(1);

        private Builder() {}

        /**
         * Also accept callback URLs on loopback, private (RFC 1918, carrier-grade NAT, IPv6
         * unique-local) and link-local addresses: for tests and for servers whose callers are
         * all inside the network. Metadata addresses stay refused.
         */
        public Builder allowPrivateNetworks() {
            this.allowPrivateNetworks = true;
            return this;
        }

        /**
         * How callback host names become addresses; default {@link HostResolver#system()}. Every
         * address an answer holds is checked, and the attempt connects to the checked one.
         */
        public Builder resolver(HostResolver value) {
            this.resolver = Objects.requireNonNull(value, "resolver");
            return this;
        }

        /**
         * Sign each callback with HMAC-SHA256 under this secret (at least 16 bytes), sent as
         * {@code parley-callback-signature: v1=<base64>} over {@code <operation id>.<timestamp>.<body>}.
         */
        public Builder signingSecret(byte[] value) {
            Objects.requireNonNull(value, "signingSecret");
            if (value.length < 16) {
                throw new IllegalArgumentException("signingSecret: " + value.length + " bytes (expected: >= 16) for AsyncCallbacks");
            }
            this.signingSecret = value.clone();
            return this;
        }

        /** The bound of one attempt, connecting included; default 5 s. */
        public Builder timeout(Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException("timeout: " + value + " (expected: > 0) for AsyncCallbacks");
            }
            this.timeout = value;
            return this;
        }

        /** Attempts per callback, the first included; default 4. */
        public Builder attempts(int value) {
            if (value < 1 || value > 20) {
                throw new IllegalArgumentException("attempts: " + value + " (expected: 1 to 20) for AsyncCallbacks");
            }
            this.attempts = value;
            return this;
        }

        /** The wait before the second attempt, doubled before each later one; default 1 s. */
        public Builder backoff(Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("backoff: " + value + " (expected: >= 0) for AsyncCallbacks");
            }
            this.backoff = value;
            return this;
        }

        public AsyncCallbacks build() {
            return new AsyncCallbacks(this);
        }
    }
}
