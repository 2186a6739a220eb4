package dev.parley;

import java.util.Optional;

/**
 * A reply to a {@link dev.parley.contract.DurableReply} call that arrived when no call waited for
 * it any more, typically because the caller restarted. It carries the result the call would have
 * returned, or the error it would have thrown; the correlation id is the request's message id.
 *
 * @param contract      the contract's address, e.g. {@code payments/v1}
 * @param method        the method called
 * @param correlationId the {@code parley-message-id} of the request
 * @param value         the reply, when the call succeeded
 * @param error         the typed error, when it failed
 */
public record LateReply(String contract, String method, String correlationId, Optional<Object> value,
                        Optional<ParleyException> error) {

    /** The reply as {@code type}; throws the call's error if it failed. */
    public <R> R valueAs(Class<R> type) {
        if (error.isPresent()) {
            throw error.get();
        }
        return type.cast(value.orElseThrow());
    }
}
