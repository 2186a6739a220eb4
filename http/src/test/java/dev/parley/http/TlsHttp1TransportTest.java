package dev.parley.http;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The end-to-end suite over TLS with mutual authentication and an HTTP/1.1 client (ALPN offering only http/1.1). */
class TlsHttp1TransportTest extends AbstractHttpTransportTest {

    @TempDir
    static Path dir;

    private TlsTransportTest.Pki pki;

    private TlsTransportTest.Pki pki() {
        if (pki == null) {
            pki = TlsTransportTest.Pki.create(dir);
        }
        return pki;
    }

    @Override
    HttpProtocol protocol() {
        return HttpProtocol.HTTP_1_1;
    }

    @Override
    int maxConnections() {
        return 32; // the default pool bound per host
    }

    @Override
    String scheme() {
        return "https";
    }

    @Override
    HttpTransport.Builder serverSettings(HttpTransport.Builder builder) {
        return builder.serverTls(TlsSettings.from(pki().serverTls()).trustedCertificates(pki().caPem).requireClientAuth(true).build());
    }

    @Override
    HttpTransport.Builder clientSettings(HttpTransport.Builder builder) {
        return builder.clientTls(pki().clientTls());
    }
}
