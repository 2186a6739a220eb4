package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.CallContext;
import dev.parley.CallerIdentity;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.RemoteException;
import dev.parley.contract.Contract;
import dev.parley.contract.RequiresScopes;
import dev.parley.contract.http.Get;
import dev.parley.contract.http.Post;
import dev.parley.jwt.JwtAuthenticator;
import dev.parley.jwt.ServiceToken;
import dev.parley.jwt.SigningAlgorithm;
import dev.parley.jwt.TokenIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bearer tokens over HTTP: a contract with {@link RequiresScopes} served by a runtime with a
 * {@link JwtAuthenticator}, called by a plain HTTP client and by Parley clients; and a token
 * that travels on from one HTTP service to the next.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("try") // a CallContext scope is used for its effect on the calls inside it
class JwtOverHttpTest {

    record AccountId(String id) {}

    record Balance(String id, long cents, String seenBy, String token) {}

    @Contract(name = "accounts", version = "1.0")
    @RequiresScopes("accounts:read")
    interface Accounts {
        @Get("/accounts/{id}")
        Balance balance(AccountId account);

        @Post("/accounts/{id}/close")
        @RequiresScopes({"accounts:read", "accounts:write"})
        Balance close(AccountId account);
    }

    record StatementRequest(String accountId) {}

    record Statement(String accountId, String seenBy, Balance fromAccounts) {}

    /** Service A: builds a statement by calling service B ({@link Accounts}) while handling the call. */
    @Contract(name = "statements", version = "1.0")
    @RequiresScopes("accounts:read")
    interface Statements {
        @Get("/statements/{accountId}")
        Statement statement(StatementRequest request);
    }

    private static String subject() {
        return CallContext.current().flatMap(CallContext::caller).map(CallerIdentity::subject).orElse("anonymous");
    }

    private static String token() {
        return CallContext.current().flatMap(CallContext::bearerToken).orElse("none");
    }

    static final class AccountService implements Accounts {
        @Override
        public Balance balance(AccountId account) {
            return new Balance(account.id(), 100, subject(), token());
        }

        @Override
        public Balance close(AccountId account) {
            return new Balance(account.id(), 0, subject(), token());
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private TokenIssuer issuer;
    private JwtAuthenticator jwt;
    private HttpTransport accountsHttp;
    private Parley accounts;
    private HttpTransport statementsHttp;
    private Parley statements;
    private HttpTransport callerHttp;
    private Parley caller;

    @BeforeAll
    void start() {
        issuer = TokenIssuer.generate("https://auth.test", SigningAlgorithm.ES256);
        jwt = JwtAuthenticator.builder().issuer("https://auth.test").audiences("accounts").jwkSet(issuer.publicJwkSet()).build();

        accountsHttp = HttpTransport.builder().server(0).bindAddress("127.0.0.1").build();
        accounts = Parley.builder().service("accounts").transport(accountsHttp).authenticator(jwt).build();
        accounts.serve(Accounts.class, new AccountService());

        // Service A serves over HTTP and calls B over HTTP with the same transport.
        statementsHttp = HttpTransport.builder().server(0).bindAddress("127.0.0.1")
                .target("accounts", "http://127.0.0.1:" + accountsHttp.port()).build();
        statements = Parley.builder().service("statements").transport(statementsHttp).authenticator(jwt).build();
        Accounts downstream = statements.client(Accounts.class);
        statements.serve(Statements.class, request -> new Statement(request.accountId(), subject(),
                downstream.balance(new AccountId(request.accountId()))));

        callerHttp = HttpTransport.builder()
                .target("accounts", "http://127.0.0.1:" + accountsHttp.port())
                .target("statements", "http://127.0.0.1:" + statementsHttp.port())
                .build();
        caller = Parley.builder().service("dispatcher").transport(callerHttp).build();
    }

    @AfterAll
    void stop() {
        caller.close();
        callerHttp.close();
        statements.close();
        statementsHttp.close();
        accounts.close();
        accountsHttp.close();
    }

    @Test
    void noTokenAndABadSignatureAreTheSameBare401() throws Exception {
        long badSignatures = jwt.rejections().get("bad_signature");
        String valid = issuer.issue("ada", "accounts", Set.of("accounts:read"), Duration.ofMinutes(5));
        String[] parts = valid.split("\\.");
        char c = parts[2].charAt(10);
        String tampered = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) + (c == 'A' ? 'B' : 'A') + parts[2].substring(11);

        HttpResponse<String> none = get("/v1/accounts/a-1", null);
        HttpResponse<String> forged = get("/v1/accounts/a-1", "Bearer " + tampered);
        HttpResponse<String> notBearer = get("/v1/accounts/a-1", "Basic YWRhOnNlY3JldA==");

        for (HttpResponse<String> r : java.util.List.of(none, forged, notBearer)) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
            assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"parley\"");
            assertThat(r.body()).contains("\"code\":\"UNAUTHENTICATED\"").contains(JwtAuthenticator.MESSAGE)
                    .doesNotContain("accounts:read").doesNotContain("scope").doesNotContain("signature")
                    .doesNotContain("missing_token").doesNotContain("Basic").doesNotContain("\"details\"");
        }
        // Whatever the reason, the caller learns nothing from the answer.
        assertThat(forged.body()).isEqualTo(none.body()).isEqualTo(notBearer.body());
        assertThat(jwt.rejections().get("bad_signature")).isEqualTo(badSignatures + 1);
    }

    @Test
    void aValidTokenWithoutTheScopeIs403AndWithItIs200() throws Exception {
        String reader = "Bearer " + issuer.issue("ada", "accounts", Set.of("accounts:read"), Duration.ofMinutes(5));
        String writer = "Bearer " + issuer.issue("grace", "accounts", Set.of("accounts:read", "accounts:write"), Duration.ofMinutes(5));

        HttpResponse<String> denied = post("/v1/accounts/a-1/close", reader);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(denied.body()).contains("\"code\":\"PERMISSION_DENIED\"").doesNotContain("accounts:write");

        HttpResponse<String> read = get("/v1/accounts/a-1", reader);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).contains("\"seenBy\":\"ada\"");
        HttpResponse<String> closed = post("/v1/accounts/a-1/close", writer);
        assertThat(closed.statusCode()).isEqualTo(200);
        assertThat(closed.body()).contains("\"seenBy\":\"grace\"").contains("\"cents\":0");
    }

    @Test
    void aParleyClientOverHttpCallsWithItsServiceToken() {
        Accounts client = caller.client(Accounts.class);
        assertThatThrownBy(() -> client.balance(new AccountId("a-1"))).isInstanceOfSatisfying(RemoteException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
            assertThat(e.getMessage()).isEqualTo(JwtAuthenticator.MESSAGE);
        });
        ServiceToken token = ServiceToken.of(issuer, "dispatcher", "accounts", Set.of("accounts:read"), Duration.ofMinutes(5));
        try (CallContext.Scope scope = token.scope()) {
            Balance balance = client.balance(new AccountId("a-1"));
            assertThat(balance.seenBy()).isEqualTo("dispatcher");
            assertThat(balance.token()).isEqualTo(token.current());
            assertThatThrownBy(() -> client.close(new AccountId("a-1")))
                    .isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED));
        }
    }

    @Test
    void theCallersTokenTravelsFromOneHttpServiceToTheNext() throws Exception {
        ServiceToken token = ServiceToken.of(issuer, "dispatcher", "accounts", Set.of("accounts:read"), Duration.ofMinutes(5));
        Statements client = caller.client(Statements.class);
        try (CallContext.Scope scope = token.scope()) {
            Statement statement = client.statement(new StatementRequest("a-7"));
            assertThat(statement.seenBy()).isEqualTo("dispatcher");
            assertThat(statement.fromAccounts()).isEqualTo(new Balance("a-7", 100, "dispatcher", token.current()));
        }
        // Without a token, service A refuses before it calls B.
        HttpResponse<String> anonymous = get(statementsHttp, "/v1/statements/a-7", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        return get(accountsHttp, path, authorization);
    }

    private HttpResponse<String> get(HttpTransport server, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String authorization) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + accountsHttp.port() + path))
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
