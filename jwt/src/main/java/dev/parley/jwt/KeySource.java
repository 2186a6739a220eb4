package dev.parley.jwt;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import java.util.List;

/**
 * Where a {@link JwtAuthenticator} finds verification keys. When a token names a key id that
 * the current set does not hold, the source may refresh once (each implementation bounds how
 * often) before the token is refused.
 */
abstract class KeySource implements JWKSource<Verification> {

    /** The keys to verify with now; throws when there never were any. */
    abstract JWKSet keys() throws KeySourceException;

    /** Reloads the set because a token named an unknown key; false when it is too soon to try again. */
    abstract boolean refreshForUnknownKey() throws KeySourceException;

    @Override
    public final List<JWK> get(JWKSelector selector, Verification context) throws KeySourceException {
        List<JWK> found = selector.select(keys());
        if (found.isEmpty() && selector.getMatcher().getKeyIDs() != null
                && !selector.getMatcher().getKeyIDs().isEmpty() && refreshForUnknownKey()) {
            found = selector.select(keys());
        }
        return found;
    }

    /** A set that never changes: a shared secret, or keys given in code. */
    static KeySource fixed(JWKSet keys) {
        return new KeySource() {
            @Override
            JWKSet keys() {
                return keys;
            }

            @Override
            boolean refreshForUnknownKey() {
                return false;
            }

            @Override
            public String toString() {
                return "fixed JWK set of " + keys.size() + " keys";
            }
        };
    }
}
