package dev.parley.http;

/** The end-to-end suite with an HTTP/2 (prior-knowledge h2c) client multiplexing every call on one connection. */
class H2cTransportTest extends AbstractHttpTransportTest {
    @Override
    HttpProtocol protocol() {
        return HttpProtocol.H2C;
    }

    @Override
    int maxConnections() {
        return 1; // every call is a stream on one connection
    }
}
