package dev.parley.http;

/**
 * The protocol an {@link HttpTransport} client speaks. The server always accepts every one of
 * them: HTTP/1.1 and h2c on a cleartext port; HTTP/1.1 and h2, chosen by ALPN, on a TLS port.
 *
 * <p>Each value fits one kind of target, checked when the transport is built: {@link #H2C}
 * needs {@code http://} targets, {@link #H2} {@code https://} targets; {@link #HTTP_1_1} fits
 * both.
 */
public enum HttpProtocol {
    /** HTTP/1.1 over a bounded pool of keep-alive connections per host, cleartext or TLS (ALPN offers only http/1.1). */
    HTTP_1_1,
    /** HTTP/2 cleartext with prior knowledge: every request is a stream on one connection per host. */
    H2C,
    /**
     * HTTP/2 over TLS: ALPN offers h2 and http/1.1; every request is a stream on one connection
     * per host, or, when the server selects http/1.1, the host is called over HTTP/1.1 from then on.
     */
    H2
}
