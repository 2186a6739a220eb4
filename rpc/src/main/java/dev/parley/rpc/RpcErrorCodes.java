package dev.parley.rpc;

import dev.parley.ErrorCode;
import java.util.Optional;

/**
 * The error code numbers of ERROR and GOAWAY frames: Parley's {@link ErrorCode}s, numbered
 * explicitly (never by ordinal, so that reordering the enum cannot change the wire), plus
 * {@link #NO_ERROR} and {@link #PROTOCOL_ERROR}.
 */
final class RpcErrorCodes {

    /** GOAWAY only: a graceful shutdown. */
    static final int NO_ERROR = 0;
    /** The peer broke the protocol (malformed frame, unknown type, no handshake); the connection closes. */
    static final int PROTOCOL_ERROR = 15;

    private RpcErrorCodes() {}

    static int number(ErrorCode code) {
        return switch (code) {
            case INVALID_ARGUMENT -> 1;
            case UNAUTHENTICATED -> 2;
            case PERMISSION_DENIED -> 3;
            case NOT_FOUND -> 4;
            case CONFLICT -> 5;
            case FAILED_PRECONDITION -> 6;
            case PAYLOAD_TOO_LARGE -> 7;
            case RESOURCE_EXHAUSTED -> 8;
            case CANCELLED -> 9;
            case INTERNAL -> 10;
            case UNIMPLEMENTED -> 11;
            case UNAVAILABLE -> 12;
            case DEADLINE_EXCEEDED -> 13;
            case INVALID_REPLY -> 14;
        };
    }

    /** The Parley code of a wire number; empty for NO_ERROR, PROTOCOL_ERROR and unknown numbers. */
    static Optional<ErrorCode> code(int number) {
        for (ErrorCode c : ErrorCode.values()) {
            if (number(c) == number) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    static String name(int number) {
        return switch (number) {
            case NO_ERROR -> "NO_ERROR";
            case PROTOCOL_ERROR -> "PROTOCOL_ERROR";
            default -> code(number).map(Enum::name).orElse("UNKNOWN(" + number + ")");
        };
    }
}
