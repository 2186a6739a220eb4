package dev.parley.transport;

import dev.parley.message.Envelope;

/**
 * Where a handler's reply goes. For a request it is the reply to the caller; for an event it
 * is the acknowledgement ({@code parley-status: ok}) or the failure that makes the transport
 * redeliver or dead-letter the event. Called at most once per message (for gather, once per
 * responder).
 */
@FunctionalInterface
public interface ReplySink {
    ReplySink IGNORE = reply -> { };

    void reply(Envelope reply);

    /**
     * Whether this sink also wants the outcome of a one-way message ({@code parley-status: ok}
     * or the error), which a transport needs to acknowledge or redeliver it, as a broker does.
     * That outcome is never sent to the caller: a one-way call gets no reply. False by default.
     */
    default boolean acknowledgesOneWay() {
        return false;
    }

    /** A sink for a transport that acknowledges one-way messages with their outcome. */
    static ReplySink acknowledging(ReplySink outcome) {
        return new ReplySink() {
            @Override
            public void reply(Envelope reply) {
                outcome.reply(reply);
            }

            @Override
            public boolean acknowledgesOneWay() {
                return true;
            }
        };
    }
}
