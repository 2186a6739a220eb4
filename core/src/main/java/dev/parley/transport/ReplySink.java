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
}
