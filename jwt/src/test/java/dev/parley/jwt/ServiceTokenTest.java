package dev.parley.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.parley.testkit.ManualClock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServiceTokenTest {

    final ManualClock clock = ManualClock.create();
    final TokenIssuer issuer = TokenIssuer.builder().issuer("https://auth.test").generateKey(SigningAlgorithm.ES256).clock(clock).build();

    @Test
    void theTokenIsReusedUntil80PercentOfItsLifetimeThenRefreshed() {
        AtomicInteger issued = new AtomicInteger();
        ServiceToken token = ServiceToken.of(() -> {
            issued.incrementAndGet();
            return issuer.issue("dispatcher", "trips", Set.of("trips:read"), Duration.ofMinutes(10));
        }, clock);

        String first = token.current();
        clock.advance(Duration.ofMinutes(7).plusSeconds(59));
        assertThat(token.current()).isSameAs(first);
        assertThat(issued).hasValue(1);

        clock.advance(Duration.ofSeconds(1));
        String second = token.current();
        assertThat(second).isNotEqualTo(first);
        assertThat(issued).hasValue(2);
        assertThat(token.current()).isSameAs(second);
    }

    @Test
    void aTokenWithoutExpiryIsRefused() {
        ServiceToken token = ServiceToken.of(() -> Tokens.unsigned(new JWTClaimsSet.Builder().subject("x").build()), clock);

        assertThatThrownBy(token::current).isInstanceOf(IllegalStateException.class).hasMessageContaining("service token: exp null");
    }
}
