package dev.parley.jwt;

import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.parley.Authenticator;
import dev.parley.CallerIdentity;
import dev.parley.ErrorCode;
import dev.parley.ParleyClock;
import dev.parley.ParleyException;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import java.net.URI;
import java.nio.file.Path;
import java.security.Key;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Authenticator} that accepts calls carrying {@code authorization: Bearer <JWT>}
 * signed by a key of a JWK set, from the expected issuer, for this service's audience, and
 * within its validity window. Give it to the runtime once; it checks every inbound call on
 * every transport:
 *
 * <pre>{@code
 * JwtAuthenticator jwt = JwtAuthenticator.builder()
 *         .issuer("https://auth.example.com")
 *         .audiences("trips")
 *         .jwksUri(URI.create("https://auth.example.com/.well-known/jwks.json"))
 *         .build();
 * Parley parley = Parley.builder().service("trips").authenticator(jwt).build();
 * }</pre>
 *
 * <p>Verification uses nimbus-jose-jwt, configured explicitly: only the listed algorithms
 * (RS256 and ES256 unless told otherwise; never {@code none}), {@code exp}, {@code sub},
 * {@code iss} and {@code aud} required, {@code nbf} honoured, a bounded clock skew, and time
 * read from the {@link ParleyClock}. A shared HMAC secret is supported but excludes public
 * keys, so a token cannot get itself verified with a public key used as an HMAC secret.
 *
 * <p>The caller's scopes come from the {@code scope} claim (space-separated) or the {@code scp}
 * claim (an array), plus the roles claim if one is configured; the identity's claims are the
 * token's top-level string claims and {@code aud}.
 *
 * <p>Every refusal is {@link ErrorCode#UNAUTHENTICATED} with the same message,
 * {@value #MESSAGE}, whatever the reason, so that callers learn nothing from it. The reason is
 * logged at debug level and counted in {@link #rejections()} under one of: {@code missing_token,
 * not_bearer, oversized, malformed, algorithm_not_allowed, unknown_key, keys_unavailable,
 * bad_signature, missing_claim, wrong_issuer, wrong_audience, expired, not_yet_valid,
 * invalid_claims}.
 *
 * <p>Thread-safe. A verification costs one signature check (tens of microseconds for RS256);
 * a fetch of a remote JWK set happens on the calling thread, at most once per minimum refresh
 * interval.
 */
public final class JwtAuthenticator implements Authenticator {

    /** The message of every refusal. */
    public static final String MESSAGE = "invalid or missing bearer token";

    /** The longest clock skew that can be configured. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(JwtAuthenticator.class);
    private static final String BEARER = "Bearer ";
    // Absent, plain JWT, or an RFC 9068 access token.
    private static final Set<@Nullable JOSEObjectType> TYPES = Collections.unmodifiableSet(
            new HashSet<>(Arrays.asList(null, JOSEObjectType.JWT, new JOSEObjectType("at+jwt"))));

    private final String issuer;
    private final Set<String> audiences;
    private final Set<JWSAlgorithm> algorithms;
    private final Duration clockSkew;
    private final ParleyClock clock;
    private final @Nullable String rolesClaim;
    private final int maxTokenLength;
    private final String keySource;
    private final DefaultJWTProcessor<Verification> processor;
    private final Map<Rejection, LongAdder> rejections = new EnumMap<>(Rejection.class);

    private JwtAuthenticator(Builder b, @Nullable KeySource source, @Nullable SecretKey secret) {
        this.issuer = b.issuer;
        this.audiences = Set.copyOf(b.audiences);
        this.algorithms = b.algorithms.stream().map(SigningAlgorithm::jws).collect(Collectors.toUnmodifiableSet());
        this.clockSkew = b.clockSkew;
        this.clock = b.clock;
        this.rolesClaim = b.rolesClaim;
        this.maxTokenLength = b.maxTokenLength;
        this.keySource = source != null ? source.toString() : "a shared HMAC secret";
        for (Rejection r : Rejection.values()) {
            rejections.put(r, new LongAdder());
        }
        // A shared secret has no kid to match: it verifies every token of an allowed HMAC algorithm.
        JWSKeySelector<Verification> selector = source != null ? new JWSVerificationKeySelector<>(algorithms, source)
                : (header, context) -> algorithms.contains(header.getAlgorithm()) ? List.of(secret) : List.of();
        JWSKeySelector<Verification> recording = (header, context) -> {
            try {
                List<? extends Key> found = selector.selectJWSKeys(header, context);
                context.keysFound = !found.isEmpty();
                return found;
            } catch (KeySourceException e) {
                context.keysUnavailable = true;
                throw e;
            }
        };
        ClockedClaimsVerifier claims = new ClockedClaimsVerifier(audiences, issuer, clock, clockSkew);
        this.processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(TYPES.toArray(JOSEObjectType[]::new)));
        processor.setJWSKeySelector(recording);
        processor.setJWTClaimsSetVerifier(claims);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CallerIdentity authenticate(Headers headers) {
        String authorization = headers.valueOrNull(StandardHeaders.AUTHORIZATION);
        if (authorization == null || authorization.isBlank()) {
            throw reject(Rejection.MISSING_TOKEN, "no authorization header");
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw reject(Rejection.NOT_BEARER, "authorization scheme is not Bearer");
        }
        String token = authorization.substring(BEARER.length()).trim();
        // Checked before any parsing: a huge token must not cost base64 and JSON work.
        if (token.length() > maxTokenLength) {
            throw reject(Rejection.OVERSIZED, "token of " + token.length() + " characters (limit: " + maxTokenLength + ")");
        }
        if (token.isEmpty()) {
            throw reject(Rejection.MISSING_TOKEN, "empty bearer token");
        }
        JWT jwt;
        JWTClaimsSet unverified;
        try {
            jwt = JWTParser.parse(token);
            unverified = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw reject(Rejection.MALFORMED, e.getMessage());
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw reject(jwt.getHeader().getAlgorithm() == Algorithm.NONE
                    ? Rejection.ALGORITHM_NOT_ALLOWED : Rejection.MALFORMED, "not a signed JWT: " + jwt.getHeader().getAlgorithm());
        }
        JWSAlgorithm alg = signed.getHeader().getAlgorithm();
        if (!algorithms.contains(alg)) {
            throw reject(Rejection.ALGORITHM_NOT_ALLOWED, "algorithm " + alg + " (expected one of " + algorithms + ")");
        }
        if (!TYPES.contains(signed.getHeader().getType())) {
            throw reject(Rejection.MALFORMED, "typ " + signed.getHeader().getType() + " (expected: absent, JWT or at+jwt)");
        }
        Verification context = new Verification();
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, context);
        } catch (BadJOSEException | JOSEException e) {
            Rejection reason = context.claimsRejection != null ? context.claimsRejection
                    : context.keysUnavailable ? Rejection.KEYS_UNAVAILABLE
                    : !context.keysFound ? Rejection.UNKNOWN_KEY
                    : Rejection.BAD_SIGNATURE;
            throw reject(reason, e.getMessage() + " (kid " + signed.getHeader().getKeyID() + ", sub " + unverified.getSubject() + ")");
        }
        return identity(claims);
    }

    /**
     * How many tokens were refused, by reason, since this authenticator was built: a snapshot
     * holding every reason, zero when it never happened.
     */
    public Map<String, Long> rejections() {
        Map<String, Long> snapshot = new LinkedHashMap<>();
        rejections.forEach((reason, count) -> snapshot.put(reason.key(), count.sum()));
        return Collections.unmodifiableMap(snapshot);
    }

    private ParleyException reject(Rejection reason, @Nullable String detail) {
        rejections.get(reason).increment();
        LOG.debug("bearer token refused: {}: {}", reason.key(), detail);
        return ParleyException.of(ErrorCode.UNAUTHENTICATED, MESSAGE);
    }

    private CallerIdentity identity(JWTClaimsSet claims) {
        Set<String> scopes = new LinkedHashSet<>();
        scopes.addAll(strings(claims.getClaim("scope")));
        scopes.addAll(strings(claims.getClaim("scp")));
        if (rolesClaim != null) {
            scopes.addAll(strings(claims.getClaim(rolesClaim)));
        }
        Map<String, String> values = new LinkedHashMap<>();
        claims.getClaims().forEach((name, value) -> {
            if (value instanceof String s) {
                values.put(name, s);
            }
        });
        values.put("aud", String.join(" ", claims.getAudience()));
        return new CallerIdentity(claims.getSubject(), scopes, values);
    }

    /** A space-separated string or an array of strings, as a list; anything else is no values. */
    private static List<String> strings(@Nullable Object claim) {
        if (claim instanceof String s) {
            return Arrays.stream(s.split(" ")).filter(v -> !v.isEmpty()).toList();
        }
        if (claim instanceof List<?> list) {
            return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return List.of();
    }

    @Override
    public String toString() {
        return "JwtAuthenticator(issuer " + issuer + ", audiences " + audiences + ", algorithms " + algorithms + ", " + keySource + ")";
    }

    /**
     * nimbus' claims verifier with "now" from the {@link ParleyClock}, which records the precise
     * reason of a refusal in the {@link Verification}.
     */
    private static final class ClockedClaimsVerifier extends DefaultJWTClaimsVerifier<Verification> {
        private final String issuer;
        private final Set<String> audiences;
        private final ParleyClock clock;
        private final Duration skew;

        ClockedClaimsVerifier(Set<String> audiences, String issuer, ParleyClock clock, Duration skew) {
            super(audiences, new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("exp", "sub", "iss"), null);
            this.issuer = issuer;
            this.audiences = audiences;
            this.clock = clock;
            this.skew = skew;
            setMaxClockSkew((int) skew.toSeconds());
        }

        @Override
        protected Date currentTime() {
            return Date.from(clock.instant());
        }

        @Override
        public void verify(JWTClaimsSet claims, @Nullable Verification context) throws BadJWTException {
            try {
                super.verify(claims, context);
            } catch (BadJWTException e) {
                if (context != null) {
                    context.claimsRejection = classify(claims);
                }
                throw e;
            }
        }

        private Rejection classify(JWTClaimsSet claims) {
            if (claims.getExpirationTime() == null || claims.getSubject() == null || claims.getIssuer() == null
                    || claims.getAudience() == null || claims.getAudience().isEmpty()) {
                return Rejection.MISSING_CLAIM;
            }
            if (!issuer.equals(claims.getIssuer())) {
                return Rejection.WRONG_ISSUER;
            }
            if (claims.getAudience().stream().noneMatch(audiences::contains)) {
                return Rejection.WRONG_AUDIENCE;
            }
            Instant now = clock.instant();
            if (!claims.getExpirationTime().toInstant().isAfter(now.minus(skew))) {
                return Rejection.EXPIRED;
            }
            if (claims.getNotBeforeTime() != null && !claims.getNotBeforeTime().toInstant().isBefore(now.plus(skew))) {
                return Rejection.NOT_YET_VALID;
            }
            return Rejection.INVALID_CLAIMS;
        }
    }

    /**
     * Configures a {@link JwtAuthenticator}. The issuer, at least one audience and exactly one
     * key source ({@link #jwksUri}, {@link #jwksFile}, {@link #jwkSet} or {@link #hmacSecret})
     * are required; everything else has a default.
     */
    public static final class Builder {
        private @Nullable String issuer;
        private final Set<String> audiences = new LinkedHashSet<>();
        private @Nullable Set<SigningAlgorithm> algorithms;
        private Duration clockSkew = Duration.ofSeconds(30);
        private ParleyClock clock = ParleyClock.system();
        private @Nullable String rolesClaim;
        private int maxTokenLength = Headers.MAX_VALUE_LENGTH;
        private @Nullable URI jwksUri;
        private @Nullable Path jwksFile;
        private @Nullable String jwkSet;
        private byte @Nullable [] hmacSecret;
        private Duration jwksRefreshInterval = Duration.ofMinutes(5);
        private Duration jwksMinRefreshInterval = Duration.ofSeconds(30);
        private Duration jwksFileCheckInterval = Duration.ofSeconds(10);
        private Duration jwksTimeout = Duration.ofSeconds(5);

        private Builder() {}

        /** The {@code iss} every token must carry exactly. Required. */
        public Builder issuer(String value) {
            if (value.isBlank()) {
                throw new IllegalArgumentException("issuer: '" + value + "' (expected: a non-blank issuer) for JwtAuthenticator");
            }
            this.issuer = value;
            return this;
        }

        /** The audiences this service answers to; a token's {@code aud} must name at least one. Required. */
        public Builder audiences(String... values) {
            for (String v : values) {
                if (v.isBlank()) {
                    throw new IllegalArgumentException("audiences: '" + v + "' (expected: non-blank audiences) for JwtAuthenticator");
                }
                audiences.add(v);
            }
            return this;
        }

        /** The only algorithms accepted; default RS256 and ES256, or HS256 with {@link #hmacSecret}. */
        public Builder algorithms(SigningAlgorithm... values) {
            if (values.length == 0) {
                throw new IllegalArgumentException("algorithms: [] (expected: at least one) for JwtAuthenticator");
            }
            this.algorithms = EnumSet.copyOf(Arrays.asList(values));
            return this;
        }

        /** How far {@code exp} and {@code nbf} may be off; default 30 s, at most {@link #MAX_CLOCK_SKEW}. */
        public Builder clockSkew(Duration value) {
            if (value.isNegative() || value.compareTo(MAX_CLOCK_SKEW) > 0) {
                throw new IllegalArgumentException("clockSkew: " + value + " (expected: between PT0S and " + MAX_CLOCK_SKEW
                        + ") for JwtAuthenticator");
            }
            this.clockSkew = value;
            return this;
        }

        /** Where "now" comes from, for token validity and JWK set refreshes; default the system clock. */
        public Builder clock(ParleyClock value) {
            this.clock = value;
            return this;
        }

        /** A claim (array or space-separated string) whose values are added to the caller's scopes, e.g. {@code roles}. */
        public Builder rolesClaim(String value) {
            if (value.isBlank()) {
                throw new IllegalArgumentException("rolesClaim: '" + value + "' (expected: a claim name) for JwtAuthenticator");
            }
            this.rolesClaim = value;
            return this;
        }

        /** Tokens longer than this many characters are refused unparsed; default 8 KiB, the longest header value Parley carries. */
        public Builder maxTokenLength(int value) {
            if (value < 64) {
                throw new IllegalArgumentException("maxTokenLength: " + value + " (expected: >= 64) for JwtAuthenticator");
            }
            this.maxTokenLength = value;
            return this;
        }

        /** Fetches the JWK set from this URL (with the JDK HttpClient) and caches it. */
        public Builder jwksUri(URI value) {
            String scheme = value.getScheme();
            if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("jwksUri: " + value + " (expected: an http or https URL) for JwtAuthenticator");
            }
            this.jwksUri = value;
            return this;
        }

        /** Reads the JWK set from this file, and again whenever it changes. */
        public Builder jwksFile(Path value) {
            this.jwksFile = value;
            return this;
        }

        /** A fixed JWK set, as JSON (e.g. {@link TokenIssuer#publicJwkSet()}); only its public keys are used. */
        public Builder jwkSet(String json) {
            try {
                JWKSet.parse(json);
            } catch (ParseException e) {
                throw new IllegalArgumentException("jwkSet: not a JWK set (" + e.getMessage() + ") for JwtAuthenticator", e);
            }
            this.jwkSet = json;
            return this;
        }

        /**
         * Verifies with a shared secret of at least 32 bytes instead of public keys. Only HMAC
         * algorithms are then accepted (HS256 unless {@link #algorithms} says otherwise).
         */
        public Builder hmacSecret(byte[] secret) {
            if (secret.length < 32) {
                throw new IllegalArgumentException("hmacSecret: " + secret.length + " bytes (expected: >= 32) for JwtAuthenticator");
            }
            this.hmacSecret = secret.clone();
            return this;
        }

        /** How long a fetched JWK set is used before it is fetched again; default 5 minutes. */
        public Builder jwksRefreshInterval(Duration value) {
            this.jwksRefreshInterval = positive("jwksRefreshInterval", value);
            return this;
        }

        /** The least time between two fetches, whatever the reason (unknown kids, failures); default 30 s. */
        public Builder jwksMinRefreshInterval(Duration value) {
            this.jwksMinRefreshInterval = nonNegative("jwksMinRefreshInterval", value);
            return this;
        }

        /** How often a {@link #jwksFile} is checked for changes; default 10 s. */
        public Builder jwksFileCheckInterval(Duration value) {
            this.jwksFileCheckInterval = nonNegative("jwksFileCheckInterval", value);
            return this;
        }

        /** The connect and request timeout of a JWK set fetch; default 5 s. */
        public Builder jwksTimeout(Duration value) {
            this.jwksTimeout = positive("jwksTimeout", value);
            return this;
        }

        public JwtAuthenticator build() {
            if (issuer == null) {
                throw new IllegalStateException("issuer: not set (expected: the iss of accepted tokens) for JwtAuthenticator");
            }
            if (audiences.isEmpty()) {
                throw new IllegalStateException("audiences: none (expected: at least one audience) for JwtAuthenticator");
            }
            int sources = (jwksUri != null ? 1 : 0) + (jwksFile != null ? 1 : 0) + (jwkSet != null ? 1 : 0) + (hmacSecret != null ? 1 : 0);
            if (sources != 1) {
                throw new IllegalStateException("key sources: " + sources
                        + " (expected: exactly one of jwksUri, jwksFile, jwkSet, hmacSecret) for JwtAuthenticator");
            }
            boolean hmac = hmacSecret != null;
            if (algorithms == null) {
                algorithms = hmac ? EnumSet.of(SigningAlgorithm.HS256) : EnumSet.of(SigningAlgorithm.RS256, SigningAlgorithm.ES256);
            }
            for (SigningAlgorithm a : algorithms) {
                if (a.isHmac() != hmac) {
                    throw new IllegalStateException("algorithms: " + algorithms + " (expected: " + (hmac
                            ? "only HMAC algorithms with an hmacSecret" : "no HMAC algorithm without an hmacSecret")
                            + ") for JwtAuthenticator");
                }
            }
            KeySource source;
            if (jwksUri != null) {
                source = new RemoteJwkSet(jwksUri, jwksTimeout, jwksRefreshInterval, jwksMinRefreshInterval, clock);
            } else if (jwksFile != null) {
                source = new FileJwkSet(jwksFile, jwksFileCheckInterval, clock);
            } else if (jwkSet != null) {
                try {
                    source = KeySource.fixed(JWKSet.parse(jwkSet).toPublicJWKSet());
                } catch (ParseException e) {
                    throw new IllegalStateException("jwkSet: not a JWK set for JwtAuthenticator", e);
                }
            } else {
                return new JwtAuthenticator(this, null, new SecretKeySpec(hmacSecret, "HmacSHA256"));
            }
            return new JwtAuthenticator(this, source, null);
        }

        private static Duration positive(String name, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0) for JwtAuthenticator");
            }
            return value;
        }

        private static Duration nonNegative(String name, Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0) for JwtAuthenticator");
            }
            return value;
        }
    }
}
