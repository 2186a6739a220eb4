package dev.parley;

import java.util.Map;

/**
 * The body of an error reply, the same on every transport: a code, a message for humans and
 * string details for programs. It never contains a stack trace or a Java class name.
 *
 * @param code    an {@link ErrorCode} name
 * @param message what went wrong, for the caller
 * @param details machine-readable context, such as {@code field -> pickup.lat}
 */
public record ErrorInfo(String code, String message, Map<String, String> details) {

    /** Missing parts from a peer that sent less read as INTERNAL, an empty message and no details. */
    @SuppressWarnings("ConstantConditions") // Jackson passes nulls for absent fields
    public ErrorInfo {
        details = details == null ? Map.of() : Map.copyOf(details);
        message = message == null ? "" : message;
        code = code == null ? ErrorCode.INTERNAL.name() : code;
    }
}
