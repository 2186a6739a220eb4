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
 *         .privateKey(Path.of("/etc/trips/tls.key"))            // PEM: PKCS#8, encrypted PKCS#8, PKCS#1 RSA or SEC 1 EC
 *         .trustedCertificates(Path.of("/etc/trips/ca.crt"))    // the CA that signs client certificates
 *         .requireClientAuth(true)
 *         .build();
 * HttpTransport https = HttpTransport.builder().server(8443).serverTls(server).build();
 * }</pre>
 *
 * <p>Key material comes either from PEM files ({@link Builder#certificateChain} and
 * {@link Builder#privateKey}, with {@link Builder#privateKeyPassword} for an encrypted key) or
 * from a {@link KeyStore}; trust material from a PEM file of CA certificates or a
 * {@code KeyStore}, and otherwise from the JDK's default trust store. The same settings
 * configure the HTTP transport and the binary RPC transport ({@code RpcTransport}), and both
 * load them the same way, with the JDK alone (no BouncyCastle needed): problems (a wrong
 * password, a truncated or garbled PEM file, a key store without a key) fail the transport's
 * {@code build()} with an {@link IllegalArgumentException} that names the file or store. Only TLS
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
    private final char @Nullable [] privateKeyPassword;
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
        this.privateKeyPassword = b.privateKeyPassword == null ? null : b.privateKeyPassword.clone();
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
        b.privateKeyPassword = base.privateKeyPassword == null ? null : base.privateKeyPassword.clone();
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

    /** The password of an encrypted {@link #privateKey}, a copy the caller clears; null when none is set. */
    char @Nullable [] privateKeyPassword() {
        return privateKeyPassword == null ? null : privateKeyPassword.clone();
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
        String key = certificateChain != null ? "key " + privateKey + (privateKeyPassword != null ? " (with a password)" : "")
                + " with chain " + certificateChain
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
        private char @Nullable [] privateKeyPassword;
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

        /**
         * A PEM file holding the private key of the {@link #certificateChain}, in any of the forms
         * OpenSSL writes:
         * <ul>
         *   <li>{@code BEGIN PRIVATE KEY}: PKCS#8, unencrypted (RSA, RSASSA-PSS, EC, Ed25519, Ed448, DSA);</li>
         *   <li>{@code BEGIN ENCRYPTED PRIVATE KEY}: PKCS#8 encrypted with a password (OpenSSL's default PBES2 with
         *       AES), unlocked with {@link #privateKeyPassword};</li>
         *   <li>{@code BEGIN RSA PRIVATE KEY}: PKCS#1 RSA, unencrypted;</li>
         *   <li>{@code BEGIN EC PRIVATE KEY}: SEC 1 EC on a named curve, unencrypted (an {@code EC PARAMETERS} block
         *       before it is fine).</li>
         * </ul>
         * RSA and EC keys encrypted the legacy way ({@code Proc-Type: 4,ENCRYPTED} headers) are refused; convert
         * them with {@code openssl pkcs8 -topk8}. The file is read when a transport is built.
         */
        public Builder privateKey(Path value) {
            this.privateKey = readable("privateKey", value);
            return this;
        }

        /**
         * The password of an encrypted {@link #privateKey} ({@code BEGIN ENCRYPTED PRIVATE KEY}); ignored for a key
         * that is not encrypted. Copied; clear your array when done.
         */
        public Builder privateKeyPassword(char[] password) {
            Objects.requireNonNull(password, "privateKeyPassword");
            this.privateKeyPassword = password.clone();
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
         * Sets one setting from text, as a configuration file gives it, by the name of its builder
         * method: {@code certificateChain}, {@code privateKey}, {@code trustedCertificates} (paths
         * of readable PEM files), {@code privateKeyPassword}, {@code requireClientAuth} and
         * {@code verifyHostname} ({@code true} or {@code false}), {@code protocols}
         * (comma-separated, e.g. {@code TLSv1.3}). Key stores can be given in code only. This is
         * how {@code HttpTransport.fromProperties} and {@code RpcTransport.fromProperties} read
         * their {@code serverTls.*} and {@code clientTls.*} keys.
         *
         * @throws IllegalArgumentException for an unknown setting or a malformed value, saying what was expected
         */
        public Builder set(String setting, String value) {
            Objects.requireNonNull(setting, "setting");
            Objects.requireNonNull(value, "value");
            return switch (setting) {
                case "certificateChain" -> certificateChain(Path.of(value));
                case "privateKey" -> privateKey(Path.of(value));
                case "privateKeyPassword" -> privateKeyPassword(value.toCharArray());
                case "trustedCertificates" -> trustedCertificates(Path.of(value));
                case "requireClientAuth" -> requireClientAuth(bool(value));
                case "verifyHostname" -> verifyHostname(bool(value));
                case "protocols" -> protocols(Arrays.stream(value.split(",", -1)).map(String::trim).toArray(String[]::new));
                default -> throw new IllegalArgumentException("unknown TLS setting (expected: certificateChain, privateKey, "
                        + "privateKeyPassword, trustedCertificates, requireClientAuth, verifyHostname or protocols)");
            };
        }

        private static boolean bool(String value) {
            return switch (value) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException("expected: true or false");
            };
        }

        /**
         * @throws IllegalArgumentException when only one of certificateChain and privateKey is set,
         *                                  privateKeyPassword without privateKey, or PEM files and a key store are both set
         */
        public TlsSettings build() {
            if ((certificateChain == null) != (privateKey == null)) {
                throw new IllegalArgumentException("certificateChain " + certificateChain + " and privateKey " + privateKey
                        + " (expected: both or neither) for TlsSettings");
            }
            if (privateKeyPassword != null && privateKey == null) {
                throw new IllegalArgumentException("privateKeyPassword is set without privateKey (expected: the password of the "
                        + "privateKey PEM file; a key store has its own password) for TlsSettings");
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
