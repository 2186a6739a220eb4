package dev.parley.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ErrorCode;
import dev.parley.Parley;
import dev.parley.TransportException;
import dev.parley.http.HttpTransport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Calls through {@link DiscoveryTransport} to real HTTP servers listed by a {@link StaticBackend}. */
class DiscoveryTransportTest {

    private static final ContractVersion ECHO_V1 = new ContractVersion("echo", 1);
    private static final ContractVersion ECHO_V2 = new ContractVersion("echo", 2);

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        closeables.add(c);
        return c;
    }

    private Parley client(StaticBackend backend, Balancer balancer) {
        HttpTransport http = closing(HttpTransport.builder().build());
        ServiceDirectory directory = closing(ServiceDirectory.create(backend));
        DiscoveryTransport discovery = closing(DiscoveryTransport.builder(http, directory).balancer(balancer).build());
        return closing(Parley.builder().service("caller").transport(discovery).build());
    }

    private static Map<String, Integer> spread(Echo echo, int calls) {
        Map<String, Integer> byInstance = new HashMap<>();
        for (int i = 0; i < calls; i++) {
            byInstance.merge(echo.ask(new Echo.Ask("hi")).instance(), 1, Integer::sum);
        }
        return byInstance;
    }

    @Test
    void roundRobinSpreadsCallsEvenlyOverTheInstances() {
        EchoServer a = closing(EchoServer.v1("a"));
        EchoServer b = closing(EchoServer.v1("b"));
        EchoServer c = closing(EchoServer.v1("c"));
        StaticBackend backend = StaticBackend.of(List.of(a.instance(ECHO_V1), b.instance(ECHO_V1), c.instance(ECHO_V1)));
        Echo echo = client(backend, Balancer.roundRobin()).client(Echo.class);

        assertThat(spread(echo, 30)).containsOnly(Map.entry("a", 10), Map.entry("b", 10), Map.entry("c", 10));
    }

    @Test
    void roundRobinFollowsWeights() {
        EchoServer a = closing(EchoServer.v1("a"));
        EchoServer b = closing(EchoServer.v1("b"));
        ServiceInstance heavy = new ServiceInstance("a", "echo-service", Set.of(ECHO_V1), Map.of("http", a.address()),
                Map.of(ServiceInstance.WEIGHT, "3"), true);
        StaticBackend backend = StaticBackend.of(List.of(heavy, b.instance(ECHO_V1)));
        Echo echo = client(backend, Balancer.roundRobin()).client(Echo.class);

        assertThat(spread(echo, 40)).containsOnly(Map.entry("a", 30), Map.entry("b", 10));
    }

    @Test
    void leastOutstandingReachesEveryInstance() {
        EchoServer a = closing(EchoServer.v1("a"));
        EchoServer b = closing(EchoServer.v1("b"));
        EchoServer c = closing(EchoServer.v1("c"));
        StaticBackend backend = StaticBackend.of(List.of(a.instance(ECHO_V1), b.instance(ECHO_V1), c.instance(ECHO_V1)));
        Echo echo = client(backend, Balancer.leastOutstanding()).client(Echo.class);

        assertThat(spread(echo, 90)).containsOnlyKeys("a", "b", "c");
    }

    @Test
    void aNotReadyInstanceGetsNoCalls() {
        EchoServer a = closing(EchoServer.v1("a"));
        EchoServer b = closing(EchoServer.v1("b"));
        StaticBackend backend = StaticBackend.of(List.of(a.instance(ECHO_V1), b.instance(ECHO_V1).withReady(false)));
        Echo echo = client(backend, Balancer.leastOutstanding()).client(Echo.class);

        assertThat(spread(echo, 20)).containsOnly(Map.entry("a", 20));
        assertThat(b.calls).hasValue(0);

        backend.replace(List.of(a.instance(ECHO_V1).withReady(false), b.instance(ECHO_V1)));
        assertThat(spread(echo, 20)).containsOnly(Map.entry("b", 20));
    }

    @Test
    void aV1ClientNeverLandsOnAnInstanceThatServesOnlyV2() {
        EchoServer onlyV2 = closing(EchoServer.v2("only-v2"));
        EchoServer both = closing(EchoServer.both("both"));
        StaticBackend backend = StaticBackend.of(List.of(onlyV2.instance(ECHO_V2), both.instance(ECHO_V1, ECHO_V2)));
        Parley parley = client(backend, Balancer.roundRobin());

        assertThat(spread(parley.client(Echo.class), 20)).containsOnly(Map.entry("both", 20));
        EchoV2 v2 = parley.client(EchoV2.class);
        Map<String, Integer> v2Spread = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            v2Spread.merge(v2.ask(new EchoV2.Ask("hi")).instance(), 1, Integer::sum);
        }
        assertThat(v2Spread).containsOnly(Map.entry("only-v2", 10), Map.entry("both", 10));
    }

    @Test
    void noInstanceFailsAtOnceNamingTheContractVersion() {
        StaticBackend backend = StaticBackend.of(List.of());
        Echo echo = client(backend, Balancer.leastOutstanding()).client(Echo.class);

        assertThatThrownBy(() -> echo.once(new Echo.Ask("hi")))
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("echo/v1")
                .hasMessageContaining("none registered")
                .satisfies(e -> assertThat(((TransportException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }

    @Test
    void instancesWithoutAnAddressForTheTransportAreSkippedAndNamed() {
        ServiceInstance rpcOnly = new ServiceInstance("rpc-only", "echo-service", Set.of(ECHO_V1), Map.of("rpc", "127.0.0.1:1"), Map.of(), true);
        Echo echo = client(StaticBackend.of(List.of(rpcOnly)), Balancer.leastOutstanding()).client(Echo.class);

        assertThatThrownBy(() -> echo.once(new Echo.Ask("hi")))
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("1 registered, 1 ready, 1 without a 'http' address");
    }

    @Test
    void aDeadInstanceIsEjectedAndIdempotentCallsRetryElsewhere() {
        EchoServer alive = closing(EchoServer.v1("alive"));
        EchoServer dead = EchoServer.v1("dead");
        ServiceInstance deadInstance = dead.instance(ECHO_V1);
        dead.close(); // its port now refuses connections
        StaticBackend backend = StaticBackend.of(List.of(alive.instance(ECHO_V1), deadInstance));
        HttpTransport http = closing(HttpTransport.builder().build());
        ServiceDirectory directory = closing(ServiceDirectory.create(backend));
        DiscoveryTransport discovery = closing(DiscoveryTransport.builder(http, directory).balancer(Balancer.roundRobin()).build());
        Echo echo = closing(Parley.builder().service("caller").transport(discovery).build()).client(Echo.class);

        // Every idempotent call succeeds: a refused connection is retried on the other instance.
        assertThat(spread(echo, 20)).containsOnly(Map.entry("alive", 20));
        assertThat(directory.ejectedInstances()).containsExactly("dead");
    }
}
