package dev.parley.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The registry started on its own by one command, in a child JVM, as the CLI does. */
class EmbeddedRegistryCommandTest {

    private static final Pattern LISTENING = Pattern.compile("Parley registry listening on (http://\\S+) ");

    private static Process start(String... args) throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaCommand, "-cp", System.getProperty("java.class.path"),
                EmbeddedRegistry.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    @Test
    void oneCommandStartsARegistryThatInstancesAndClientsUse() throws Exception {
        Process registry = start("--port", "0", "--max-instances", "10");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(registry.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> url = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            return m.group(1);
                        }
                    }
                    throw new IllegalStateException("the registry exited without listening");
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            String registryUrl = url.get(60, TimeUnit.SECONDS);

            ContractVersion trips = new ContractVersion("trips", 1);
            ServiceInstance instance = new ServiceInstance("trips-1", "trips", Set.of(trips), Map.of("http", "http://127.0.0.1:1"), Map.of(), true);
            try (EmbeddedRegistryBackend backend = EmbeddedRegistryBackend.builder(registryUrl).ttl(Duration.ofSeconds(2)).build();
                 ServiceDirectory directory = ServiceDirectory.create(backend)) {
                backend.register(instance);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (directory.instances(trips).isEmpty() && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                assertThat(directory.instances(trips)).containsExactly(instance);
            }
        } finally {
            registry.destroy();
            assertThat(registry.waitFor(30, TimeUnit.SECONDS)).as("the registry stops on SIGTERM").isTrue();
        }
    }

    @Test
    void aBadOptionExitsWithUsageAndStatus2() throws Exception {
        Process registry = start("--port", "eighty");
        String output = new String(registry.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(registry.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(registry.exitValue()).isEqualTo(2);
        assertThat(output).contains("parley registry: --port: 'eighty' (expected: an integer)").contains("usage: EmbeddedRegistry");
    }
}
