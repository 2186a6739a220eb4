package dev.parley.examples.taxi;

import dev.parley.messaging.Brokers;

/** The trip flow with events and gathers over RabbitMQ on 127.0.0.1:5672. */
class RabbitMqTripFlowTest extends AbstractTripFlowTest {
    @Override
    String broker() {
        return "rabbitmq";
    }

    @Override
    String brokerTransport() {
        return "rabbitmq";
    }

    @Override
    void requireBroker() {
        Brokers.require("RabbitMQ", "127.0.0.1", 5672);
    }
}
