package dev.parley.transport;

import dev.parley.ParleyClock;
import dev.parley.message.Envelope;

/**
 * The server end a transport delivers messages to: Parley's service dispatcher. It returns
 * quickly (the work runs on a handler thread) and answers through the {@link ReplySink}; the
 * returned handle cancels the work when the caller cancels.
 */
@FunctionalInterface
public interface InboundHandler {

    ParleyClock.Cancellable handle(Envelope message, ReplySink replies);
}
