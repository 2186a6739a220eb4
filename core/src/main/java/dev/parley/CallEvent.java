package dev.parley;

import dev.parley.contract.InteractionStyle;
import java.util.Optional;

/**
 * One finished call as a {@link CallListener} sees it.
 *
 * @param side          CLIENT (an outbound call) or SERVER (a handled call)
 * @param contract      the contract's address, e.g. {@code trips/v1}
 * @param operation     method name or event type
 * @param style         the interaction style
 * @param target        the transport target (client) or the serving service (server)
 * @param error         the failure, empty for success
 * @param durationNanos from start to the end of the last attempt
 * @param attempts      how many attempts were made (retries + 1); 0 when rejected before any
 * @param fallbackUsed  whether a fallback produced the result
 */
public record CallEvent(
        Side side,
        String contract,
        String operation,
        InteractionStyle style,
        String target,
        Optional<ErrorCode> error,
        long durationNanos,
        int attempts,
        boolean fallbackUsed) {

    /** Which end of a call an event describes. */
    public enum Side { CLIENT, SERVER }

    public boolean succeeded() {
        return error.isEmpty();
    }
}
