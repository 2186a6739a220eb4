package dev.parley.examples.taxi;

import dev.parley.messaging.Brokers;

/** The trip flow with events and gathers over NATS JetStream on 127.0.0.1:4222. */
class NatsTripFlowTest extends AbstractTripFlowTest {
    @Override
    String broker() {
        return "nats";
    }

    @Override
    String brokerTransport() {
        return "nats";
    }

    @Override
    void requireBroker() {
        Brokers.require("NATS", "127.0.0.1", 4222);
    }
}
