package dev.parley.discovery.etcd;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd server for tests: {@code /usr/bin/etcd} (or {@code $PARLEY_ETCD_BINARY}) as a child
 * process, one member, client and peer URLs on free ports of 127.0.0.1, its data in a temporary
 * directory. A test can kill it hard ({@link #kill()}, SIGKILL) and start it again on the same
 * ports and data ({@link #start()}), or on a wiped data directory ({@link #wipe()}).
 *
 * <p>etcd runs under a small {@code sh} wrapper that kills it when the test JVM's end of its stdin
 * pipe closes, so a test run that dies leaves no etcd behind. Without the binary the tests are
 * skipped, unless {@code CI=true}: there a missing etcd fails them.
 */
final class EtcdTestServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static EtcdTestServer shared;

    private final Path dir;
    private final Path dataDir;
    private final Path logFile;
    private final int clientPort;
    private final int peerPort;
    private Process process;

    private EtcdTestServer() {
        try {
            dir = Files.createTempDirectory("parley-etcd-test-");
            dataDir = dir.resolve("data");
            logFile = dir.resolve("etcd.log");
            clientPort = freePort();
            peerPort = freePort();
        } catch (IOException e) {
            throw new UncheckedIOException("etcd test server: cannot prepare a temporary directory", e);
        }
    }

    /** The etcd binary, or skips the test (fails it with {@code CI=true}) when it is not installed. */
    static Path requireBinary() {
        Path binary = Path.of(System.getenv().getOrDefault("PARLEY_ETCD_BINARY", "/usr/bin/etcd"));
        boolean present = Files.isExecutable(binary);
        String why = "etcd is not installed at " + binary + " (set PARLEY_ETCD_BINARY, or apt-get install etcd-server)";
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why + " (CI=true: the etcd tests must run)");
        }
        assumeTrue(present, why + ": skipping (set CI=true to make this a failure)");
        return binary;
    }

    /** The server the test classes of this JVM share, started on first use. */
    static synchronized EtcdTestServer shared() {
        requireBinary();
        if (shared == null) {
            shared = create();
            shared.start();
        }
        if (!shared.isRunning()) {
            shared.start();
        }
        return shared;
    }

    /** A server of its own (not started), for tests that kill it. */
    static EtcdTestServer create() {
        requireBinary();
        EtcdTestServer server = new EtcdTestServer();
        Runtime.getRuntime().addShutdownHook(new Thread(server::killAndDelete, "etcd-test-server-shutdown"));
        return server;
    }

    String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts etcd (on the existing data directory, if any) and waits until {@code /health} says so. */
    synchronized void start() {
        if (isRunning()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("sh", "-c",
                // etcd in the background; when our stdin closes (the JVM is gone), kill it.
                // (a background job's stdin is /dev/null unless redirected explicitly, hence fd 3)
                "exec 3<&0; \"$0\" \"$@\" </dev/null & c=$!; (cat <&3 >/dev/null; kill -9 $c 2>/dev/null) & wait $c",
                requireBinary().toString(),
                "--name", "parley-test",
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", endpoint(),
                "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-cluster", "parley-test=http://127.0.0.1:" + peerPort,
                "--logger", "zap", "--log-level", "warn"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("etcd test server: cannot start " + cmd, e);
        }
        awaitHealthy();
    }

    /** SIGKILL: no clean shutdown, as a crashed node. Waits until the process is gone. */
    synchronized void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("etcd test server: process " + p.pid() + " still alive 30 s after SIGKILL");
            }
            // The wrapper is gone; make sure etcd itself released its port before a restart.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (portInUse() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Kills etcd and deletes its data: the next {@link #start()} is a new, empty cluster. */
    synchronized void wipe() {
        kill();
        deleteTree(dataDir);
    }

    @Override
    public void close() {
        killAndDelete();
    }

    private void killAndDelete() {
        kill();
        deleteTree(dir);
    }

    private void awaitHealthy() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("etcd test server: exited with " + process.exitValue() + " during start:\n" + tail());
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && r.body().contains("\"true\"")) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    kill();
                    throw new IllegalStateException("etcd test server: not healthy within " + START_TIMEOUT + ":\n" + tail());
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("etcd test server: interrupted during start", e);
        } finally {
            http.shutdownNow();
        }
    }

    private boolean portInUse() {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", clientPort), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("etcd test server: cannot delete " + root + ": " + e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
