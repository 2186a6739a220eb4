package dev.parley;

import org.jspecify.annotations.Nullable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The root of Parley's call failures, carrying an {@link ErrorCode}, a message and string
 * details. Service handlers throw it to answer with a typed error:
 *
 * <pre>{@code throw ParleyException.of(ErrorCode.NOT_FOUND, "trip " + id + " not found");}</pre>
 *
 * <p>Callers see one of the subclasses, which say where the failure came from:
 * {@link RemoteException} (the callee answered with an error), {@link TransportException}
 * (nothing usable came back), {@link CallRejectedException} (refused locally: circuit open,
 * bulkhead full, deadline already spent), {@link DeadlineExceededException}.
 * Any other exception thrown by a handler reaches the caller as {@link ErrorCode#INTERNAL}
 * with a generic message; its details stay in the callee's log.
 */
public class ParleyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final Map<String, String> details;

    protected ParleyException(ErrorCode code, String message, Map<String, String> details, @Nullable Throwable cause, boolean stackTrace) {
        super(message, cause, true, stackTrace);
        this.code = code;
        this.details = Map.copyOf(details);
    }

    /** An error for a handler to throw; it travels to the caller as code, message and details. */
    public static ParleyException of(ErrorCode code, String message) {
        return new ParleyException(code, message, Map.of(), null, true);
    }

    /** Like {@link #of(ErrorCode, String)} with details, e.g. {@code Map.of("field", "pickup.lat")}. */
    public static ParleyException of(ErrorCode code, String message, Map<String, String> details) {
        return new ParleyException(code, message, details, null, true);
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, String> details() {
        return details;
    }

    /** This failure as the wire body of an error reply. */
    public ErrorInfo toErrorInfo() {
        return new ErrorInfo(code.name(), getMessage(), details);
    }

    /** A copy of the details with one more entry. */
    protected static Map<String, String> with(Map<String, String> details, String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(details);
        copy.put(key, value);
        return copy;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + ": " + code + ": " + getMessage() + (details.isEmpty() ? "" : " " + details);
    }
}
