package dev.parley.webhooks;

import dev.parley.net.SsrfPolicy;

/** How one delivery attempt ended. */
public enum AttemptOutcome {
    /** 2xx. */
    SUCCESS,
    /** 3xx: redirects are not followed and count as a failure. */
    REDIRECT,
    /** 410 Gone: the endpoint is disabled. */
    GONE,
    /** 429, 502, 503 or 504: a failure that also slows the endpoint down. */
    THROTTLED,
    /** Any other status. */
    HTTP_ERROR,
    /** No HTTP answer: connection refused or reset, timeout, TLS failure. */
    NETWORK_ERROR,
    /** The URL was refused by the {@link SsrfPolicy}; nothing was sent. */
    REFUSED
}
