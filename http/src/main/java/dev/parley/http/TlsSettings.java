package dev.parley.http;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The TLS of one side of an {@link HttpTransport}: its own key and certificate chain, the
 * certificates it trusts, and (on a server) whether clients must present a certificate
 * (mutual TLS). Immutable; one instance can configure any number of transports.
 *
 * <pre>{@code
 * TlsSettings server = TlsSettings.custom()
 *         .certificateChain(Path.of("/etc/trips/tls.crt"))      // PEM, leaf first
 *         .privateKey(Path.of("/etc/trips/tls.key"))            // PEM, unencrypted PKCS#8
 *         .trustedCertificates(Path.of("/etc/trips/ca.crt"))    // the CA that signs client certificates
 *         .requireClientAuth(true)
 *         .build();
 * HttpTransport https = HttpTransport.builder().server(8443).serverTls(server).build();
 * }</pre>
 *
 * <p>Key material comes either from PEM files ({@link Builder#certificateChain} and
 * {@link Builder#privateKey}) or from a {@link KeyStore}; trust material from a PEM file of CA
 * certificates or a {@code KeyStore}, and otherwise from the JDK's default trust store. Only TLS
 * 1.3 and 1.2 are enabled unless {@link Builder#protocols} says otherwise; clients check that
 * the server's certificate names the host they connect to (HTTPS endpoint identification)
 * unless {@link Builder#verifyHostname(boolean)} turns it off. The files are read when a
 * transport is built, so a rotated certificate takes effect with the next transport.
 */
public final class TlsSettings {

    /** The protocols that may be enabled, newest first. */
    private static final List<String> ALLOWED_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final @Nullable Path certificateChain;
    private final @Nullable Path privateKey;
    private final @Nullable KeyStore keyStore;
    private final char[] keyStorePassword;
    private final @Nullable Path trustedCertificates;
    private final @Nullable KeyStore trustStore;
    private final boolean requireClientAuth;
    private final boolean verifyHostname;
    private final List<String> protocols;

    private TlsSettings(Builder b) {
        this.certificateChain = b.certificateChain;
        this.privateKey = b.privateKey;
        this.keyStore = b.keyStore;
        this.keyStorePassword = b.keyStorePassword.clone();
        this.trustedCertificates = b.trustedCertificates;
        this.trustStore = b.trustStore;
        this.requireClientAuth = b.requireClientAuth;
        this.verifyHostname = b.verifyHostname;
        this.protocols = b.protocols;
    }

    /** Client settings that trust the JDK's default CAs, verify the host name, and present no certificate. */
    public static TlsSettings ofDefaults() {
        return custom().build();
    }

    public static Builder custom() {
        return new Builder();
    }

    /** A builder holding every setting of {@code base}, to derive settings from it. */
    public static Builder from(TlsSettings base) {
        Builder b = new Builder();
        b.certificateChain = base.certificateChain;
        b.privateKey = base.privateKey;
        b.keyStore = base.keyStore;
        b.keyStorePassword = base.keyStorePassword.clone();
        b.trustedCertificates = base.trustedCertificates;
        b.trustStore = base.trustStore;
        b.requireClientAuth = base.requireClientAuth;
        b.verifyHostname = base.verifyHostname;
        b.protocols = base.protocols;
        return b;
    }

    /** Whether these settings carry a key and certificate chain, which a server needs and a client presents for mutual TLS. */
    public boolean hasKeyMaterial() {
        return certificateChain != null || keyStore != null;
    }

    public Optional<Path> certificateChain() {
        return Optional.ofNullable(certificateChain);
    }

    public Optional<Path> privateKey() {
        return Optional.ofNullable(privateKey);
    }

    public Optional<KeyStore> keyStore() {
        return Optional.ofNullable(keyStore);
    }

    char[] keyStorePassword() {
        return keyStorePassword.clone();
    }

    public Optional<Path> trustedCertificates() {
        return Optional.ofNullable(trustedCertificates);
    }

    public Optional<KeyStore> trustStore() {
        return Optional.ofNullable(trustStore);
    }

    public boolean requireClientAuth() {
        return requireClientAuth;
    }

    public boolean verifyHostname() {
        return verifyHostname;
    }

    public List<String> protocols() {
        return protocols;
    }

    @Override
    public String toString() {
        String key = certificateChain != null ? "key " + privateKey + " with chain " + certificateChain
                : keyStore != null ? "key store of type " + keyStore.getType() : "no key";
        String trust = trustedCertificates != null ? "trusting " + trustedCertificates
                : trustStore != null ? "trusting a key store of type " + trustStore.getType() : "trusting the JDK's CAs";
        return "TlsSettings(" + key + ", " + trust + (requireClientAuth ? ", client certificate required" : "")
                + (verifyHostname ? "" : ", host name not verified") + ", " + protocols + ")";
    }

    /** Builds {@link TlsSettings}; every setting is optional, but a server needs key material. */
    public static final class Builder {
        private @Nullable Path certificateChain;
        private @Nullable Path privateKey;
        private @Nullable KeyStore keyStore;
        private char[] keyStorePassword = new char[0];
        private @Nullable Path trustedCertificates;
        private @Nullable KeyStore trustStore;
        private boolean requireClientAuth;
        private boolean verifyHostname = true;
        private List<String> protocols = ALLOWED_PROTOCOLS;

        private Builder() {}

        /** A PEM file of this side's certificate, followed by the intermediates up to (not including) the root. */
        public Builder certificateChain(Path value) {
            this.certificateChain = readable("certificateChain", value);
            return this;
        }

        /** A PEM file holding the private key of the {@link #certificateChain}, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}). */
        public Builder privateKey(Path value) {
            this.privateKey = readable("privateKey", value);
            return this;
        }

        /**
         * Key material from a loaded key store (PKCS#12, JKS): its key entries, each unlocked with
         * {@code password}. Excludes {@link #certificateChain} and {@link #privateKey}.
         */
        public Builder keyStore(KeyStore store, char[] password) {
            this.keyStore = Objects.requireNonNull(store, "keyStore");
            this.keyStorePassword = Objects.requireNonNull(password, "keyStore password").clone();
            return this;
        }

        /** A PEM file of the CA certificates to trust, instead of the JDK's default trust store. */
        public Builder trustedCertificates(Path value) {
            this.trustedCertificates = readable("trustedCertificates", value);
            return this;
        }

        /** The certificates of a loaded key store to trust, instead of the JDK's default trust store. */
        public Builder trustStore(KeyStore value) {
            this.trustStore = Objects.requireNonNull(value, "trustStore");
            return this;
        }

        /** Server only: refuse clients that present no certificate signed by a trusted CA (mutual TLS); default false. */
        public Builder requireClientAuth(boolean value) {
            this.requireClientAuth = value;
            return this;
        }

        /**
         * Client only: check that the server's certificate names the target host (DNS or IP
         * subject alternative name); default true. Turn it off only for a fixed, pinned trust store.
         */
        public Builder verifyHostname(boolean value) {
            this.verifyHostname = value;
            return this;
        }

        /** The TLS versions to enable, e.g. {@code "TLSv1.3"} alone; default TLS 1.3 and 1.2. */
        public Builder protocols(String... values) {
            if (values.length == 0) {
                throw new IllegalArgumentException("protocols: [] (expected: one or more of " + ALLOWED_PROTOCOLS + ") for TlsSettings");
            }
            for (String v : values) {
                if (!ALLOWED_PROTOCOLS.contains(v)) {
                    throw new IllegalArgumentException("protocols: '" + v + "' (expected: one or more of " + ALLOWED_PROTOCOLS + ") for TlsSettings");
                }
            }
            List<String> chosen = Arrays.asList(values);
            this.protocols = ALLOWED_PROTOCOLS.stream().filter(chosen::contains).toList();
            return this;
        }

        /**
         * @throws IllegalArgumentException when only one of certificateChain and privateKey is set,
         *                                  or PEM files and a key store are both set
         */
        public TlsSettings build() {
            if ((certificateChain == null) != (privateKey == null)) {
                throw new IllegalArgumentException("certificateChain " + certificateChain + " and privateKey " + privateKey
                        + " (expected: both or neither) for TlsSettings");
            }
            if (certificateChain != null && keyStore != null) {
                throw new IllegalArgumentException("certificateChain and keyStore are both set (expected: one source of key material) for TlsSettings");
            }
            if (trustedCertificates != null && trustStore != null) {
                throw new IllegalArgumentException("trustedCertificates and trustStore are both set (expected: one source of trust) for TlsSettings");
            }
            return new TlsSettings(this);
        }

        private static Path readable(String name, Path value) {
            Objects.requireNonNull(value, name);
            if (!Files.isReadable(value) || Files.isDirectory(value)) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: a readable PEM file) for TlsSettings");
            }
            return value;
        }
    }
}
