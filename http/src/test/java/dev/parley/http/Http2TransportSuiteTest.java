package dev.parley.http;

import dev.parley.testkit.suite.TransportSuite;
import dev.parley.transport.Transport;

/** The shared transport suite against REST over HTTP/2 cleartext (h2c) on real sockets. */
class Http2TransportSuiteTest extends TransportSuite {

    @Override
    protected Transport newServerTransport(int maxMessageBytes) {
        return HttpTransport.builder().server(0).bindAddress("127.0.0.1").maxBodyBytes(maxMessageBytes).build();
    }

    @Override
    protected Transport newClientTransport(Transport server) {
        return HttpTransport.builder().protocol(HttpProtocol.H2C).target("http://127.0.0.1:" + ((HttpTransport) server).port()).build();
    }
}
