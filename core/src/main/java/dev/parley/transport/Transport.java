package dev.parley.transport;

import dev.parley.contract.ContractDescriptor;

/**
 * The service provider interface a transport implements for one-to-one calls
 * (request/response, request/async response, one-way). Parley's client pipeline (deadlines,
 * bulkhead, breaker, retries, fallbacks) sits above it, and its service dispatcher (decoding,
 * handler threads, cancellation) below it, so a transport only moves {@link
 * dev.parley.message.Envelope}s.
 *
 * <pre>
 *  proxy -> resilience -> ClientChannel ==== wire ==== Transport.serve(..) -> InboundHandler -> service
 *                              ^                                                  |
 *                              +------------------- ReplySink <-------------------+
 * </pre>
 *
 * <p>Transports that also carry one-to-many traffic implement {@link TopicTransport}.
 */
public interface Transport extends AutoCloseable {

    /** A short name for logs and metric tags, e.g. {@code in-process}, {@code http}. */
    String name();

    /**
     * A channel to whoever serves {@code contract} (a contract interface; its
     * {@link ContractDescriptor#of descriptor} names it) on this transport. Cheap to call;
     * channels may be shared.
     */
    ClientChannel connect(Class<?> contract);

    /** Starts delivering calls for {@code contract} to {@code handler} until the registration is closed. */
    Registration serve(Class<?> contract, InboundHandler handler);

    /**
     * The codec a runtime on this transport encodes with when its builder names none: a binary
     * transport prefers the binary codec. Empty: the runtime's default (JSON).
     */
    default java.util.Optional<dev.parley.codec.Codec> preferredCodec() {
        return java.util.Optional.empty();
    }

    /**
     * Passes {@code sink} the replies that arrive when no call waits for them any more (the
     * caller restarted), so that the runtime can hand the replies of
     * {@link dev.parley.contract.DurableReply} methods to the application. Only transports
     * with durable reply channels keep such replies; the others ignore the sink.
     */
    default Registration lateReplies(ReplySink sink) {
        return () -> { };
    }

    @Override
    void close();
}
