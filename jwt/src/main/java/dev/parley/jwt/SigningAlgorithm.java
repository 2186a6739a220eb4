package dev.parley.jwt;

import com.nimbusds.jose.JWSAlgorithm;

/**
 * The JWS algorithms Parley can verify or sign with. {@code none} is deliberately not one of
 * them. The HMAC algorithms ({@code HS*}) are only accepted by a {@link JwtAuthenticator} built
 * with a shared secret, and such an authenticator accepts nothing else, so a token can never
 * pick between a public key and a secret.
 */
public enum SigningAlgorithm {
    RS256, RS384, RS512,
    PS256, PS384, PS512,
    ES256, ES384, ES512,
    HS256, HS384, HS512;

    private final JWSAlgorithm jws = JWSAlgorithm.parse(name());

    /** Whether this is a shared-secret (HMAC) algorithm. */
    public boolean isHmac() {
        return name().startsWith("HS");
    }

    JWSAlgorithm jws() {
        return jws;
    }
}
