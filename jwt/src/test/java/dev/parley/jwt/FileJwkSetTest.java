package dev.parley.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.testkit.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JWK set in a local file, re-read when it changes. */
class FileJwkSetTest {

    static final Duration CHECK = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    final ManualClock clock = ManualClock.create();
    final TokenIssuer issuer = TokenIssuer.builder().issuer("https://auth.test").generateKey(SigningAlgorithm.ES256).clock(clock).build();

    static Headers bearer(String token) {
        return Headers.of(Map.of(StandardHeaders.AUTHORIZATION, "Bearer " + token));
    }

    /** Writes the issuer's set with a modification time that moves forward, as a deployment would. */
    void publish(Path file, int version) throws IOException {
        Files.writeString(file, issuer.publicJwkSet());
        Files.setLastModifiedTime(file, FileTime.from(clock.instant().plusSeconds(version)));
    }

    @Test
    void theFileIsReadAgainAfterItChangesAtMostOncePerCheckInterval() throws IOException {
        Path file = dir.resolve("jwks.json");
        publish(file, 1);
        JwtAuthenticator auth = JwtAuthenticator.builder().issuer("https://auth.test").audiences("trips").jwksFile(file)
                .jwksFileCheckInterval(CHECK).clock(clock).build();
        String old = issuer.issue("ada", "trips", Set.of(), Duration.ofHours(1));
        assertThat(auth.authenticate(bearer(old)).subject()).isEqualTo("ada");

        String oldKid = issuer.currentKeyId();
        issuer.rotate();
        publish(file, 2);
        String rotated = issuer.issue("grace", "trips", Set.of(), Duration.ofHours(1));

        JwtAuthenticatorTest.assertRefused(auth, bearer(rotated), "unknown_key");   // not looked at yet
        clock.advance(CHECK);
        assertThat(auth.authenticate(bearer(rotated)).subject()).isEqualTo("grace");
        assertThat(auth.authenticate(bearer(old)).subject()).isEqualTo("ada");

        issuer.retire(oldKid);
        publish(file, 3);
        clock.advance(CHECK);
        JwtAuthenticatorTest.assertRefused(auth, bearer(old), "unknown_key");
        assertThat(auth.authenticate(bearer(rotated)).subject()).isEqualTo("grace");
    }

    @Test
    void aBrokenFileKeepsTheLastGoodKeys() throws IOException {
        Path file = dir.resolve("jwks.json");
        publish(file, 1);
        JwtAuthenticator auth = JwtAuthenticator.builder().issuer("https://auth.test").audiences("trips").jwksFile(file)
                .jwksFileCheckInterval(CHECK).clock(clock).build();
        String token = issuer.issue("ada", "trips", Set.of(), Duration.ofHours(1));
        auth.authenticate(bearer(token));

        Files.writeString(file, "{\"keys\": [");
        clock.advance(CHECK);
        assertThat(auth.authenticate(bearer(token)).subject()).isEqualTo("ada");

        Files.delete(file);
        clock.advance(CHECK);
        assertThat(auth.authenticate(bearer(token)).subject()).isEqualTo("ada");
    }
}
