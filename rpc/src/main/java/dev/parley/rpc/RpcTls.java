package dev.parley.rpc;

import dev.parley.http.TlsContexts;
import dev.parley.http.TlsSettings;
import io.netty.handler.ssl.SslContext;

/**
 * Netty {@link SslContext}s for the RPC transport from the {@link TlsSettings} the HTTP
 * transport uses (one settings type and one way to build contexts for every Parley TLS, in
 * {@link TlsContexts}). No ALPN: the RPC handshake names the protocol and its version. Key
 * material from a key store is not supported here yet.
 */
final class RpcTls {

    private static final String OWNER = "RpcTransport";

    private RpcTls() {}

    static SslContext server(TlsSettings settings) {
        if (!settings.hasKeyMaterial() || settings.certificateChain().isEmpty()) {
            throw new IllegalArgumentException("serverTls: " + settings
                    + " (expected: certificateChain and privateKey PEM files) for " + OWNER);
        }
        return TlsContexts.server(settings, OWNER, b -> b);
    }

    static SslContext client(TlsSettings settings) {
        if (settings.keyStore().isPresent() && !settings.requireClientAuth()) {
            throw new IllegalArgumentException("clientTls: " + settings + " (expected: certificateChain and privateKey PEM files; "
                    + "key stores are not supported by RpcTransport yet)");
        }
        return TlsContexts.client(settings, OWNER, b -> b);
    }
}
