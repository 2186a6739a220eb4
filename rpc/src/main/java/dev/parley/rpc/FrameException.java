package dev.parley.rpc;

/**
 * A frame that could not be decoded. {@code fatal} when the connection cannot go on (the framing
 * or the handshake is broken); otherwise only the call on {@code streamId} fails. Cheap: no stack
 * trace, since hostile input makes many of these.
 */
final class FrameException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int code;
    final int streamId;
    final byte type;
    final boolean fatal;

    FrameException(int code, String message, int streamId, byte type, boolean fatal) {
        super(message, null, false, false);
        this.code = code;
        this.streamId = streamId;
        this.type = type;
        this.fatal = fatal;
    }

    static FrameException fatal(int code, String message) {
        return new FrameException(code, message, 0, (byte) 0, true);
    }
}
