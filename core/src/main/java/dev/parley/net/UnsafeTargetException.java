package dev.parley.net;

/**
 * A URL the {@link SsrfPolicy} refuses: not http/https, credentials or encodings in the
 * authority, an ambiguous numeric host, or a host that is or resolves to an address of a class
 * not allowed. Raised before any connection is made. An {@link IllegalArgumentException}: the
 * URL, not the network, is at fault, and trying it again will not help until its DNS answer
 * changes.
 */
public final class UnsafeTargetException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    UnsafeTargetException(java.net.URI url, String reason) {
        super("URL " + url + " refused: " + reason);
        this.reason = reason;
    }

    /** Why the URL was refused, without the URL, e.g. {@code address 10.0.0.5 is PRIVATE (allowed: [PUBLIC])}. */
    public String reason() {
        return reason;
    }
}
