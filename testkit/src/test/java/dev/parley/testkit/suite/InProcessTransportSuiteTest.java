package dev.parley.testkit.suite;

import dev.parley.transport.InProcessTransport;
import dev.parley.transport.Transport;

/** The shared transport suite against the in-process transport (one transport both serves and calls). */
class InProcessTransportSuiteTest extends TransportSuite {

    @Override
    protected Transport newServerTransport(int maxMessageBytes) {
        return InProcessTransport.builder().maxMessageBytes(maxMessageBytes).build();
    }

    @Override
    protected Transport newClientTransport(Transport server) {
        return server;
    }
}
