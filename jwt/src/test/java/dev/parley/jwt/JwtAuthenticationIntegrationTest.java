package dev.parley.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.CallContext;
import dev.parley.CallerIdentity;
import dev.parley.ErrorCode;
import dev.parley.RemoteException;
import dev.parley.contract.Contract;
import dev.parley.contract.RequiresScopes;
import dev.parley.message.StandardHeaders;
import dev.parley.testkit.ParleyExtension;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A service guarded by a JwtAuthenticator, called over core's in-process transport. */
@SuppressWarnings("try") // a CallContext scope is used for its effect on the calls inside it
class JwtAuthenticationIntegrationTest {

    @RegisterExtension
    final ParleyExtension parley = ParleyExtension.create();

    record Account(String id) {}

    record Balance(String id, long cents, String seenBy) {}

    @Contract(name = "accounts", version = "1.0")
    @RequiresScopes("accounts:read")
    interface Accounts {
        Balance balance(Account account);

        @RequiresScopes({"accounts:read", "accounts:write"})
        Balance close(Account account);
    }

    static final class AccountService implements Accounts {
        private static String caller() {
            return CallContext.current().flatMap(CallContext::caller).map(CallerIdentity::subject).orElse("anonymous");
        }

        @Override
        public Balance balance(Account account) {
            return new Balance(account.id(), 100, caller());
        }

        @Override
        public Balance close(Account account) {
            return new Balance(account.id(), 0, caller());
        }
    }

    TokenIssuer issuer;
    JwtAuthenticator jwt;

    Accounts client() {
        issuer = TokenIssuer.builder().issuer("https://auth.test").generateKey(SigningAlgorithm.RS256).clock(parley.clock()).build();
        jwt = JwtAuthenticator.builder().issuer("https://auth.test").audiences("accounts").jwkSet(issuer.publicJwkSet())
                .clock(parley.clock()).build();
        parley.service("accounts", b -> b.authenticator(jwt)).serve(Accounts.class, new AccountService());
        return parley.service("app").client(Accounts.class);
    }

    @Test
    void aCallerWithAValidTokenAndTheScopesIsServed() {
        Accounts accounts = client();
        String token = issuer.issue("ada", "accounts", Set.of("accounts:read"), Duration.ofMinutes(5));

        try (CallContext.Scope scope = CallContext.withHeader(StandardHeaders.AUTHORIZATION, "Bearer " + token)) {
            assertThat(accounts.balance(new Account("a-1")).seenBy()).isEqualTo("ada");
        }
    }

    @Test
    void aValidTokenWithoutARequiredScopeIsPermissionDenied() {
        Accounts accounts = client();
        String token = issuer.issue("ada", "accounts", Set.of("accounts:read"), Duration.ofMinutes(5));

        try (CallContext.Scope scope = CallContext.withHeader(StandardHeaders.AUTHORIZATION, "Bearer " + token)) {
            assertThatThrownBy(() -> accounts.close(new Account("a-1"))).isInstanceOfSatisfying(RemoteException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED));
        }
    }

    @Test
    void noTokenOrAForeignTokenIsUnauthenticatedWithTheGenericMessage() {
        Accounts accounts = client();
        String foreign = TokenIssuer.generate("https://auth.test", SigningAlgorithm.RS256)
                .issue("mallory", "accounts", Set.of("accounts:read", "accounts:write"), Duration.ofMinutes(5));

        assertThatThrownBy(() -> accounts.balance(new Account("a-1"))).isInstanceOfSatisfying(RemoteException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
            assertThat(e.getMessage()).isEqualTo(JwtAuthenticator.MESSAGE);
        });
        try (CallContext.Scope scope = CallContext.withHeader(StandardHeaders.AUTHORIZATION, "Bearer " + foreign)) {
            assertThatThrownBy(() -> accounts.close(new Account("a-1"))).isInstanceOfSatisfying(RemoteException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
                assertThat(e.getMessage()).isEqualTo(JwtAuthenticator.MESSAGE);
            });
        }
        assertThat(jwt.rejections()).containsEntry("missing_token", 1L).containsEntry("unknown_key", 1L);
    }

    @Test
    void aServiceTokenIsSentInItsScopeAndRefreshedBeforeItExpires() {
        Accounts accounts = client();
        ServiceToken token = ServiceToken.of(issuer, "dispatcher", "accounts", Set.of("accounts:read"), Duration.ofMinutes(10));
        String first = token.current();

        try (CallContext.Scope scope = token.scope()) {
            assertThat(accounts.balance(new Account("a-1")).seenBy()).isEqualTo("dispatcher");
        }

        // Past the first token's lifetime: a cached token would now be refused as expired.
        parley.clock().advance(Duration.ofMinutes(11));
        try (CallContext.Scope scope = token.scope()) {
            assertThat(accounts.balance(new Account("a-1")).seenBy()).isEqualTo("dispatcher");
        }
        assertThat(token.current()).isNotEqualTo(first);
        assertThat(jwt.rejections().values()).allMatch(n -> n == 0);
    }
}
