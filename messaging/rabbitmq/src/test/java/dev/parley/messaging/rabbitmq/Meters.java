package dev.parley.messaging.rabbitmq;

import dev.parley.contract.Contract;
import dev.parley.contract.Event;
import dev.parley.contract.ContractDescriptor;
import dev.parley.messaging.ChannelNames;

/** The contract of this module's own tests: meter readings as events. */
@Contract(name = "parley.rabbitmq.test.meters", version = "1.0")
public interface Meters {

    record Reading(String run, long n, String payload) {}

    @Event
    default void reading(Reading reading) {}

    /** {@code parley.rabbitmq.test.meters.v1.events}: the exchange the events go to. */
    static String channel() {
        return ChannelNames.events(ContractDescriptor.of(Meters.class));
    }
}
