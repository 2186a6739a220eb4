package dev.parley;

import java.util.Map;

/** The call's deadline passed before a reply arrived; the callee's work was cancelled. */
public final class DeadlineExceededException extends ParleyException {
    private static final long serialVersionUID = 1L;

    public DeadlineExceededException(String message) {
        super(ErrorCode.DEADLINE_EXCEEDED, message, Map.of(), null, false);
    }
}
