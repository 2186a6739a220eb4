package dev.parley.examples.taxi;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.parley.jwt.JwtAuthenticator;
import dev.parley.jwt.TokenIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;

/**
 * The demo's service-token key: a local P-256 JWK that Trip Management signs its service
 * tokens with and the Passenger service verifies them against. Kept in a file of the data
 * directory so that separately started processes share it; whichever starts first creates it.
 * A real deployment would get tokens from its identity provider and verify against its JWKS URL.
 */
final class ServiceKeys {

    static final String AUDIENCE = "passengers";
    static final String SCOPE = "passengers:verify";

    private ServiceKeys() {}

    static ECKey loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                ECKey key = new ECKeyGenerator(Curve.P_256).keyID("taxi-demo-" + Long.toHexString(System.nanoTime())).generate();
                Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".key", ".tmp");
                Files.writeString(tmp, key.toJSONString(), StandardCharsets.UTF_8);
                try {
                    Files.createLink(file, tmp); // fails if another process was first: then its key wins
                } catch (FileAlreadyExistsException e) {
                    // another process created it first; use theirs
                } finally {
                    Files.delete(tmp);
                }
            }
            return ECKey.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("service-token key " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        } catch (ParseException | JOSEException e) {
            throw new IllegalStateException("service-token key " + file.toAbsolutePath() + ": not a P-256 JWK (" + e.getMessage()
                    + "); delete it to have a new one made", e);
        }
    }

    static TokenIssuer issuer(String issuer, ECKey key) {
        return TokenIssuer.builder().issuer(issuer).signingKey(key).build();
    }

    static JwtAuthenticator authenticator(String issuer, ECKey key) {
        return JwtAuthenticator.builder().issuer(issuer).audiences(AUDIENCE).jwkSet(new JWKSet(key.toPublicJWK()).toString()).build();
    }
}
