package dev.parley.testkit.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.Authenticator;
import dev.parley.CallContext;
import dev.parley.CallerIdentity;
import dev.parley.ClientOptions;
import dev.parley.DeadlineExceededException;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.ParleyException;
import dev.parley.RemoteException;
import dev.parley.message.StandardHeaders;
import dev.parley.testkit.suite.SuiteEcho.Msg;
import dev.parley.testkit.suite.SuiteEcho.Slow;
import dev.parley.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The behaviour every transport for one-to-one calls shares, as one abstract JUnit 5 suite that
 * each transport's tests subclass once (the way Netty runs one socket suite against every
 * native transport): request/response, asynchronous replies, one-way messages, typed errors,
 * unexpected failures without their details, deadlines that travel and stop the handler,
 * cancellation that reaches the server, custom headers and trace context, the server's
 * authenticator and per-method scopes, unserved contracts, concurrency, large messages and the
 * transport's message limit.
 *
 * <pre>{@code
 * class RpcTransportSuiteTest extends TransportSuite {
 *     protected Transport newServerTransport(int maxMessageBytes) {
 *         return RpcTransport.builder().server(0).maxFrameBytes(maxMessageBytes).build();
 *     }
 *     protected Transport newClientTransport(Transport server) {
 *         return RpcTransport.builder().target("127.0.0.1:" + ((RpcTransport) server).port()).build();
 *     }
 * }
 * }</pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class TransportSuite {

    /** Tokens the suite's server accepts: {@code good} (scope echo:admin) and {@code weak} (no scopes). */
    static final Authenticator TOKENS = headers -> {
        String token = headers.valueOrNull(StandardHeaders.AUTHORIZATION);
        if ("Bearer good".equals(token)) {
            return new CallerIdentity("alice", Set.of("echo:admin"), Map.of());
        }
        if ("Bearer weak".equals(token)) {
            return new CallerIdentity("bob", Set.of(), Map.of());
        }
        throw ParleyException.of(ErrorCode.UNAUTHENTICATED, "authentication required");
    };

    private final RecordingSuiteEcho echo = new RecordingSuiteEcho();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private Transport clientTransport;
    private Parley client;
    private SuiteEcho proxy;

    /**
     * A transport that serves calls, accepting messages up to about {@code maxMessageBytes}
     * (the transport's own body or frame limit) and refusing larger ones.
     */
    protected abstract Transport newServerTransport(int maxMessageBytes);

    /** A transport whose clients reach {@code server}; may be {@code server} itself (in-process). */
    protected abstract Transport newClientTransport(Transport server);

    /** The message limit the server transport is built with; the suite sends messages well below and well above it. */
    protected int maxMessageBytes() {
        return 64 * 1024;
    }

    @BeforeAll
    void startTransports() {
        Transport serverTransport = newServerTransport(maxMessageBytes());
        resources.add(serverTransport);
        Parley server = Parley.builder().service("suite-echo").transport(serverTransport).authenticator(TOKENS).build();
        resources.add(server);
        server.serve(SuiteEcho.class, echo);
        clientTransport = newClientTransport(serverTransport);
        if (clientTransport != serverTransport) {
            resources.add(clientTransport);
        }
    }

    /** A caller per test: breakers and bulkheads are per runtime, so one test's failures never refuse the next test's calls. */
    @BeforeEach
    void startCaller() {
        client = Parley.builder().service("suite-caller").transport(clientTransport).build();
        proxy = client.client(SuiteEcho.class);
    }

    @AfterEach
    void stopCaller() {
        client.close();
    }

    @AfterAll
    void stopTransports() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void requestResponse() {
        assertEquals(new Msg("hello"), proxy.echo(new Msg("hello")));
        assertEquals(new Msg("ünïcødé ✓ 🚕"), proxy.echo(new Msg("ünïcødé ✓ 🚕")));
    }

    @Test
    void asynchronousResponse() throws Exception {
        assertEquals(new Msg("later x"), proxy.later(new Msg("x")).toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    @Test
    void oneWayReachesTheHandler() throws Exception {
        proxy.note(new Msg("fire and forget"));
        assertEquals(new Msg("fire and forget"), echo.notes.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void applicationErrorsArriveTypedWithTheirDetails() {
        RemoteException e = assertThrows(RemoteException.class, () -> proxy.missing(new Msg("t-9")));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
        assertEquals("t-9 not found", e.getMessage());
        assertEquals(Map.of("text", "t-9"), e.details());
    }

    @Test
    void unexpectedFailuresArriveAsInternalWithoutTheirDetails() {
        RemoteException e = assertThrows(RemoteException.class, () -> proxy.broken(new Msg("x")));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertFalse(e.getMessage().contains("secret internal detail"), e.getMessage());
        assertFalse(e.getMessage().contains("IllegalStateException"), e.getMessage());
        assertEquals(new Msg("still serving"), proxy.echo(new Msg("still serving")));
    }

    @Test
    void theDeadlineTravelsAsRemainingTime() {
        SuiteEcho bounded = client.client(SuiteEcho.class, ClientOptions.custom().deadline(Duration.ofSeconds(20)).build());
        long remaining = bounded.slow(new Slow(0)).remainingMillis();
        assertTrue(remaining > 0 && remaining <= 20_000, "the handler had " + remaining + " ms of a 20 s deadline");
    }

    @Test
    void aPassedDeadlineFailsTheCallAndStopsTheHandler() throws Exception {
        SuiteEcho hurried = client.client(SuiteEcho.class, ClientOptions.custom().deadline(Duration.ofMillis(300)).build());
        assertThrows(DeadlineExceededException.class, () -> hurried.slow(new Slow(30_000)));
        assertEquals("slow 30000", echo.interrupted.poll(10, TimeUnit.SECONDS), "the handler was interrupted");
    }

    @Test
    void cancellingACallCancelsTheServersWork() throws Exception {
        SuiteEcho patient = client.client(SuiteEcho.class, ClientOptions.custom().deadline(Duration.ofSeconds(30)).build());
        CompletableFuture<Msg> call = patient.await(new Msg("w-1")).toCompletableFuture();
        CompletableFuture<Msg> onServer = echo.awaiting.poll(10, TimeUnit.SECONDS);
        assertNotNull(onServer, () -> "the call reached the handler; the call: "
                + (call.isCompletedExceptionally() ? call.exceptionNow().toString() : call.toString()));

        call.cancel(true);
        assertThrows(CancellationException.class, () -> onServer.get(10, TimeUnit.SECONDS));
        CompletableFuture<Msg> next = patient.await(new Msg("w-2")).toCompletableFuture();
        echo.awaiting.poll(10, TimeUnit.SECONDS).complete(new Msg("w-2"));
        assertEquals(new Msg("w-2"), next.get(10, TimeUnit.SECONDS));
    }

    @Test
    void customHeadersAndTraceContextReachTheHandler() {
        try (CallContext.Scope scope = CallContext.withHeader("x-tenant", "acme")) {
            String[] seen = proxy.headers(new Msg("?")).text().split(" ");
            assertEquals("acme", seen[0]);
            assertTrue(seen[1].matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"), "traceparent " + seen[1]);
        }
    }

    @Test
    void theServersAuthenticatorAndScopesDecide() {
        assertEquals(ErrorCode.UNAUTHENTICATED, assertThrows(RemoteException.class, () -> proxy.whoAmI(new Msg("?"))).code());
        try (CallContext.Scope scope = CallContext.withHeader("authorization", "Bearer forged")) {
            RemoteException e = assertThrows(RemoteException.class, () -> proxy.echo(new Msg("?")));
            assertEquals(ErrorCode.UNAUTHENTICATED, e.code());
        }
        try (CallContext.Scope scope = CallContext.withHeader("authorization", "Bearer weak")) {
            assertEquals(ErrorCode.PERMISSION_DENIED, assertThrows(RemoteException.class, () -> proxy.whoAmI(new Msg("?"))).code());
        }
        try (CallContext.Scope scope = CallContext.withHeader("authorization", "Bearer good")) {
            assertEquals(new Msg("alice"), proxy.whoAmI(new Msg("?")));
        }
    }

    @Test
    void aContractNobodyServesFailsClearlyAndOthersKeepWorking() {
        SuiteGhost ghost = client.client(SuiteGhost.class);
        ParleyException e = assertThrows(ParleyException.class, () -> ghost.haunt(new SuiteGhost.Boo("boo")));
        assertTrue(e.code() == ErrorCode.UNIMPLEMENTED || e.code() == ErrorCode.NOT_FOUND || e.code() == ErrorCode.UNAVAILABLE,
                "code " + e.code() + ": " + e.getMessage());
        assertEquals(new Msg("still fine"), proxy.echo(new Msg("still fine")));
    }

    @Test
    void manyConcurrentCallsEachGetTheirOwnReply() throws Exception {
        // More than the 100 streams an HTTP/2 server allows at once by default; a generous
        // deadline, because this machine may be busy and correctness is what is tested here.
        SuiteEcho patient = client.client(SuiteEcho.class, ClientOptions.custom().deadline(Duration.ofSeconds(60)).build());
        List<CompletableFuture<Msg>> calls = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            calls.add(patient.later(new Msg("n" + i)).toCompletableFuture());
        }
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(new Msg("later n" + i), calls.get(i).get(90, TimeUnit.SECONDS));
        }
    }

    @Test
    void aMessageNearTheLimitPasses() {
        String text = "x".repeat(maxMessageBytes() / 2);
        assertEquals(new Msg(text), proxy.echo(new Msg(text)));
    }

    @Test
    void aMessageOverTheLimitIsRefusedAndTheNextCallsWork() throws Exception {
        ParleyException e = assertThrows(ParleyException.class, () -> proxy.echo(new Msg("x".repeat(maxMessageBytes() * 2))));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code(), e.getMessage());
        assertEquals(new Msg("small again"), proxy.echo(new Msg("small again")));
    }

    @Test
    void aOneWayMessageOverTheLimitFailsAtTheCallerAndNeverReachesTheHandler() throws Exception {
        ParleyException e = assertThrows(ParleyException.class, () -> proxy.note(new Msg("x".repeat(maxMessageBytes() * 2))));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code(), e.getMessage());
        proxy.note(new Msg("small note"));
        assertEquals(new Msg("small note"), echo.notes.poll(10, TimeUnit.SECONDS));
    }
}
