package dev.parley;

import java.util.Map;

/**
 * The callee received the call and answered with an error: the code, message and details are
 * the callee's. {@link #target()} says which contract operation answered.
 */
public final class RemoteException extends ParleyException {
    private static final long serialVersionUID = 1L;
    private final String target;

    public RemoteException(ErrorCode code, String message, Map<String, String> details, String target) {
        super(code, message, details, null, true);
        this.target = target;
    }

    /** The operation that answered, e.g. {@code trips/v1 create}. */
    public String target() {
        return target;
    }
}
