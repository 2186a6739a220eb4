package dev.parley;

import org.jspecify.annotations.Nullable;
import java.util.Map;

/**
 * No usable reply came back because of the transport: the connection was refused or broken,
 * the broker did not confirm, the reply could not be decoded ({@link ErrorCode#INVALID_REPLY}).
 * Distinct from {@link RemoteException}, where the callee answered.
 */
public final class TransportException extends ParleyException {
    private static final long serialVersionUID = 1L;

    public TransportException(ErrorCode code, String message, @Nullable Throwable cause) {
        super(code, message, Map.of(), cause, true);
    }

    public TransportException(String message, @Nullable Throwable cause) {
        this(ErrorCode.UNAVAILABLE, message, cause);
    }
}
