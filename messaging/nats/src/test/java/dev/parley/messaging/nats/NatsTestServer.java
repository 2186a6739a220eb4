package dev.parley.messaging.nats;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A nats-server child process of the test, with JetStream on, on a free port and its own store
 * directory: for fault tests that kill and restart the broker without touching the shared
 * server at 4222. {@link #restart} comes back on the same port with the same store, as a real
 * broker restart does.
 */
final class NatsTestServer implements AutoCloseable {

    static final Path BINARY = Paths.get(System.getProperty("parley.nats-server", "/usr/sbin/nats-server"));

    private final int port;
    private final Path storeDir;
    private final Path logFile;
    private Process process;

    private NatsTestServer(int port, Path storeDir) {
        this.port = port;
        this.storeDir = storeDir;
        this.logFile = storeDir.resolveSibling(storeDir.getFileName() + ".log");
    }

    static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** Starts a server on a free port with a fresh store directory; returns once it accepts connections. */
    static NatsTestServer start() throws IOException, InterruptedException {
        NatsTestServer server = new NatsTestServer(freePort(), Files.createTempDirectory("parley-nats-store"));
        server.launch();
        return server;
    }

    String url() {
        return "nats://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** Kills the server at once (SIGKILL): no goodbye to clients, as in a crash. */
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** Kills the server and starts it again on the same port and store directory. */
    void restart() throws IOException, InterruptedException {
        kill();
        launch();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        kill();
        try (Stream<Path> files = Files.walk(storeDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(logFile);
    }

    private void launch() throws IOException, InterruptedException {
        int logStart = Files.exists(logFile) ? Files.readString(logFile).length() : 0;
        process = new ProcessBuilder(List.of(BINARY.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-js", "-sd",
                storeDir.toString())).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("nats-server exited with " + process.exitValue() + "; log: " + Files.readString(logFile));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                if (Files.readString(logFile).indexOf("Server is ready", logStart) >= 0) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(50);
        }
        throw new IOException("nats-server on port " + port + " not ready within 20 s; log: " + Files.readString(logFile));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
