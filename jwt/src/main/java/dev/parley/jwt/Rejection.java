package dev.parley.jwt;

/** Why a bearer token was refused; the {@link #key()} is what {@link JwtAuthenticator#rejections()} counts. */
enum Rejection {
    MISSING_TOKEN("missing_token"),
    NOT_BEARER("not_bearer"),
    OVERSIZED("oversized"),
    MALFORMED("malformed"),
    ALGORITHM_NOT_ALLOWED("algorithm_not_allowed"),
    UNKNOWN_KEY("unknown_key"),
    KEYS_UNAVAILABLE("keys_unavailable"),
    BAD_SIGNATURE("bad_signature"),
    MISSING_CLAIM("missing_claim"),
    WRONG_ISSUER("wrong_issuer"),
    WRONG_AUDIENCE("wrong_audience"),
    EXPIRED("expired"),
    NOT_YET_VALID("not_yet_valid"),
    INVALID_CLAIMS("invalid_claims");

    private final String key;

    Rejection(String key) {
        this.key = key;
    }

    String key() {
        return key;
    }
}
