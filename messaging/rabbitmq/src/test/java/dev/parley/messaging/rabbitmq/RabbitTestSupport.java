package dev.parley.messaging.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Shared pieces of the RabbitMQ tests: the broker's address, a raw admin connection, rabbitmqctl, polling. */
final class RabbitTestSupport implements AutoCloseable {

    static final String HOST = "127.0.0.1";
    static final int PORT = 5672;

    private final Connection admin;
    private final List<String> queues = new ArrayList<>();
    private final List<String> exchanges = new ArrayList<>();

    RabbitTestSupport() throws Exception {
        this.admin = factory().newConnection("parley-test-admin");
    }

    static ConnectionFactory factory() {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(HOST);
        f.setPort(PORT);
        f.setUsername("guest");
        f.setPassword("guest");
        f.setNetworkRecoveryInterval(500);
        return f;
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    Connection admin() {
        return admin;
    }

    /** Remembers the queues and exchanges of a channel and group to delete them in {@link #close()}. */
    void cleanUpGroup(String channel, String group) {
        String queue = Topology.queue(channel, group);
        queues.add(queue);
        queues.add(Topology.retryQueue(channel, group));
        queues.add(Topology.deadLetter(channel, group));
        exchanges.add(Topology.deadLetter(channel, group));
    }

    void cleanUpExchange(String exchange) {
        exchanges.add(exchange);
    }

    void cleanUpQueue(String queue) {
        queues.add(queue);
    }

    long messageCount(String queue) throws Exception {
        try (Channel ch = admin.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** Takes one message from {@code queue} (auto-ack), or null when it is empty. */
    com.rabbitmq.client.GetResponse get(String queue) throws Exception {
        try (Channel ch = admin.createChannel()) {
            return ch.basicGet(queue, true);
        }
    }

    @Override
    public void close() throws IOException, java.util.concurrent.TimeoutException {
        for (String q : queues) {
            try (Channel ch = admin.createChannel()) {
                ch.queueDelete(q);
            } catch (IOException e) {
                // A test may not have created every queue of the group.
            }
        }
        for (String x : exchanges) {
            try (Channel ch = admin.createChannel()) {
                ch.exchangeDelete(x);
            } catch (IOException e) {
                // idem
            }
        }
        admin.close();
    }

    /**
     * Deletes every queue and exchange whose name starts with {@code prefix}: what a test class
     * created under names it does not know in advance (the suite's groups).
     */
    static void deleteAllStartingWith(String prefix) throws Exception {
        List<String> queues = names("list_queues", prefix);
        List<String> exchanges = names("list_exchanges", prefix);
        try (Connection c = factory().newConnection("parley-test-cleanup")) {
            for (String q : queues) {
                try (Channel ch = c.createChannel()) {
                    ch.queueDelete(q);
                }
            }
            for (String x : exchanges) {
                try (Channel ch = c.createChannel()) {
                    ch.exchangeDelete(x);
                }
            }
        }
    }

    private static List<String> names(String command, String prefix) throws Exception {
        List<String> names = new ArrayList<>();
        for (String line : rabbitmqctl(command, "name", "--no-table-headers", "-q").split("\n")) {
            if (line.strip().startsWith(prefix)) {
                names.add(line.strip());
            }
        }
        return names;
    }

    /** Runs rabbitmqctl with the arguments and fails with its output when it fails. */
    static String rabbitmqctl(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("rabbitmqctl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("rabbitmqctl " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /** Polls {@code condition} every 20 ms until it holds; fails with {@code what} after {@code timeout}. */
    static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                // What every thread was doing helps more than the timeout alone.
                StringBuilder dump = new StringBuilder();
                Thread.getAllStackTraces().forEach((t, stack) -> {
                    dump.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
                    for (StackTraceElement e : stack) {
                        dump.append("    at ").append(e).append('\n');
                    }
                });
                System.out.println("threads when waiting for " + what + " timed out:\n" + dump);
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
