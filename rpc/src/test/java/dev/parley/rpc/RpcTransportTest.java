package dev.parley.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.CallerIdentity;
import dev.parley.ClientOptions;
import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.ParleyException;
import dev.parley.RemoteException;
import dev.parley.codec.Codec;
import dev.parley.http.HttpTransport;
import dev.parley.message.StandardHeaders;
import dev.parley.rpc.Echo.Msg;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What is particular to the RPC transport, through real Parley runtimes over a real socket: the
 * binary codec by default and JSON on request, pipelining on one connection, an unserved
 * contract, and one service served over HTTP and RPC at once. The behaviour every transport
 * shares (replies, typed errors, deadlines, cancellation, headers, tokens, limits) is
 * {@link RpcTransportSuiteTest}.
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
