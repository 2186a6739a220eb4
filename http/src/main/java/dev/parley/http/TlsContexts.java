package dev.parley.http;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Netty {@link SslContext}s from {@link TlsSettings}, on the JDK's TLS provider: key material,
 * trust, client authentication, host name verification and protocols, for every Parley transport
 * on Netty (the binary RPC transport builds on {@link #server(TlsSettings, String, UnaryOperator)}
 * and {@link #client(TlsSettings, String, UnaryOperator)}); HTTP adds ciphers acceptable to HTTP/2
 * (RFC 9113, appendix A) and ALPN.
 *
 * <p>PEM private keys and chains are read here ({@code PemKeys}: PKCS#8, encrypted PKCS#8, PKCS#1
 * RSA, SEC 1 EC) and handed to Netty as objects, so what is accepted does not depend on whether
 * BouncyCastle happens to be on the class path (Netty parses more forms when it is). Key stores
 * go through a {@link KeyManagerFactory}. Every failure is an {@link IllegalArgumentException}
 * that starts with the side ({@code serverTls: } / {@code clientTls: }), names the file or store
 * and ends with the owning transport.
 */
public final class TlsContexts {

    private TlsContexts() {}

    /** A server context that offers h2 and http/1.1 by ALPN (a client without ALPN gets http/1.1). */
    static SslContext server(TlsSettings settings) {
        return server(settings, "HttpTransport",
                b -> http(b, List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)));
    }

    /** A client context offering {@code h2} and {@code http/1.1}, or only {@code http/1.1}. */
    static SslContext client(TlsSettings settings, boolean offerH2) {
        return client(settings, "HttpTransport", b -> http(b, offerH2
                ? List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)
                : List.of(ApplicationProtocolNames.HTTP_1_1)));
    }

    /**
     * A server context with the settings' key material (PEM files or a key store), trust and
     * client authentication; {@code protocol} adds what the transport needs (ALPN, ciphers).
     * Errors name the setting and {@code owner}, e.g. {@code serverTls: ... for RpcTransport}.
     */
    public static SslContext server(TlsSettings settings, String owner, UnaryOperator<SslContextBuilder> protocol) {
        if (!settings.hasKeyMaterial()) {
            throw new IllegalArgumentException("serverTls: " + settings
                    + " (expected: certificateChain and privateKey, or keyStore) for " + owner);
        }
        try {
            SslContextBuilder b = settings.certificateChain().isPresent()
                    ? SslContextBuilder.forServer(pemKey(settings, "serverTls", owner), pemChain(settings, "serverTls", owner))
                    : SslContextBuilder.forServer(keyManagers(settings, "serverTls", owner));
            trust(b, settings);
            b.clientAuth(settings.requireClientAuth() ? ClientAuth.REQUIRE : ClientAuth.NONE);
            return protocol.apply(b.sslProvider(SslProvider.JDK).protocols(settings.protocols())).build();
        } catch (SSLException | GeneralSecurityException | RuntimeException e) {
            throw failed("serverTls", settings, owner, e);
        }
    }

    /**
     * A client context with the settings' trust, host name verification and, for mutual TLS, key
     * material; {@code protocol} adds what the transport needs (ALPN, ciphers).
     */
    public static SslContext client(TlsSettings settings, String owner, UnaryOperator<SslContextBuilder> protocol) {
        if (settings.requireClientAuth()) {
            throw new IllegalArgumentException("clientTls: requireClientAuth is set (expected: only in serverTls) for " + owner);
        }
        try {
            SslContextBuilder b = SslContextBuilder.forClient();
            if (settings.certificateChain().isPresent()) {
                b.keyManager(pemKey(settings, "clientTls", owner), pemChain(settings, "clientTls", owner));
            } else if (settings.keyStore().isPresent()) {
                b.keyManager(keyManagers(settings, "clientTls", owner));
            }
            trust(b, settings);
            b.endpointIdentificationAlgorithm(settings.verifyHostname() ? "HTTPS" : null);
            return protocol.apply(b.sslProvider(SslProvider.JDK).protocols(settings.protocols())).build();
        } catch (SSLException | GeneralSecurityException | RuntimeException e) {
            throw failed("clientTls", settings, owner, e);
        }
    }

    private static SslContextBuilder http(SslContextBuilder b, List<String> alpn) {
        return b.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
    }

    private static void trust(SslContextBuilder b, TlsSettings settings) throws GeneralSecurityException {
        if (settings.trustedCertificates().isPresent()) {
            b.trustManager(settings.trustedCertificates().get().toFile());
        } else if (settings.trustStore().isPresent()) {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(settings.trustStore().get());
            b.trustManager(factory);
        }
        // else: the JDK's default trust store
    }

    /** The PEM private key, read here (not by Netty, whose parsing depends on BouncyCastle being on the class path). */
    private static PrivateKey pemKey(TlsSettings settings, String side, String owner) {
        char[] password = settings.privateKeyPassword();
        try {
            return PemKeys.privateKey(settings.privateKey().orElseThrow(), password);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(side + ": " + e.getMessage() + " for " + owner, e);
        } finally {
            if (password != null) {
                java.util.Arrays.fill(password, '\0');
            }
        }
    }

    private static X509Certificate[] pemChain(TlsSettings settings, String side, String owner) {
        try {
            return PemKeys.certificates(settings.certificateChain().orElseThrow());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(side + ": " + e.getMessage() + " for " + owner, e);
        }
    }

    private static KeyManagerFactory keyManagers(TlsSettings settings, String side, String owner) throws GeneralSecurityException {
        KeyStore store = settings.keyStore().orElseThrow();
        List<String> keys = new java.util.ArrayList<>();
        for (String alias : java.util.Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                keys.add(alias);
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(side + ": the key store of type " + store.getType()
                    + " holds no private key entry (expected: a key with its certificate chain) for " + owner);
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        char[] password = settings.keyStorePassword();
        try {
            factory.init(store, password);
        } catch (java.security.UnrecoverableKeyException e) {
            // The JDK says "Get Key failed: Given final block not properly padded...": say what it means.
            throw new IllegalArgumentException(side + ": the keyStore password does not unlock the private key entries " + keys
                    + " of the key store of type " + store.getType() + " (expected: the password the keys were stored with) for "
                    + owner, e);
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
        return factory;
    }

    private static IllegalArgumentException failed(String side, TlsSettings settings, String owner, Exception e) {
        if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith(side)) {
            return iae;
        }
        return new IllegalArgumentException(side + ": cannot load " + settings + ": " + e.getMessage() + " for " + owner, e);
    }
}
