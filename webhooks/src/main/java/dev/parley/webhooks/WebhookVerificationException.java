package dev.parley.webhooks;

/**
 * A webhook the {@link WebhookVerifier} refused. Cheap to throw (no stack trace): receivers
 * face forged traffic on a hot path. The message is safe to log and helps no attacker; answer
 * such a request with 400 or 401 and do not process it.
 */
public final class WebhookVerificationException extends WebhookException {
    private static final long serialVersionUID = 1L;

    /** Why a webhook was refused. */
    public enum Reason {
        /** {@code webhook-id}, {@code webhook-timestamp} or {@code webhook-signature} missing or empty. */
        MISSING_HEADER,
        /** {@code webhook-timestamp} is not an integer number of seconds. */
        MALFORMED_TIMESTAMP,
        /** The timestamp is further from now than the tolerance (5 minutes by default). */
        TIMESTAMP_OUT_OF_TOLERANCE,
        /** No {@code v1} signature in the header matches any accepted secret. */
        NO_MATCHING_SIGNATURE,
        /** A webhook with this {@code webhook-id} was already accepted. */
        REPLAYED,
        /** The signature is valid but the body is not a Standard Webhooks JSON payload of the expected type. */
        MALFORMED_PAYLOAD
    }

    private final Reason reason;

    WebhookVerificationException(Reason reason, String message) {
        super(message, null);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
