package dev.parley.http;

/** The end-to-end suite with an HTTP/1.1 client. */
class Http1TransportTest extends AbstractHttpTransportTest {
    @Override
    HttpProtocol protocol() {
        return HttpProtocol.HTTP_1_1;
    }

    @Override
    int maxConnections() {
        return 32; // the default pool bound per host
    }
}
