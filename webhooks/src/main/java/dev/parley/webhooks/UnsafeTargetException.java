package dev.parley.webhooks;

/**
 * A webhook URL the {@link SsrfPolicy} refuses: not http/https, an ambiguous numeric host, or
 * a host that is or resolves to an address of a class not allowed. Raised before any
 * connection is made.
 */
public final class UnsafeTargetException extends WebhookException {
    private static final long serialVersionUID = 1L;

    UnsafeTargetException(String message) {
        super(message);
    }
}
