package dev.parley.transport;

import dev.parley.contract.ContractDescriptor;

/**
 * The topic names every transport derives from a contract, so that publishers and subscribers
 * on any transport meet: {@code NAME.vMAJOR.events} for events and {@code NAME.vMAJOR.gather}
 * for scatter-gather requests. Broker adapters map these to exchanges, topics or subjects as
 * docs/wire-formats.md describes.
 */
public final class TopicNames {
    private TopicNames() {}

    public static String events(ContractDescriptor contract) {
        return contract.name() + ".v" + contract.version().major() + ".events";
    }

    public static String gather(ContractDescriptor contract) {
        return contract.name() + ".v" + contract.version().major() + ".gather";
    }
}
