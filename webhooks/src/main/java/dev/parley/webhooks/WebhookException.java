package dev.parley.webhooks;

/**
 * The root of this module's failures: unchecked, with a message that names the value, what
 * was expected and where.
 */
public class WebhookException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WebhookException(String message) {
        super(message);
    }

    public WebhookException(String message, Throwable cause) {
        super(message, cause);
    }
}
