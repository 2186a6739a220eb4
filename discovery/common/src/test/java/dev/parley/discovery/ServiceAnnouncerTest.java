package dev.parley.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.Parley;
import dev.parley.http.HttpTransport;
import dev.parley.rpc.RpcTransport;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Announcing a runtime that serves over HTTP and RPC, and calling it over RPC through discovery. */
class ServiceAnnouncerTest {

    private EmbeddedRegistry registry;
    private EmbeddedRegistryBackend backend;

    @BeforeEach
    void start() {
        registry = EmbeddedRegistry.builder().port(0).start();
        backend = EmbeddedRegistryBackend.builder(registry.url()).ttl(Duration.ofSeconds(2)).waitTime(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        backend.close();
        registry.close();
    }

    @Test
    void announcesContractsWithTheirMajorsAndEveryTransportsAddress() throws Exception {
        try (HttpTransport http = HttpTransport.builder().server(0).bindAddress("127.0.0.1").build();
             RpcTransport rpc = RpcTransport.builder().server(0).bindAddress("127.0.0.1").build();
             Parley parley = Parley.builder().service("echo-service").instanceId("echo-7").transport(http).build()) {
            ServiceAnnouncer announcer = ServiceAnnouncer.builder(backend, parley)
                    .contract(Echo.class).contract(EchoV2.class)
                    .transport(http).transport(rpc)
                    .advertisedHost("127.0.0.1").zone("zone-a").weight(3).metadata("build", "42")
                    .announce();

            ServiceInstance expected = new ServiceInstance("echo-7", "echo-service",
                    Set.of(new ContractVersion("echo", 1), new ContractVersion("echo", 2)),
                    Map.of("http", "http://127.0.0.1:" + http.port(), "rpc", "127.0.0.1:" + rpc.port()),
                    Map.of("zone", "zone-a", "weight", "3", "build", "42"), true);
            assertThat(announcer.instance()).isEqualTo(expected);
            awaitRegistry(() -> registry.instances().equals(java.util.List.of(expected)));

            announcer.ready(false);
            awaitRegistry(() -> !registry.instances().get(0).ready());
            assertThat(announcer.instance().ready()).isFalse();

            announcer.close();
            awaitRegistry(() -> registry.instances().isEmpty());
            announcer.close();
        }
    }

    @Test
    void callsReachAnInstanceOverRpcThroughDiscovery() throws Exception {
        try (RpcTransport rpcServer = RpcTransport.builder().server(0).bindAddress("127.0.0.1").build();
             Parley server = Parley.builder().service("echo-service").instanceId("rpc-1").transport(rpcServer).build();
             RpcTransport rpcClient = RpcTransport.builder().build();
             ServiceDirectory directory = ServiceDirectory.create(backend);
             DiscoveryTransport discovery = DiscoveryTransport.builder(rpcClient, directory).build();
             Parley client = Parley.builder().service("caller").transport(discovery).build()) {
            server.serve(Echo.class, new Echo() {
                @Override
                public Answer ask(Ask request) {
                    return new Answer("rpc-1", request.text());
                }

                @Override
                public Answer once(Ask request) {
                    return ask(request);
                }
            });
            try (ServiceAnnouncer announcer = ServiceAnnouncer.builder(backend, server).contract(Echo.class).transport(rpcServer).announce()) {
                directory.awaitInstances(new ContractVersion("echo", 1), Duration.ofSeconds(10));
                awaitRegistry(() -> directory.instances(new ContractVersion("echo", 1)).size() == 1);
                assertThat(discovery.name()).isEqualTo("discovery:rpc");
                assertThat(client.client(Echo.class).ask(new Echo.Ask("over rpc"))).isEqualTo(new Echo.Answer("rpc-1", "over rpc"));
            }
        }
    }

    @Test
    void refusesToAnnounceNothing() {
        assertThatThrownBy(() -> ServiceAnnouncer.builder(backend, "svc", "i-1").address("http", "http://h:1").announce())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no contract");
        assertThatThrownBy(() -> ServiceAnnouncer.builder(backend, "svc", "i-1").contract(Echo.class).announce())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no address");
        assertThatThrownBy(() -> ServiceAnnouncer.builder(backend, "svc", "i-1").weight(0))
                .hasMessage("weight: 0 (expected: 1..9999) for instance i-1");
        try (HttpTransport clientOnly = HttpTransport.builder().build()) {
            assertThatThrownBy(() -> ServiceAnnouncer.builder(backend, "svc", "i-1").contract(Echo.class).transport(clientOnly).announce())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("has no server");
        }
    }

    private static void awaitRegistry(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.sleep(20);
        }
    }
}
