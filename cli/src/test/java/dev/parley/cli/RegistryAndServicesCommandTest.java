package dev.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.DiscoveryBackend;
import dev.parley.discovery.EmbeddedRegistryBackend;
import dev.parley.discovery.ServiceInstance;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RegistryAndServicesCommandTest {

    @Test
    void theRegistryCommandServesAndTheServicesCommandListsWhatRegistered() throws Exception {
        int port = freePort();
        String url = "http://127.0.0.1:" + port;
        CommandLine registryLine = ParleyCommand.commandLine();
        StringWriter registryOut = new StringWriter();
        registryLine.setOut(new PrintWriter(registryOut, true));
        CompletableFuture<Integer> registry = CompletableFuture.supplyAsync(() -> registryLine.execute("registry", "--port", String.valueOf(port)));
        RegistryCommand command = registryLine.getSubcommands().get("registry").getCommand();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (command.running() == null && System.nanoTime() < deadline && !registry.isDone()) {
                Thread.sleep(50);
            }
            assertThat(command.running()).as("registry started: " + registryOut).isNotNull();
            assertThat(registryOut.toString()).contains("Parley registry listening on " + url);

            assertThat(CliRun.of("services", "--registry", url).out()).contains("no services registered at " + url);

            ServiceInstance payments = new ServiceInstance("payments-1", "payments", Set.of(new ContractVersion("payments", 1)),
                    Map.of("rpc", "127.0.0.1:9090"), Map.of(), true);
            ServiceInstance passengers = new ServiceInstance("passengers-1", "passengers",
                    Set.of(new ContractVersion("passengers", 1), new ContractVersion("passengers", 2)),
                    Map.of("http", "http://127.0.0.1:8081"), Map.of("zone", "a"), false);
            try (DiscoveryBackend backend = EmbeddedRegistryBackend.builder(url).build();
                 DiscoveryBackend.Lease one = backend.register(payments);
                 DiscoveryBackend.Lease two = backend.register(passengers)) {
                CliRun table = awaitListing(url, "payments-1", "passengers-1");
                assertThat(table.exitCode()).isZero();
                assertThat(table.out()).contains("passengers\n  passengers-1").contains("not-ready").contains("passengers/v1,passengers/v2")
                        .contains("http http://127.0.0.1:8081").contains("payments\n  payments-1").contains("rpc 127.0.0.1:9090");

                CliRun json = CliRun.of("services", "--registry", url, "--json");
                JsonNode catalog = new ObjectMapper().readTree(json.out());
                assertThat(catalog.get("instances")).extracting(i -> i.get("id").asText()).containsExactly("passengers-1", "payments-1");
            }
        } finally {
            command.stop();
            assertThat(registry.get(30, TimeUnit.SECONDS)).isZero();
        }
        CliRun gone = CliRun.of("services", "--registry", url, "--timeout", "PT2S");
        assertThat(gone.exitCode()).isEqualTo(ServicesCommand.REGISTRY_FAILED);
        assertThat(gone.err()).contains("parley services: the registry at " + url + " did not answer").doesNotContain("\tat ");
    }

    @Test
    void aRegistryOnAPortInUseExitsTwo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            CliRun run = CliRun.of("registry", "--port", String.valueOf(taken.getLocalPort()));
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("cannot start the registry on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void badRegistryOptionsExitTwo() {
        assertThat(CliRun.of("registry", "--port", "70000").err()).contains("70000");
        assertThat(CliRun.of("registry", "--port", "70000").exitCode()).isEqualTo(2);
        assertThat(CliRun.of("registry", "--min-ttl", "soon").exitCode()).isEqualTo(2);
        CliRun badUrl = CliRun.of("services", "--registry", "ftp://registry");
        assertThat(badUrl.exitCode()).isEqualTo(2);
        assertThat(badUrl.err()).contains("--registry 'ftp://registry'");
    }

    private static CliRun awaitListing(String url, String... ids) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        CliRun run;
        do {
            run = CliRun.of("services", "--registry", url);
            String out = run.out();
            if (java.util.Arrays.stream(ids).allMatch(out::contains)) {
                return run;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return run;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

}
