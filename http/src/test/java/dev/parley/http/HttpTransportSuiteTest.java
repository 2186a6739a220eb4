package dev.parley.http;

import dev.parley.testkit.suite.TransportSuite;
import dev.parley.transport.Transport;

/** The shared transport suite against REST over HTTP/1.1 on real sockets. */
class HttpTransportSuiteTest extends TransportSuite {

    @Override
    protected Transport newServerTransport(int maxMessageBytes) {
        return HttpTransport.builder().server(0).bindAddress("127.0.0.1").maxBodyBytes(maxMessageBytes).build();
    }

    @Override
    protected Transport newClientTransport(Transport server) {
        return HttpTransport.builder().target("http://127.0.0.1:" + ((HttpTransport) server).port()).build();
    }
}
