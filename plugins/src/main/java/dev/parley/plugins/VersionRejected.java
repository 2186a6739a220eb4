package dev.parley.plugins;

/** Thrown inside the loading steps to stop loading a version; becomes a {@link PluginEvent.Rejected}. */
final class VersionRejected extends Exception {
    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;

    VersionRejected(RejectionReason reason, String message) {
        this(reason, message, null);
    }

    VersionRejected(RejectionReason reason, String message, Throwable cause) {
        super(message, cause, false, cause != null);
        this.reason = reason;
    }

    RejectionReason reason() {
        return reason;
    }
}
