package dev.parley.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.testkit.ManualClock;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenIssuerTest {

    final ManualClock clock = ManualClock.startingAt(Instant.parse("2026-05-01T08:00:00Z"));

    @Test
    void issuedTokensCarryTheStandardClaimsAndVerifyAgainstThePublishedSet() throws ParseException {
        for (SigningAlgorithm alg : new SigningAlgorithm[] {SigningAlgorithm.RS256, SigningAlgorithm.ES256}) {
            TokenIssuer issuer = TokenIssuer.builder().issuer("https://auth.test").generateKey(alg).clock(clock).build();
            String token = issuer.issue("dispatcher", "trips", Set.of("trips:read"), Duration.ofMinutes(5));

            SignedJWT jwt = SignedJWT.parse(token);
            assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo(alg.name());
            assertThat(jwt.getHeader().getKeyID()).isEqualTo(issuer.currentKeyId());
            assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("https://auth.test");
            assertThat(jwt.getJWTClaimsSet().getExpirationTime().toInstant()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
            assertThat(jwt.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("trips:read");

            JwtAuthenticator auth = JwtAuthenticator.builder().issuer("https://auth.test").audiences("trips")
                    .jwkSet(issuer.publicJwkSet()).clock(clock).build();
            assertThat(auth.authenticate(Headers.of(Map.of(StandardHeaders.AUTHORIZATION, "Bearer " + token))).scopes())
                    .containsExactly("trips:read");
        }
    }

    @Test
    void thePublishedSetHoldsOnlyPublicKeysAndFollowsRotation() throws ParseException {
        TokenIssuer issuer = TokenIssuer.generate("https://auth.test", SigningAlgorithm.RS256);
        String first = issuer.currentKeyId();
        assertThat(JWKSet.parse(issuer.publicJwkSet()).getKeys()).extracting(JWK::getKeyID).containsExactly(first);
        assertThat(JWKSet.parse(issuer.publicJwkSet()).containsNonPublicKeys()).isFalse();

        String second = issuer.rotate();
        assertThat(JWKSet.parse(issuer.publicJwkSet()).getKeys()).extracting(JWK::getKeyID).containsExactly(second, first);

        issuer.retire(first);
        assertThat(JWKSet.parse(issuer.publicJwkSet()).getKeys()).extracting(JWK::getKeyID).containsExactly(second);
        assertThatThrownBy(() -> issuer.retire(second)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not the current signing key");
        assertThatThrownBy(() -> issuer.retire(first)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kid: " + first + " (expected: one of [" + second + "])");
    }

    @Test
    void unsupportedAlgorithmsAndBadArgumentsAreRefused() {
        assertThatThrownBy(() -> TokenIssuer.generate("https://auth.test", SigningAlgorithm.HS256))
                .hasMessage("algorithm: HS256 (expected: RS256 or ES256) for TokenIssuer");
        TokenIssuer issuer = TokenIssuer.generate("https://auth.test", SigningAlgorithm.ES256);
        assertThatThrownBy(() -> issuer.issue("ada", "trips", Set.of(), Duration.ZERO))
                .hasMessage("ttl: PT0S (expected: > 0) for TokenIssuer https://auth.test");
        assertThatThrownBy(() -> TokenIssuer.builder().issuer("x").signingKey(TokenIssuer.newKey(SigningAlgorithm.RS256).toPublicJWK()))
                .hasMessageContaining("expected: a private key with a kid");
    }
}
