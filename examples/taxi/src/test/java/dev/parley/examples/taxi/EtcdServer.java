package dev.parley.examples.taxi;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd for the tests: {@code /usr/bin/etcd} as a child process, one member on free ports
 * of 127.0.0.1, its data in a given folder. It runs under a small {@code sh} wrapper that kills
 * it when this JVM's end of its stdin closes, so a test run that dies leaves no etcd behind.
 * Without the binary the test is skipped, unless {@code CI=true}.
 */
final class EtcdServer implements AutoCloseable {

    private final Process process;
    private final String endpoint;

    private EtcdServer(Process process, String endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    static EtcdServer start(Path dir) {
        Path binary = Path.of(System.getenv().getOrDefault("PARLEY_ETCD_BINARY", "/usr/bin/etcd"));
        String why = "etcd is not installed at " + binary;
        if (!Files.isExecutable(binary) && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why + " (CI=true: the etcd tests must run)");
        }
        assumeTrue(Files.isExecutable(binary), why + ": skipping (set CI=true to make this a failure)");
        String client = "http://127.0.0.1:" + freePort();
        String peer = "http://127.0.0.1:" + freePort();
        ProcessBuilder pb = new ProcessBuilder(List.of("sh", "-c",
                "exec 3<&0; \"$0\" \"$@\" </dev/null & c=$!; (cat <&3 >/dev/null; kill -9 $c 2>/dev/null) & wait $c",
                binary.toString(), "--name", "taxi-test", "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "taxi-test=" + peer,
                "--logger", "zap", "--log-level", "warn"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()));
        try {
            EtcdServer server = new EtcdServer(pb.start(), client);
            server.awaitHealthy();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("starting etcd: " + e.getMessage(), e);
        }
    }

    String endpoint() {
        return endpoint;
    }

    private void awaitHealthy() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/health")).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("true")) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        throw new IllegalStateException("etcd at " + endpoint + " did not become healthy within 60 s");
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
