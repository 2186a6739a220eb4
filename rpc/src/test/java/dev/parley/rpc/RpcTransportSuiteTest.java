package dev.parley.rpc;

import dev.parley.testkit.suite.TransportSuite;
import dev.parley.transport.Transport;

/** The shared transport suite against the binary RPC transport on real sockets. */
class RpcTransportSuiteTest extends TransportSuite {

    @Override
    protected Transport newServerTransport(int maxMessageBytes) {
        return RpcTransport.builder().server(0).bindAddress("127.0.0.1").maxFrameBytes(maxMessageBytes).build();
    }

    @Override
    protected Transport newClientTransport(Transport server) {
        return RpcTransport.builder().target("127.0.0.1:" + ((RpcTransport) server).port()).build();
    }
}
