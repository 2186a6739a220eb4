package dev.parley.messaging.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker for tests: one node in KRaft mode (broker and controller in one
 * process), PLAINTEXT on a free port of 127.0.0.1, its log in a temporary directory. It runs
 * the broker jars from Maven Central (test dependencies of this module) in a <em>child JVM</em>,
 * so a test can kill it hard ({@link #kill()}, SIGKILL) and start it again on the same port and
 * log directory ({@link #restart()}), as an operator's crash and recovery would.
 *
 * <p>Test classes share one broker per test JVM through {@link #shared()}; a shutdown hook
 * kills it when the JVM exits. Starting takes a few seconds (format the log directory with
 * {@code kafka.tools.StorageTool}, then run {@code kafka.Kafka}). The broker's output goes to
 * {@link #logFile()}.
 */
public final class KafkaTestBroker {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static KafkaTestBroker shared;

    private final Path dir;
    private final Path logDir;
    private final Path config;
    private final Path logFile;
    private final int port;
    private final int controllerPort;
    private final String clusterId = Uuid.randomUuid().toString();
    private boolean formatted;
    private Process process;

    private KafkaTestBroker() {
        try {
            dir = Files.createTempDirectory("parley-kafka-test-");
            logDir = dir.resolve("data");
            config = dir.resolve("server.properties");
            logFile = dir.resolve("broker.log");
            port = freePort();
            controllerPort = freePort();
        } catch (IOException e) {
            throw new UncheckedIOException("kafka test broker: cannot prepare a temporary directory", e);
        }
    }

    /** The broker every test class of this JVM shares, started on first use. */
    public static synchronized KafkaTestBroker shared() {
        if (shared == null) {
            KafkaTestBroker broker = new KafkaTestBroker();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::killAndDelete, "kafka-test-broker-shutdown"));
            broker.start();
            shared = broker;
        }
        shared.ensureRunning();
        return shared;
    }

    /** A new broker of its own (not started): for a test that must not disturb the shared one. */
    public static KafkaTestBroker create() {
        KafkaTestBroker broker = new KafkaTestBroker();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::killAndDelete, "kafka-test-broker-shutdown"));
        return broker;
    }

    /** {@code 127.0.0.1:<port>}: the same across restarts. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return logFile;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the broker (formatting the log directory the first time) and waits until it answers. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        try {
            if (!formatted) {
                Files.writeString(config, serverProperties(), StandardCharsets.UTF_8);
                run("format", List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()));
                formatted = true;
            }
            ProcessBuilder pb = new ProcessBuilder(command(List.of(ChildMain.class.getName(), config.toString())));
            pb.redirectErrorStream(true);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("kafka test broker: cannot start " + javaBinary(), e);
        }
        awaitReady();
    }

    /** Kills the broker process (SIGKILL: no clean shutdown) and waits until it is gone. */
    public synchronized void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("kafka test broker: process " + p.pid() + " still alive 30 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private void killAndDelete() {
        kill();
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("kafka test broker: cannot delete " + dir + ": " + e);
        }
    }

    /** Same as {@link #kill()}. */
    public void stop() {
        kill();
    }

    /** Kills the broker and starts it again on the same port and log directory. */
    public synchronized void restart() {
        kill();
        start();
    }

    private synchronized void ensureRunning() {
        if (!isRunning()) {
            start();
        }
    }

    private String serverProperties() {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "3");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Topics come from Parley's declare(); auto-creation would hide a missing declaration.
        p.put("auto.create.topics.enable", "false");
        // After a SIGKILL the restarted node must wait for its old broker session to expire before
        // it can register again: a short session makes restarts take seconds, not ten.
        p.put("broker.session.timeout.ms", "2000");
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        StringBuilder b = new StringBuilder();
        p.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        return b.toString();
    }

    private List<String> command(List<String> mainAndArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.add("-Xms256m");
        cmd.add("-Xmx768m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(mainAndArgs);
        return cmd;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void run(String what, List<String> mainAndArgs) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(mainAndArgs));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Process p = pb.start();
        try {
            if (!p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("kafka test broker: " + what + " did not finish within " + START_TIMEOUT + "; see " + logFile);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("kafka test broker: interrupted during " + what, e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("kafka test broker: " + what + " exited with " + p.exitValue() + ":\n" + tail());
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        try (Admin admin = Admin.create(props)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("kafka test broker: exited with " + process.exitValue() + " during start:\n" + tail());
                }
                try {
                    // Ready means: the broker registered with the controller and serves metadata.
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                        admin.listTopics().names().get(3, TimeUnit.SECONDS);
                        return;
                    }
                } catch (Exception notYet) {
                    if (notYet instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("kafka test broker: interrupted during start", notYet);
                    }
                }
                if (System.nanoTime() > deadline) {
                    kill();
                    throw new IllegalStateException("kafka test broker: not ready within " + START_TIMEOUT + ":\n" + tail());
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("kafka test broker: interrupted during start", e);
                }
            }
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /**
     * The child JVM's entry point: {@code kafka.Kafka}, halted as soon as the test JVM is gone
     * (its end of our stdin pipe closes), so that a killed test run leaves no broker behind.
     */
    public static final class ChildMain {
        private ChildMain() {}

        public static void main(String[] args) {
            Thread watch = new Thread(() -> {
                try {
                    while (System.in.read() != -1) {
                        // nothing is ever written; EOF means the parent died
                    }
                } catch (IOException e) {
                    // the pipe broke: the parent is gone too
                }
                Runtime.getRuntime().halt(137);
            }, "parent-watch");
            watch.setDaemon(true);
            watch.start();
            kafka.Kafka.main(args);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
