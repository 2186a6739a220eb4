package dev.parley.discovery.etcd;

/**
 * etcd could not be reached, or answered an operation with an error. The message names the
 * operation, the endpoint and etcd's own answer, e.g.
 * {@code etcd /v3/lease/grant at http://10.0.0.5:2379: connection refused}. Watches hand it to
 * {@link dev.parley.discovery.DiscoveryBackend.Listener#unavailable(Throwable)}; registrations
 * log it and retry.
 */
public final class EtcdException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    EtcdException(String message) {
        super(message);
    }

    EtcdException(String message, Throwable cause) {
        super(message, cause);
    }
}
