package dev.parley;

import java.util.Map;
import java.util.Set;

/**
 * Who made a call, as an {@link Authenticator} established it.
 *
 * @param subject the caller's id, e.g. the token's {@code sub}
 * @param scopes  the scopes or roles the caller holds
 * @param claims  further verified claims, as strings
 */
public record CallerIdentity(String subject, Set<String> scopes, Map<String, String> claims) {
    public CallerIdentity {
        scopes = Set.copyOf(scopes);
        claims = Map.copyOf(claims);
    }

    public boolean hasAllScopes(Set<String> required) {
        return scopes.containsAll(required);
    }
}
