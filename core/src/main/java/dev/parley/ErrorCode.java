package dev.parley;

import java.util.Optional;

/**
 * The error codes that cross service boundaries, the same for every transport. Each maps to an
 * HTTP status for the REST transport; docs/wire-formats.md lists them.
 */
public enum ErrorCode {
    /** The request is malformed or a field is invalid; retrying the same request cannot succeed. */
    INVALID_ARGUMENT(400, false),
    /** No valid credentials. */
    UNAUTHENTICATED(401, false),
    /** Valid credentials without the rights the operation needs. */
    PERMISSION_DENIED(403, false),
    NOT_FOUND(404, false),
    /** The request conflicts with the current state (e.g. a duplicate creation). */
    CONFLICT(409, false),
    /** The operation is not allowed in the current state. */
    FAILED_PRECONDITION(412, false),
    /** The message is larger than a limit. */
    PAYLOAD_TOO_LARGE(413, false),
    /** A limit was reached: a full bulkhead, a rate limit, a quota. */
    RESOURCE_EXHAUSTED(429, true),
    /** The caller cancelled the call. */
    CANCELLED(499, false),
    /** A bug or unexpected failure in the callee; the message never contains internals. */
    INTERNAL(500, false),
    /** The callee does not have this contract, version or operation. */
    UNIMPLEMENTED(501, false),
    /** The callee cannot be reached or is not taking calls now (connection refused, circuit open, deployment window passed). */
    UNAVAILABLE(503, true),
    /** The deadline passed before a reply arrived. */
    DEADLINE_EXCEEDED(504, false),
    /** The caller could not decode the reply it received. */
    INVALID_REPLY(502, false);

    private final int httpStatus;
    private final boolean retryable;

    ErrorCode(int httpStatus, boolean retryable) {
        this.httpStatus = httpStatus;
        this.retryable = retryable;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** Whether an idempotent call that failed with this code may be retried. */
    public boolean retryable() {
        return retryable;
    }

    /**
     * Whether the code says the dependency failed (unavailable, overloaded, too slow, broken)
     * rather than answered. Such failures count against circuit breakers and trigger fallbacks.
     */
    public boolean isDependencyFailure() {
        return switch (this) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, RESOURCE_EXHAUSTED, INVALID_REPLY -> true;
            default -> false;
        };
    }

    /** The code named by a wire value such as {@code NOT_FOUND}. */
    public static Optional<ErrorCode> parse(String name) {
        for (ErrorCode code : values()) {
            if (code.name().equals(name)) {
                return Optional.of(code);
            }
        }
        return Optional.empty();
    }
}
