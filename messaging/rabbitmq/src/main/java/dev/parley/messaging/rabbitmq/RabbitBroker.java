package dev.parley.messaging.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import dev.parley.TransportException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The AMQP side of the RabbitMQ transport: two connections (publishing and consuming, as
 * RabbitMQ recommends, so that flow control on publishers never delays acknowledgements),
 * the confirming publisher, declarations, and the queue consumers with their recovery.
 *
 * <p>Both connections recover automatically (amqp-client's recovery, every second). Topology
 * recovery is off: this class declares again and consumes again itself once the connection is
 * back, retrying while the broker's queues come up.
 */
final class RabbitBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RabbitBroker.class);

    private final String brokerName;
    private final Connection publishing;
    private final Connection consuming;
    private final ConfirmingPublisher publisher;
    private final ExecutorService completions = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("parley-rabbitmq-confirm-", 0).factory());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("parley-rabbitmq-timer").factory());
    private final Set<QueueSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final Set<String> declaredExchanges = ConcurrentHashMap.newKeySet();
    private final Set<String> declaredGroups = ConcurrentHashMap.newKeySet();
    private final Object adminLock = new Object();
    private @Nullable Channel admin; // guarded by adminLock
    private volatile boolean closed;

    RabbitBroker(ConnectionFactory factory, String connectionName, Duration publishTimeout) {
        this.brokerName = factory.getHost() + ":" + factory.getPort();
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(false);
        try {
            this.publishing = factory.newConnection(connectionName + "-publish");
            try {
                this.consuming = factory.newConnection(connectionName + "-consume");
            } catch (IOException | TimeoutException | RuntimeException e) {
                publishing.abort();
                throw e;
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            completions.shutdown();
            timer.shutdown();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new TransportException("cannot connect to RabbitMQ at " + brokerName + " as '" + factory.getUsername()
                    + "' (vhost '" + factory.getVirtualHost() + "'): " + e, e);
        }
        this.publisher = new ConfirmingPublisher(publishing, brokerName, completions, timer, publishTimeout, () -> {
            declaredExchanges.clear();
            declaredGroups.clear();
        });
        ((Recoverable) consuming).addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recoverable) {
                log.info("connection to RabbitMQ at {} recovered; resuming {} consumers", brokerName, subscriptions.size());
                subscriptions.forEach(s -> resumeLater(s));
            }

            @Override
            public void handleRecoveryStarted(Recoverable recoverable) {
                log.warn("connection to RabbitMQ at {} lost; recovering", brokerName);
            }
        });
    }

    ConfirmingPublisher publisher() {
        return publisher;
    }

    /**
     * What a durable subscription consumes from: exchange, group queue, retry and dead-letter
     * queues (or a reply channel's durable queue). Idempotent and cached.
     */
    void declareDurable(String channel, String group) {
        String key = channel + "\u0000" + group;
        if (declaredGroups.contains(key)) {
            return;
        }
        long start = System.nanoTime();
        if (!exists(Topology.queueOf(channel, group))) {
            withChannel("declare the queues of group '" + group + "' on " + channel,
                    ch -> Topology.declareFor(ch, channel, group, true));
        }
        log.debug("declared {} / {} in {} us", channel, group, (System.nanoTime() - start) / 1000);
        declaredGroups.add(key);
        if (!Topology.isDirect(channel)) {
            declaredExchanges.add(channel);
        }
    }

    /**
     * Whether the queue exists: one round trip instead of the seven of a full declaration, which
     * matters to a client's first request (its deadline is already running).
     */
    private boolean exists(String queue) {
        try {
            onAdminChannel(ch -> ch.queueDeclarePassive(queue));
            return true;
        } catch (IOException | RuntimeException e) {
            // 404 (it closed the admin channel; the next call opens another) or no connection:
            // the full declaration says which.
            return false;
        }
    }

    /** Publishes a message to a channel, confirmed. */
    CompletableFuture<Void> send(String channel, Map<String, String> headers, byte[] body, @Nullable String key) {
        boolean direct = Topology.isDirect(channel);
        if (!direct && !declaredExchanges.contains(channel)) {
            // Publishing to a missing exchange would close the publishing channel: declare it first (once).
            try {
                withChannel("declare exchange " + channel, ch -> Topology.declareExchange(ch, channel));
                declaredExchanges.add(channel);
            } catch (TransportException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        AMQP.BasicProperties props = AmqpHeaders.properties(headers);
        return direct
                ? publisher.publish("", channel, true, props, body, channel)
                : publisher.publish(channel, key != null ? key : channel, false, props, body, channel);
    }

    /** Starts consuming {@code channel}/{@code group}; returns once the broker registered the consumer. */
    QueueSubscription consume(String channel, String group, boolean durable, int prefetch, Consumer<AmqpDelivery> handler) {
        Channel ch;
        try {
            ch = consuming.createChannel();
        } catch (IOException | RuntimeException e) {
            throw new TransportException("cannot consume " + channel + " as group '" + group + "': no channel to RabbitMQ at "
                    + brokerName + " (" + e.getMessage() + ")", e);
        }
        long start = System.nanoTime();
        QueueSubscription s = new QueueSubscription(this, ch, channel, group, durable, prefetch, handler);
        subscriptions.add(s);
        try {
            s.start();
            log.debug("consuming {} / {} after {} us", channel, group, (System.nanoTime() - start) / 1000);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw new TransportException("cannot consume " + channel + " as group '" + group + "' from RabbitMQ at "
                    + brokerName + ": " + describe(e), e);
        }
        return s;
    }

    void forget(QueueSubscription s) {
        subscriptions.remove(s);
    }

    /** Resumes a consumer in the background, retrying every 500 ms until it works or the subscription closes. */
    void resumeLater(QueueSubscription s) {
        completions.execute(() -> {
            for (int attempt = 1; !closed && !s.isClosed(); attempt++) {
                try {
                    s.resume();
                    log.info("consuming {} again (attempt {})", s.queue(), attempt);
                    return;
                } catch (IOException | RuntimeException e) {
                    log.warn("cannot consume {} yet (attempt {}): {}", s.queue(), attempt, describe(e));
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
    }

    private interface ChannelWork {
        void run(Channel ch) throws IOException;
    }

    // Declarations share one channel of the publishing connection, opened again after a refused
    // declaration closed it (a channel error closes the channel it happened on).
    private void withChannel(String what, ChannelWork work) {
        try {
            onAdminChannel(work);
        } catch (IOException | RuntimeException e) {
            throw new TransportException("cannot " + what + " on RabbitMQ at " + brokerName + ": " + describe(e), e);
        }
    }

    private void onAdminChannel(ChannelWork work) throws IOException {
        synchronized (adminLock) {
            if (admin == null || !admin.isOpen()) {
                admin = publishing.createChannel();
                if (admin == null) {
                    throw new IOException("the connection has no free channel");
                }
            }
            work.run(admin);
        }
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof IOException)) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        subscriptions.forEach(QueueSubscription::close);
        publisher.close();
        for (Connection c : new Connection[] {consuming, publishing}) {
            try {
                c.close(5_000);
            } catch (IOException | RuntimeException e) {
                log.debug("closing connection {}", c.getClientProvidedName(), e);
                c.abort(1_000);
            }
        }
        timer.shutdownNow();
        completions.shutdown();
        try {
            if (!completions.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("RabbitMQ transport closed with confirm callbacks still running");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
