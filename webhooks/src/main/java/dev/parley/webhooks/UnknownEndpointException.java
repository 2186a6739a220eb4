package dev.parley.webhooks;

/** No endpoint with the given id. */
public final class UnknownEndpointException extends WebhookException {
    private static final long serialVersionUID = 1L;

    private final String endpointId;

    UnknownEndpointException(String endpointId) {
        super("endpoint " + endpointId + ": not found");
        this.endpointId = endpointId;
    }

    public String endpointId() {
        return endpointId;
    }
}
