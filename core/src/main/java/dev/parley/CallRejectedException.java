package dev.parley;

import java.util.Map;

/**
 * The call was refused locally without reaching the callee, because a resilience guard said
 * no: the circuit breaker is open ({@code reason=circuit-open}), the bulkhead is full
 * ({@code reason=bulkhead-full}), or the plugin's deployment window has passed. It is cheap to
 * throw: no stack trace is filled in, since it is expected on hot paths under failure.
 */
public final class CallRejectedException extends ParleyException {
    private static final long serialVersionUID = 1L;

    public CallRejectedException(ErrorCode code, String message, String reason) {
        super(code, message, Map.of("reason", reason), null, false);
    }

    /** Why the call was refused: {@code circuit-open}, {@code bulkhead-full}, ... */
    public String reason() {
        return details().get("reason");
    }
}
