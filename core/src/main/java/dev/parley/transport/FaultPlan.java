package dev.parley.transport;

import dev.parley.message.Envelope;

/** Decides, per message, which {@link Fault} the in-process transport injects. Must be thread-safe. */
@FunctionalInterface
public interface FaultPlan {
    FaultPlan NONE = (address, message) -> Fault.NONE;

    /**
     * @param address the contract address ({@code trips/v1}) or topic the message goes to
     * @param message the message, with its {@code parley-operation} header
     */
    Fault decide(String address, Envelope message);
}
