package dev.parley.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.parley.CallerIdentity;
import dev.parley.ErrorCode;
import dev.parley.ParleyException;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.testkit.ManualClock;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Verification against a JWK set served over a real socket, with time on a manual clock. */
class JwtAuthenticatorTest {

    static final String ISSUER = "https://auth.test";
    static final Duration MIN_REFRESH = Duration.ofSeconds(30);
    static final Duration REFRESH = Duration.ofMinutes(5);

    final ManualClock clock = ManualClock.startingAt(Instant.parse("2026-03-01T12:00:00Z"));
    final JWK rsa = TokenIssuer.newKey(SigningAlgorithm.RS256);
    final JWK ec = TokenIssuer.newKey(SigningAlgorithm.ES256);
    JwksServer server;
    JwtAuthenticator auth;

    @BeforeEach
    void start() throws IOException {
        server = JwksServer.start();
        server.publish(new JWKSet(List.of(rsa, ec)).toString(true));
        auth = authenticator().build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    JwtAuthenticator.Builder authenticator() {
        return JwtAuthenticator.builder().issuer(ISSUER).audiences("trips", "billing").jwksUri(server.uri()).clock(clock)
                .jwksMinRefreshInterval(MIN_REFRESH).jwksRefreshInterval(REFRESH);
    }

    JWTClaimsSet.Builder claims() {
        return Tokens.claims(ISSUER, "trips", clock.instant());
    }

    static Headers bearer(String token) {
        return Headers.of(Map.of(StandardHeaders.AUTHORIZATION, "Bearer " + token));
    }

    /** Asserts the generic refusal, and that exactly {@code reason} was counted, once. */
    static void assertRefused(JwtAuthenticator authenticator, Headers headers, String reason) {
        Map<String, Long> before = authenticator.rejections();
        assertThatThrownBy(() -> authenticator.authenticate(headers)).isInstanceOfSatisfying(ParleyException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
            assertThat(e.getMessage()).isEqualTo("invalid or missing bearer token");
            assertThat(e.details()).isEmpty();
        });
        Map<String, Long> expected = new HashMap<>(before);
        expected.merge(reason, 1L, Long::sum);
        assertThat(authenticator.rejections()).containsExactlyInAnyOrderEntriesOf(expected);
    }

    void assertRefused(String token, String reason) {
        assertRefused(auth, bearer(token), reason);
    }

    @Test
    void aValidTokenIsAcceptedWithItsSubjectScopesAndClaims() {
        TokenIssuer issuer = TokenIssuer.builder().issuer(ISSUER).signingKey(rsa).clock(clock).build();
        String token = issuer.issue("dispatcher", "billing", Set.of("trips:read", "trips:write"), Duration.ofMinutes(5));

        CallerIdentity caller = auth.authenticate(bearer(token));

        assertThat(caller.subject()).isEqualTo("dispatcher");
        assertThat(caller.scopes()).containsExactlyInAnyOrder("trips:read", "trips:write");
        assertThat(caller.claims()).containsEntry("iss", ISSUER).containsEntry("aud", "billing").containsKey("jti");
        assertThat(auth.rejections().values()).allMatch(n -> n == 0);
    }

    @Test
    void scopesComeFromAnScpArrayAndTheConfiguredRolesClaim() {
        JwtAuthenticator withRoles = authenticator().rolesClaim("roles").build();
        String token = Tokens.sign(ec, claims().claim("scp", List.of("a", "b")).claim("roles", List.of("admin")).build());

        assertThat(withRoles.authenticate(bearer(token)).scopes()).containsExactlyInAnyOrder("a", "b", "admin");
        assertThat(auth.authenticate(bearer(token)).scopes()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void anExpiredTokenIsRefusedOnceTheSkewHasPassed() {
        String token = Tokens.sign(rsa, claims().expirationTime(Date.from(clock.instant().plusSeconds(60))).build());
        assertThat(auth.authenticate(bearer(token)).subject()).isEqualTo("ada");

        clock.advance(Duration.ofSeconds(60 + 20));
        assertThat(auth.authenticate(bearer(token)).subject()).isEqualTo("ada");   // within the 30 s skew

        clock.advance(Duration.ofSeconds(15));
        assertRefused(token, "expired");
    }

    @Test
    void aTokenNotYetValidIsRefusedBeyondTheSkewAndAcceptedWithinIt() {
        String later = Tokens.sign(rsa, claims().notBeforeTime(Date.from(clock.instant().plusSeconds(60))).build());
        String soon = Tokens.sign(rsa, claims().notBeforeTime(Date.from(clock.instant().plusSeconds(20))).build());

        assertRefused(later, "not_yet_valid");
        assertThat(auth.authenticate(bearer(soon)).subject()).isEqualTo("ada");

        clock.advance(Duration.ofSeconds(40));
        assertThat(auth.authenticate(bearer(later)).subject()).isEqualTo("ada");
    }

    @Test
    void aTokenWithoutExpIsRefused() {
        assertRefused(Tokens.sign(rsa, claims().expirationTime(null).build()), "missing_claim");
    }

    @Test
    void aTokenFromAnotherIssuerIsRefused() {
        assertRefused(Tokens.sign(rsa, claims().issuer("https://evil.test").build()), "wrong_issuer");
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        assertRefused(Tokens.sign(rsa, claims().audience("payments").build()), "wrong_audience");
        assertThat(auth.authenticate(bearer(Tokens.sign(rsa, claims().audience(List.of("payments", "billing")).build()))).subject())
                .isEqualTo("ada");
    }

    @Test
    void anAccessTokenTypeIsAcceptedAndAnyOtherTypeRefused() throws JOSEException {
        String accessToken = Tokens.sign(new RSASSASigner((RSAKey) rsa), new JWSHeader.Builder(
                JWSAlgorithm.RS256).type(new JOSEObjectType("at+jwt")).keyID(rsa.getKeyID()).build(),
                claims().build());
        String logoutToken = Tokens.sign(new RSASSASigner((RSAKey) rsa), new JWSHeader.Builder(
                JWSAlgorithm.RS256).type(new JOSEObjectType("logout+jwt")).keyID(rsa.getKeyID()).build(),
                claims().build());

        assertThat(auth.authenticate(bearer(accessToken)).subject()).isEqualTo("ada");
        assertRefused(logoutToken, "malformed");
    }

    @Test
    void anUnsignedTokenIsRefused() {
        assertRefused(Tokens.unsigned(claims().build()), "algorithm_not_allowed");
    }

    @Test
    void anHmacTokenKeyedWithThePublicRsaKeyIsRefused() throws JOSEException {
        byte[] publicKeyAsSecret = ((RSAKey) rsa).toRSAPublicKey().getEncoded();
        String forged = Tokens.signHmac(publicKeyAsSecret, rsa.getKeyID(), claims().build());

        assertRefused(forged, "algorithm_not_allowed");
    }

    @Test
    void anEs256TokenIsRefusedWhenOnlyRs256IsAllowed() {
        JwtAuthenticator rsaOnly = authenticator().algorithms(SigningAlgorithm.RS256).build();
        String token = Tokens.sign(ec, claims().build());

        assertRefused(rsaOnly, bearer(token), "algorithm_not_allowed");
        assertThat(auth.authenticate(bearer(token)).subject()).isEqualTo("ada");
    }

    @Test
    void aTamperedPayloadIsRefused() {
        String[] parts = Tokens.sign(rsa, claims().claim("scope", "trips:read").build()).split("\\.");
        String payload = Tokens.base64(claims().claim("scope", "trips:read trips:admin").build().toString());

        assertRefused(parts[0] + "." + payload + "." + parts[2], "bad_signature");
    }

    @Test
    void aTamperedSignatureIsRefused() {
        String token = Tokens.sign(rsa, claims().build());
        int i = token.lastIndexOf('.') + 10;
        String tampered = token.substring(0, i) + (token.charAt(i) == 'A' ? 'B' : 'A') + token.substring(i + 1);

        assertRefused(tampered, "bad_signature");
    }

    @Test
    void anUnknownKidFetchesTheSetOnceThenIsRefusedAndSprayedKidsDoNotFetchAgain() {
        auth.authenticate(bearer(Tokens.sign(rsa, claims().build())));
        assertThat(server.fetches()).isEqualTo(1);
        clock.advance(MIN_REFRESH);

        assertRefused(Tokens.sign(TokenIssuer.newKey(SigningAlgorithm.RS256), claims().build()), "unknown_key");
        assertThat(server.fetches()).isEqualTo(2);

        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(5));
            assertRefused(Tokens.sign(TokenIssuer.newKey(SigningAlgorithm.ES256), claims().build()), "unknown_key");
        }
        assertThat(server.fetches()).isEqualTo(2);
    }

    @Test
    void rotatedKeysAreAcceptedAfterARefreshAndRetiredKeysRefused() {
        TokenIssuer issuer = TokenIssuer.builder().issuer(ISSUER).signingKey(rsa).clock(clock).build();
        server.publish(issuer.publicJwkSet());
        String old = issuer.issue("ada", "trips", Set.of(), Duration.ofHours(1));
        assertThat(auth.authenticate(bearer(old)).subject()).isEqualTo("ada");

        String oldKid = issuer.currentKeyId();
        String newKid = issuer.rotate();
        server.publish(issuer.publicJwkSet());
        String rotated = issuer.issue("grace", "trips", Set.of(), Duration.ofHours(1));
        assertThat(newKid).isNotEqualTo(oldKid);
        clock.advance(MIN_REFRESH);

        assertThat(auth.authenticate(bearer(rotated)).subject()).isEqualTo("grace");   // the unknown kid fetched the new set
        assertThat(auth.authenticate(bearer(old)).subject()).isEqualTo("ada");         // still published

        issuer.retire(oldKid);
        server.publish(issuer.publicJwkSet());
        assertThat(auth.authenticate(bearer(old)).subject()).isEqualTo("ada");         // cached until the refresh interval
        clock.advance(REFRESH);

        assertRefused(old, "unknown_key");
        assertThat(auth.authenticate(bearer(rotated)).subject()).isEqualTo("grace");
    }

    @Test
    void theLastGoodKeysAreKeptWhenTheEndpointGoesDown() {
        String token = Tokens.sign(rsa, claims().expirationTime(Date.from(clock.instant().plusSeconds(3600))).build());
        auth.authenticate(bearer(token));
        server.close();
        clock.advance(REFRESH.plusMinutes(1));

        assertThat(auth.authenticate(bearer(token)).subject()).isEqualTo("ada");
        assertThat(auth.rejections().values()).allMatch(n -> n == 0);
    }

    @Test
    void noReachableKeySetRefusesEveryToken() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        JwtAuthenticator unreachable = authenticator().jwksUri(URI.create("http://127.0.0.1:" + closedPort + "/jwks.json")).build();

        assertRefused(unreachable, bearer(Tokens.sign(rsa, claims().build())), "keys_unavailable");
    }

    @Test
    void anOversizedTokenIsRefusedBeforeParsing() {
        JwtAuthenticator small = authenticator().maxTokenLength(1024).build();
        String big = Tokens.sign(rsa, claims().claim("padding", "x".repeat(1500)).build());

        assertRefused(small, bearer(big), "oversized");
        assertRefused(small, bearer("a".repeat(1025)), "oversized");   // garbage, yet not counted as malformed
        assertThat(auth.authenticate(bearer(big)).subject()).isEqualTo("ada");
        assertRefused(auth, bearer("a".repeat(1025)), "malformed");
    }

    @Test
    void aMissingHeaderAnotherSchemeOrGarbageIsRefused() {
        assertRefused(auth, Headers.empty(), "missing_token");
        assertRefused(auth, Headers.of(Map.of(StandardHeaders.AUTHORIZATION, "Basic YWRhOnNlY3JldA==")), "not_bearer");
        assertRefused(auth, Headers.of(Map.of(StandardHeaders.AUTHORIZATION, Tokens.sign(rsa, claims().build()))), "not_bearer");
        assertRefused("not.a.jwt", "malformed");
    }

    @Test
    void anHmacAuthenticatorAcceptsOnlyHmacTokens() {
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        JwtAuthenticator hmac = JwtAuthenticator.builder().issuer(ISSUER).audiences("trips").hmacSecret(secret).clock(clock).build();

        assertThat(hmac.authenticate(bearer(Tokens.signHmac(secret, "shared", claims().build()))).subject()).isEqualTo("ada");
        assertRefused(hmac, bearer(Tokens.sign(rsa, claims().build())), "algorithm_not_allowed");
        assertRefused(hmac, bearer(Tokens.signHmac("fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8),
                "shared", claims().build())), "bad_signature");
    }

    @Test
    void misconfigurationIsRefusedAtBuildTimeNamingTheSetting() {
        byte[] secret = new byte[32];
        assertThatThrownBy(() -> JwtAuthenticator.builder().issuer(ISSUER).audiences("trips").hmacSecret(secret)
                .algorithms(SigningAlgorithm.HS256, SigningAlgorithm.RS256).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("only HMAC algorithms");
        assertThatThrownBy(() -> authenticator().algorithms(SigningAlgorithm.HS256).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no HMAC algorithm without an hmacSecret");
        assertThatThrownBy(() -> JwtAuthenticator.builder().clockSkew(Duration.ofMinutes(6)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clockSkew: PT6M (expected: between PT0S and PT5M) for JwtAuthenticator");
        assertThatThrownBy(() -> JwtAuthenticator.builder().hmacSecret(new byte[16]))
                .hasMessage("hmacSecret: 16 bytes (expected: >= 32) for JwtAuthenticator");
        assertThatThrownBy(() -> authenticator().hmacSecret(secret).build())
                .hasMessageContaining("key sources: 2 (expected: exactly one of jwksUri, jwksFile, jwkSet, hmacSecret)");
        assertThatThrownBy(() -> JwtAuthenticator.builder().issuer(ISSUER).jwkSet("{\"keys\":[]}").build())
                .hasMessageContaining("audiences: none");
    }
}
