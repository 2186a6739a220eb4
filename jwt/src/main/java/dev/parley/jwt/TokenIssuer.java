package dev.parley.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.parley.ParleyClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Signs JWTs with a private key (RS256 or ES256) and publishes the matching public keys as a
 * JWK set, for a service that mints its own service tokens, for tests and for the showcase.
 * A {@link JwtAuthenticator} pointed at {@link #publicJwkSet()} accepts its tokens.
 *
 * <pre>{@code
 * TokenIssuer issuer = TokenIssuer.generate("https://auth.example.com", SigningAlgorithm.RS256);
 * String token = issuer.issue("dispatcher", "trips", Set.of("trips:read"), Duration.ofMinutes(5));
 * }</pre>
 *
 * <p>Keys rotate without downtime: {@link #rotate()} signs with a fresh key from then on while
 * the old public key stays published, so tokens already handed out keep verifying;
 * {@link #retire(String)} drops the old key once those tokens have expired.
 *
 * <p>Thread-safe. Generating an RSA key takes tens to hundreds of milliseconds; signing costs
 * about a millisecond for RS256 and less for ES256.
 */
public final class TokenIssuer {

    private final String issuer;
    private final SigningAlgorithm algorithm;
    private final ParleyClock clock;
    private JWK signingKey;
    private JWSSigner signer;
    private final List<JWK> published = new ArrayList<>();

    private TokenIssuer(String issuer, SigningAlgorithm algorithm, JWK signingKey, ParleyClock clock) {
        this.issuer = issuer;
        this.algorithm = algorithm;
        this.clock = clock;
        use(signingKey);
    }

    /** An issuer with a freshly generated key (RSA 2048 for RS256, P-256 for ES256) and the system clock. */
    public static TokenIssuer generate(String issuer, SigningAlgorithm algorithm) {
        return builder().issuer(issuer).generateKey(algorithm).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A signed token: {@code iss}, {@code sub}, {@code aud}, {@code iat}, {@code exp = now + ttl},
     * a random {@code jti}, and {@code scope} (space-separated) when {@code scopes} is not empty.
     */
    public String issue(String subject, String audience, Set<String> scopes, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0) for TokenIssuer " + issuer);
        }
        if (subject.isBlank() || audience.isBlank()) {
            throw new IllegalArgumentException("subject '" + subject + "', audience '" + audience
                    + "' (expected: both non-blank) for TokenIssuer " + issuer);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(subject)
                .audience(audience)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString());
        if (!scopes.isEmpty()) {
            claims.claim("scope", String.join(" ", scopes));
        }
        JWK key;
        JWSSigner s;
        synchronized (this) {
            key = signingKey;
            s = signer;
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm.jws()).type(JOSEObjectType.JWT).keyID(key.getKeyID()).build(),
                claims.build());
        try {
            jwt.sign(s);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed with key " + key.getKeyID() + " of TokenIssuer " + issuer, e);
        }
        return jwt.serialize();
    }

    /** The public keys of the signing key and of every rotated-out key not yet retired, as JWK set JSON. */
    public synchronized String publicJwkSet() {
        return new JWKSet(List.copyOf(published)).toString(true);
    }

    /** The {@code kid} tokens are signed with now. */
    public synchronized String currentKeyId() {
        return signingKey.getKeyID();
    }

    /** The issuer name, the {@code iss} of every token. */
    public String issuer() {
        return issuer;
    }

    ParleyClock clock() {
        return clock;
    }

    /**
     * Signs with a newly generated key from now on; the previous public key stays in
     * {@link #publicJwkSet()} until {@link #retire(String) retired}.
     *
     * @return the new key's id
     */
    public synchronized String rotate() {
        use(newKey(algorithm));
        return signingKey.getKeyID();
    }

    /**
     * Removes a rotated-out key from {@link #publicJwkSet()}: once verifiers refresh, tokens it
     * signed are refused.
     *
     * @throws IllegalArgumentException for the current signing key or an unknown id
     */
    public synchronized void retire(String kid) {
        if (kid.equals(signingKey.getKeyID())) {
            throw new IllegalArgumentException("kid: " + kid + " (expected: a rotated-out key, not the current signing key) for TokenIssuer "
                    + issuer);
        }
        if (!published.removeIf(k -> kid.equals(k.getKeyID()))) {
            throw new IllegalArgumentException("kid: " + kid + " (expected: one of " + published.stream().map(JWK::getKeyID).toList()
                    + ") for TokenIssuer " + issuer);
        }
    }

    private synchronized void use(JWK key) {
        try {
            this.signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("signingKey " + key.getKeyID() + ": unusable (" + e.getMessage() + ") for TokenIssuer " + issuer, e);
        }
        this.signingKey = key;
        published.add(0, key.toPublicJWK());
    }

    static JWK newKey(SigningAlgorithm algorithm) {
        String kid = UUID.randomUUID().toString();
        try {
            return switch (algorithm) {
                case RS256 -> new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(algorithm.jws()).generate();
                case ES256 -> new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(algorithm.jws()).generate();
                default -> throw new IllegalArgumentException("algorithm: " + algorithm + " (expected: RS256 or ES256) for TokenIssuer");
            };
        } catch (JOSEException e) {
            throw new IllegalStateException("could not generate a " + algorithm + " key", e);
        }
    }

    @Override
    public String toString() {
        return "TokenIssuer(" + issuer + ", " + algorithm + ", kid " + currentKeyId() + ")";
    }

    /** Configures a {@link TokenIssuer}: an issuer name and a key (given or generated) are required. */
    public static final class Builder {
        private @Nullable String issuer;
        private @Nullable JWK key;
        private @Nullable SigningAlgorithm algorithm;
        private ParleyClock clock = ParleyClock.system();

        private Builder() {}

        /** The {@code iss} of every token. */
        public Builder issuer(String value) {
            if (value.isBlank()) {
                throw new IllegalArgumentException("issuer: '" + value + "' (expected: non-blank) for TokenIssuer");
            }
            this.issuer = value;
            return this;
        }

        /**
         * Signs with this private key: an RSA key (RS256) or a P-256 EC key (ES256), with a
         * {@code kid}.
         */
        public Builder signingKey(JWK value) {
            if (!value.isPrivate() || value.getKeyID() == null) {
                throw new IllegalArgumentException("signingKey " + value.getKeyID()
                        + ": (expected: a private key with a kid) for TokenIssuer");
            }
            if (value instanceof RSAKey) {
                this.algorithm = SigningAlgorithm.RS256;
            } else if (value instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
                this.algorithm = SigningAlgorithm.ES256;
            } else {
                throw new IllegalArgumentException("signingKey " + value.getKeyID() + ": " + value.getKeyType()
                        + " (expected: an RSA key or a P-256 EC key) for TokenIssuer");
            }
            this.key = value;
            return this;
        }

        /** Signs with a newly generated key for {@code value}, RS256 or ES256. */
        public Builder generateKey(SigningAlgorithm value) {
            this.key = newKey(value);
            this.algorithm = value;
            return this;
        }

        /** Where {@code iat} and {@code exp} come from; default the system clock. */
        public Builder clock(ParleyClock value) {
            this.clock = value;
            return this;
        }

        public TokenIssuer build() {
            if (issuer == null || key == null || algorithm == null) {
                throw new IllegalStateException("TokenIssuer: issuer " + issuer + ", key " + (key == null ? "none" : key.getKeyID())
                        + " (expected: an issuer and a signingKey or generateKey)");
            }
            return new TokenIssuer(issuer, algorithm, key, clock);
        }
    }
}
