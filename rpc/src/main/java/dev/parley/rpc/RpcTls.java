package dev.parley.rpc;

import dev.parley.http.TlsContexts;
import dev.parley.http.TlsSettings;
import io.netty.handler.ssl.SslContext;

/**
 * Netty {@link SslContext}s for the RPC transport from the {@link TlsSettings} the HTTP
 * transport uses: one settings type and one way to build contexts for every Parley TLS, in
 * {@link TlsContexts}, so key material comes from PEM files or a {@code KeyStore} and trust
 * from a PEM file, a {@code KeyStore} or the JDK's CAs, exactly as for HTTP. No ALPN and no
 * cipher restriction beyond the JDK's defaults: the RPC handshake names the protocol and its
 * version.
 */
final class RpcTls {

    private static final String OWNER = "RpcTransport";

    private RpcTls() {}

    static SslContext server(TlsSettings settings) {
        return TlsContexts.server(settings, OWNER, b -> b);
    }

    static SslContext client(TlsSettings settings) {
        return TlsContexts.client(settings, OWNER, b -> b);
    }
}
