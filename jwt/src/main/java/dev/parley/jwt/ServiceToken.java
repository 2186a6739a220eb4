package dev.parley.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import dev.parley.CallContext;
import dev.parley.ParleyClock;
import dev.parley.message.StandardHeaders;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A service's own bearer token for its outbound calls, obtained once and obtained again when
 * 80% of its lifetime has passed (on the {@link ParleyClock}), so calls never carry an expired
 * token and the issuer is not asked on every call.
 *
 * <pre>{@code
 * ServiceToken token = ServiceToken.of(issuer, "dispatcher", "trips", Set.of("trips:read"), Duration.ofMinutes(5));
 * try (CallContext.Scope scope = token.scope()) {
 *     trips.find(query);   // carries authorization: Bearer <token>
 * }
 * }</pre>
 *
 * <p>Share one per service and audience; it is thread-safe. A refresh happens on the calling
 * thread; if the source fails, the exception reaches that caller and the next call tries again.
 */
public final class ServiceToken {

    private static final double REFRESH_AT = 0.8;

    private final Supplier<String> source;
    private final ParleyClock clock;
    private @Nullable String token;
    private Instant refreshAt = Instant.MIN;

    private ServiceToken(Supplier<String> source, ParleyClock clock) {
        this.source = source;
        this.clock = clock;
    }

    /** Tokens from any source, e.g. an OAuth client-credentials call; each must be a JWT with {@code exp}. */
    public static ServiceToken of(Supplier<String> source, ParleyClock clock) {
        return new ServiceToken(source, clock);
    }

    /**
     * Tokens issued by {@code issuer} for {@code subject}, on the issuer's clock. The first
     * token is issued now, so that bad arguments fail here rather than at the first call.
     */
    public static ServiceToken of(TokenIssuer issuer, String subject, String audience, Set<String> scopes, Duration ttl) {
        Set<String> copy = Set.copyOf(scopes);
        ServiceToken token = new ServiceToken(() -> issuer.issue(subject, audience, copy, ttl), issuer.clock());
        token.current();
        return token;
    }

    /** The token to send now, refreshed first if 80% of its lifetime has passed. */
    public synchronized String current() {
        Instant now = clock.instant();
        if (token == null || !now.isBefore(refreshAt)) {
            String next = source.get();
            Date exp;
            try {
                JWTClaimsSet claims = JWTParser.parse(next).getJWTClaimsSet();
                exp = claims.getExpirationTime();
            } catch (ParseException e) {
                throw new IllegalStateException("service token: not a JWT (" + e.getMessage() + ") from " + source, e);
            }
            if (exp == null || !exp.toInstant().isAfter(now)) {
                throw new IllegalStateException("service token: exp " + exp + " (expected: a JWT that expires after " + now + ") from " + source);
            }
            long lifetime = Duration.between(now, exp.toInstant()).toMillis();
            refreshAt = now.plusMillis((long) (lifetime * REFRESH_AT));
            token = next;
        }
        return token;
    }

    /** Sends {@link #current()} as {@code authorization: Bearer ...} on the outbound calls made in the scope. */
    public CallContext.Scope scope() {
        return CallContext.withHeader(StandardHeaders.AUTHORIZATION, "Bearer " + current());
    }

    @Override
    public String toString() {
        return "ServiceToken(refresh at " + refreshAt + ")";
    }
}
