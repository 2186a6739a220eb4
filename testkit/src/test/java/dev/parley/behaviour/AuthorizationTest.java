package dev.parley.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.Authenticator;
import dev.parley.CallContext;
import dev.parley.CallerIdentity;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.ParleyException;
import dev.parley.RemoteException;
import dev.parley.contract.Contract;
import dev.parley.contract.RequiresScopes;
import dev.parley.message.StandardHeaders;
import dev.parley.testkit.ParleyExtension;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-method authorization, enforced by the service's Authenticator on every inbound call. */
class AuthorizationTest {

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

        @RequiresScopes({})
        Balance publicRate(Account account);
    }

    /** Tokens are opaque strings mapped to identities: enough to exercise the dispatcher's checks. */
    static final Authenticator TOKENS = headers -> {
        String auth = headers.valueOrNull(StandardHeaders.AUTHORIZATION);
        return switch (auth == null ? "" : auth) {
            case "Bearer reader" -> new CallerIdentity("ada", Set.of("accounts:read"), Map.of());
            case "Bearer admin" -> new CallerIdentity("grace", Set.of("accounts:read", "accounts:write"), Map.of());
            default -> throw ParleyException.of(ErrorCode.UNAUTHENTICATED, "invalid or missing token");
        };
    };

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

        @Override
        public Balance publicRate(Account account) {
            return new Balance(account.id(), 3, caller());
        }
    }

    private Accounts client() {
        parley.service("accounts", b -> b.authenticator(TOKENS)).serve(Accounts.class, new AccountService());
        return parley.service("app").client(Accounts.class);
    }

    private static <T> T as(String token, java.util.function.Supplier<T> call) {
        try (CallContext.Scope s = CallContext.withHeader(StandardHeaders.AUTHORIZATION, "Bearer " + token)) {
            return call.get();
        }
    }

    @Test
    void aCallerWithTheScopesIsServedAndTheHandlerSeesWhoItIs() {
        Accounts accounts = client();

        assertThat(as("reader", () -> accounts.balance(new Account("a-1"))).seenBy()).isEqualTo("ada");
        assertThat(as("admin", () -> accounts.close(new Account("a-1"))).seenBy()).isEqualTo("grace");
    }

    @Test
    void noTokenIsUnauthenticatedAndTheHandlerNeverRuns() {
        Accounts accounts = client();

        assertThatThrownBy(() -> accounts.balance(new Account("a-1"))).isInstanceOfSatisfying(RemoteException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
            assertThat(e.getMessage()).isEqualTo("invalid or missing token");
        });
    }

    @Test
    void aTokenWithoutEveryRequiredScopeIsPermissionDeniedWithoutNamingThem() {
        Accounts accounts = client();

        assertThatThrownBy(() -> as("reader", () -> accounts.close(new Account("a-1"))))
                .isInstanceOfSatisfying(RemoteException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
                    assertThat(e.getMessage()).isEqualTo("permission denied").doesNotContain("accounts:write");
                    assertThat(e.details()).isEmpty();
                });
    }

    @Test
    void publicMethodsNeedNoTokenButRefuseAnInvalidOne() {
        Accounts accounts = client();

        assertThat(accounts.publicRate(new Account("a-1")).seenBy()).isEqualTo("anonymous");
        assertThat(as("reader", () -> accounts.publicRate(new Account("a-1"))).seenBy()).isEqualTo("ada");
        assertThatThrownBy(() -> as("forged", () -> accounts.publicRate(new Account("a-1"))))
                .isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
    }

    @Test
    void servingScopedMethodsWithoutAnAuthenticatorFailsAtStartUp() {
        Parley unguarded = parley.service("accounts");

        assertThatThrownBy(() -> unguarded.serve(Accounts.class, new AccountService()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Accounts.balance requires scopes [accounts:read]")
                .hasMessageContaining("no Authenticator is configured");
    }
}
