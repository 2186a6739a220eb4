package dev.parley.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.CallContext;
import dev.parley.CallerIdentity;
import dev.parley.ClientOptions;
import dev.parley.DeadlineExceededException;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.ParleyException;
import dev.parley.RemoteException;
import dev.parley.TransportException;
import dev.parley.codec.Codec;
import dev.parley.http.HttpTransport;
import dev.parley.message.StandardHeaders;
import dev.parley.rpc.Echo.Msg;
import dev.parley.rpc.Echo.Slow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every interaction style the RPC transport carries, end to end through real Parley runtimes
 * over a real socket: replies, typed errors, deadlines and cancellation reaching the handler,
 * headers and tokens, and one service served over HTTP and RPC at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RpcTransportTest {

    static final dev.parley.Authenticator TOKENS = headers -> {
        String token = headers.valueOrNull(StandardHeaders.AUTHORIZATION);
        if ("Bearer good".equals(token)) {
            return new CallerIdentity("alice", Set.of("echo:admin"), java.util.Map.of());
        }
        if ("Bearer weak".equals(token)) {
            return new CallerIdentity("bob", Set.of(), java.util.Map.of());
        }
        throw ParleyException.of(ErrorCode.UNAUTHENTICATED, "authentication required");
    };

    private final RecordingEcho echo = new RecordingEcho();
    private RpcTransport serverRpc;
    private Parley server;
    private RpcTransport clientRpc;
    private Parley client;
    private Echo proxy;

    @BeforeAll
    void start() {
        serverRpc = RpcTransport.builder().server(0).bindAddress("127.0.0.1").build();
        server = Parley.builder().service("echo").transport(serverRpc).authenticator(TOKENS).build();
        server.serve(Echo.class, echo);
        clientRpc = RpcTransport.builder().target("127.0.0.1:" + serverRpc.port()).build();
        client = Parley.builder().service("caller").transport(clientRpc).build(); // CBOR: the transport's preferred codec
        proxy = client.client(Echo.class);
    }

    @AfterAll
    void stop() {
        client.close();
        clientRpc.close();
        server.close();
        serverRpc.close();
    }

    @Test
    void requestResponse() {
        assertThat(proxy.echo(new Msg("hello"))).isEqualTo(new Msg("hello"));
    }

    @Test
    void theBinaryCodecIsTheDefaultOnThisTransport() throws Exception {
        echo.contentTypes.clear();
        proxy.echo(new Msg("cbor"));
        assertThat(echo.contentTypes.poll(5, TimeUnit.SECONDS)).isEqualTo("application/cbor");
    }

    @Test
    void jsonOnRequest() {
        Echo json = client.client(Echo.class, ClientOptions.custom().codec(Codec.json()).build());
        assertThat(json.echo(new Msg("über"))).isEqualTo(new Msg("über"));
    }

    @Test
    void asyncResponse() throws Exception {
        assertThat(proxy.later(new Msg("x")).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(new Msg("later x"));
    }

    @Test
    void manyConcurrentCallsArePipelinedOnOneConnection() throws Exception {
        List<CompletableFuture<Msg>> calls = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            calls.add(proxy.later(new Msg("n" + i)).toCompletableFuture());
        }
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(new Msg("later n" + i));
        }
        assertThat(serverRpc.openServerConnections()).isEqualTo(1);
    }

    @Test
    void oneWayReachesTheHandlerAndGetsNoReply() throws Exception {
        proxy.note(new Msg("fire and forget"));
        assertThat(echo.notes.poll(5, TimeUnit.SECONDS)).isEqualTo(new Msg("fire and forget"));
    }

    @Test
    void errorsArriveTyped() {
        assertThatThrownBy(() -> proxy.missing(new Msg("t-9")))
                .isInstanceOfSatisfying(RemoteException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo("t-9 not found");
                    assertThat(e.details()).containsEntry("text", "t-9");
                });
    }

    @Test
    void unknownContractIsUnimplemented() {
        Ghost ghost = client.client(Ghost.class);
        assertThatThrownBy(() -> ghost.haunt(new Ghost.Boo("boo")))
                .isInstanceOfSatisfying(RemoteException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNIMPLEMENTED);
                    assertThat(e.getMessage()).contains("ghost").contains("not served");
                });
        assertThat(proxy.echo(new Msg("still fine"))).isEqualTo(new Msg("still fine"));
    }

    @Test
    void theDeadlineTravelsAndStopsTheHandler() throws Exception {
        assertThat(proxy.slow(new Slow(0)).remainingMillis()).isBetween(1L, ClientOptions.DEFAULT_DEADLINE.toMillis());
        Echo hurried = client.client(Echo.class, ClientOptions.custom().deadline(Duration.ofMillis(300)).build());
        assertThatThrownBy(() -> hurried.slow(new Slow(30_000))).isInstanceOf(DeadlineExceededException.class);
        assertThat(echo.slowInterrupted.await(5, TimeUnit.SECONDS)).as("handler interrupted").isTrue();
    }

    @Test
    void cancellingTheCallCancelsTheServerWork() throws Exception {
        echo.awaiting.clear();
        Echo patient = client.client(Echo.class, ClientOptions.custom().deadline(Duration.ofSeconds(30)).build());
        CompletableFuture<Msg> call = patient.await(new Msg("w-1")).toCompletableFuture();
        CompletableFuture<Msg> onServer = echo.awaiting.poll(5, TimeUnit.SECONDS);
        assertThat(onServer).isNotNull();
        call.cancel(true);
        assertThatThrownBy(() -> onServer.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        CompletableFuture<Msg> next = patient.await(new Msg("w-2")).toCompletableFuture();
        echo.awaiting.poll(5, TimeUnit.SECONDS).complete(new Msg("w-2"));
        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo(new Msg("w-2"));
    }

    @Test
    void customHeadersPassThrough() {
        try (CallContext.Scope scope = CallContext.withHeader("x-tenant", "acme")) {
            assertThat(proxy.tenant(new Msg("?"))).isEqualTo(new Msg("acme"));
        }
    }

    @Test
    void tokensAreCheckedByTheServersAuthenticator() {
        assertThatThrownBy(() -> proxy.whoAmI(new Msg("?")))
                .isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
        try (CallContext.Scope scope = CallContext.withHeader("authorization", "Bearer forged")) {
            assertThatThrownBy(() -> proxy.echo(new Msg("?")))
                    .isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
        }
        try (CallContext.Scope scope = CallContext.withHeader("authorization", "Bearer weak")) {
            assertThatThrownBy(() -> proxy.whoAmI(new Msg("?")))
                    .isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED));
        }
        try (CallContext.Scope scope = CallContext.withHeader("authorization", "Bearer good")) {
            assertThat(proxy.whoAmI(new Msg("?"))).isEqualTo(new Msg("alice"));
        }
    }

    @Test
    void aMessageOverTheServersFrameLimitIsRefusedBeforeSending() {
        try (RpcTransport small = RpcTransport.builder().server(0).bindAddress("127.0.0.1").maxFrameBytes(4096).build();
             Parley smallServer = Parley.builder().service("small").transport(small).authenticator(TOKENS).build();
             RpcTransport toSmall = RpcTransport.builder().target("127.0.0.1:" + small.port()).build();
             Parley caller = Parley.builder().transport(toSmall).build()) {
            smallServer.serve(Echo.class, new RecordingEcho());
            Echo e = caller.client(Echo.class);
            assertThat(e.echo(new Msg("small"))).isEqualTo(new Msg("small"));
            assertThatThrownBy(() -> e.echo(new Msg("x".repeat(10_000))))
                    .isInstanceOfSatisfying(TransportException.class, ex -> assertThat(ex.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
            assertThat(e.echo(new Msg("small again"))).isEqualTo(new Msg("small again"));
        }
    }

    @Test
    void oneServiceOverHttpAndRpcAtOnce() {
        RecordingEcho shared = new RecordingEcho();
        try (RpcTransport rpc = RpcTransport.builder().server(0).bindAddress("127.0.0.1").build();
             HttpTransport http = HttpTransport.builder().server(0).bindAddress("127.0.0.1").build();
             Parley overRpc = Parley.builder().service("echo").transport(rpc).authenticator(TOKENS).build();
             Parley overHttp = Parley.builder().service("echo").transport(http).authenticator(TOKENS).build();
             RpcTransport rpcClient = RpcTransport.builder().target("127.0.0.1:" + rpc.port()).build();
             HttpTransport httpClient = HttpTransport.builder().target("http://127.0.0.1:" + http.port()).build();
             Parley viaRpc = Parley.builder().transport(rpcClient).build();
             Parley viaHttp = Parley.builder().transport(httpClient).build()) {
            overRpc.serve(Echo.class, shared);
            overHttp.serve(Echo.class, shared);
            viaRpc.client(Echo.class).note(new Msg("by rpc"));
            viaHttp.client(Echo.class).note(new Msg("by http"));
            assertThat(viaRpc.client(Echo.class).echo(new Msg("r"))).isEqualTo(new Msg("r"));
            assertThat(viaHttp.client(Echo.class).echo(new Msg("h"))).isEqualTo(new Msg("h"));
            List<Msg> notes = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                try {
                    notes.add(shared.notes.poll(5, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            assertThat(notes).containsExactlyInAnyOrder(new Msg("by rpc"), new Msg("by http"));
        }
    }
}
