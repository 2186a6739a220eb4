package dev.parley.messaging;

/** Where an adapter hands each delivery of a subscription; {@link BrokerTransport} provides it. */
@FunctionalInterface
public interface Inbound {

    void accept(RawMessage message, Disposition disposition);
}
