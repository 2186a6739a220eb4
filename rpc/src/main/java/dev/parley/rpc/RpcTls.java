package dev.parley.rpc;

import dev.parley.http.TlsSettings;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Netty {@link SslContext}s for the RPC transport from the {@link TlsSettings} the HTTP
 * transport uses (one settings type for every Parley TLS). No ALPN: the RPC handshake names the
 * protocol and its version. Key material from a key store is not supported yet, because the
 * store's password is not readable outside the HTTP module.
 */
final class RpcTls {

    private RpcTls() {}

    static SslContext server(TlsSettings settings) {
        if (!settings.hasKeyMaterial() || settings.certificateChain().isEmpty()) {
            throw new IllegalArgumentException("serverTls: " + settings
                    + " (expected: certificateChain and privateKey PEM files) for RpcTransport");
        }
        try {
            SslContextBuilder b = SslContextBuilder.forServer(settings.certificateChain().get().toFile(),
                    settings.privateKey().orElseThrow().toFile());
            trust(b, settings);
            b.clientAuth(settings.requireClientAuth() ? ClientAuth.REQUIRE : ClientAuth.NONE);
            return b.sslProvider(SslProvider.JDK).protocols(settings.protocols()).build();
        } catch (SSLException | GeneralSecurityException | RuntimeException e) {
            throw failed("serverTls", settings, e);
        }
    }

    static SslContext client(TlsSettings settings) {
        if (settings.requireClientAuth()) {
            throw new IllegalArgumentException("clientTls: requireClientAuth is set (expected: only in serverTls) for RpcTransport");
        }
        if (settings.keyStore().isPresent()) {
            throw new IllegalArgumentException("clientTls: " + settings + " (expected: certificateChain and privateKey PEM files; "
                    + "key stores are not supported by RpcTransport yet)");
        }
        try {
            SslContextBuilder b = SslContextBuilder.forClient();
            if (settings.certificateChain().isPresent()) {
                b.keyManager(settings.certificateChain().get().toFile(), settings.privateKey().orElseThrow().toFile());
            }
            trust(b, settings);
            b.endpointIdentificationAlgorithm(settings.verifyHostname() ? "HTTPS" : null);
            return b.sslProvider(SslProvider.JDK).protocols(settings.protocols()).build();
        } catch (SSLException | GeneralSecurityException | RuntimeException e) {
            throw failed("clientTls", settings, e);
        }
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

    private static IllegalArgumentException failed(String side, TlsSettings settings, Exception e) {
        if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith(side)) {
            return iae;
        }
        return new IllegalArgumentException(side + ": cannot load " + settings + ": " + e.getMessage() + " for RpcTransport", e);
    }
}
