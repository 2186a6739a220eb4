package dev.parley.discovery.kubernetes;

/**
 * The Kubernetes API could not be reached or refused a request. The message names the request,
 * the API server and what went wrong, e.g.
 * {@code GET https://10.96.0.1/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices: HTTP 401 Unauthorized
 * (expected: a valid bearer token ...)}. Watches hand it to
 * {@link dev.parley.discovery.DiscoveryBackend.Listener#unavailable(Throwable)} and keep retrying.
 */
public final class KubernetesException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    KubernetesException(String message, int status) {
        super(message);
        this.status = status;
    }

    KubernetesException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    /** The HTTP status the API server answered with, 0 when it was not reached. */
    public int status() {
        return status;
    }
}
