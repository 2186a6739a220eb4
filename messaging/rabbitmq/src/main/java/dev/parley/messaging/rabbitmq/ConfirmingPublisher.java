package dev.parley.messaging.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.parley.TransportException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Publishes on one dedicated channel in confirm mode and completes each publish's future when
 * the broker confirms it: {@code basic.ack} completes it, {@code basic.nack}, a
 * {@code basic.return} (mandatory publish that reached no queue), a lost channel or the publish
 * timeout fail it. A future is never completed normally without the broker's ack.
 *
 * <pre>
 *  publish() --lock--> seq = nextPublishSeqNo; pending[seq] = future; basicPublish
 *  broker ---> basic.return(x-parley-publish-seq) : pending[seq].returned = reason
 *          ---> basic.ack(seq, multiple)         : complete pending[<= seq] (fail the returned ones)
 *          ---> basic.nack(seq, multiple)        : fail pending[<= seq]
 *  channel lost -> fail every pending future; after recovery sequence numbers start again at 1
 * </pre>
 *
 * <p>Publishing is serialized by a lock (the client must not interleave publishes on one
 * channel, and the sequence number must match the publish). Futures complete on
 * {@code completions}, never on the connection's I/O thread.
 */
final class ConfirmingPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfirmingPublisher.class);

    private final Connection connection;
    private final String brokerName;
    private final Executor completions;
    private final ScheduledExecutorService timer;
    private final Duration timeout;
    private final Runnable onChannelError;
    private final Object lock = new Object();
    private @Nullable Channel channel; // guarded by lock
    private volatile boolean channelDead;
    private volatile boolean closed;
    // The futures of the channel's current incarnation; swapped when the channel is lost,
    // because a recovered channel numbers its publishes from 1 again.
    private volatile ConcurrentSkipListMap<Long, Pending> pending = new ConcurrentSkipListMap<>();

    private static final class Pending {
        final CompletableFuture<Void> future;
        final String what;
        volatile @Nullable String returned;
        volatile @Nullable ScheduledFuture<?> timeout;

        Pending(CompletableFuture<Void> future, String what) {
            this.future = future;
            this.what = what;
        }
    }

    /**
     * @param onChannelError called when the broker closed the channel for an error of its own
     *                       (e.g. 404: a publish to an exchange someone deleted), so that cached
     *                       declarations are forgotten
     */
    ConfirmingPublisher(Connection connection, String brokerName, Executor completions, ScheduledExecutorService timer,
                        Duration timeout, Runnable onChannelError) {
        this.connection = connection;
        this.onChannelError = onChannelError;
        this.brokerName = brokerName;
        this.completions = completions;
        this.timer = timer;
        this.timeout = timeout;
    }

    /**
     * Publishes; the future completes when the broker confirmed the message. {@code what}
     * names the message in errors, e.g. {@code "trips.v1.events"}.
     */
    CompletableFuture<Void> publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties props, byte[] body,
                                    String what) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(new TransportException("cannot publish to " + what + ": the RabbitMQ transport is closed", null));
            return future;
        }
        Pending entry = new Pending(future, what);
        ConcurrentSkipListMap<Long, Pending> map;
        long seq;
        synchronized (lock) {
            Channel ch;
            try {
                ch = channel();
            } catch (IOException | RuntimeException e) {
                future.completeExceptionally(new TransportException("cannot publish to " + what + ": no channel to RabbitMQ at "
                        + brokerName + " (" + e.getMessage() + ")", e));
                return future;
            }
            map = pending;
            seq = ch.getNextPublishSeqNo();
            map.put(seq, entry);
            AMQP.BasicProperties withSeq = mandatory ? withSequence(props, seq) : props;
            try {
                ch.basicPublish(exchange, routingKey, mandatory, withSeq, body);
            } catch (IOException | RuntimeException e) {
                map.remove(seq, entry);
                future.completeExceptionally(new TransportException("cannot publish to " + what + ": RabbitMQ at " + brokerName
                        + " is unreachable or recovering (" + e.getMessage() + ")", e));
                return future;
            }
        }
        entry.timeout = timer.schedule(() -> fail(entry, "no confirm from RabbitMQ at " + brokerName + " within " + timeout
                + " (publishTimeout); the message may or may not have been stored", null), timeout.toMillis(), TimeUnit.MILLISECONDS);
        future.whenComplete((v, e) -> {
            map.remove(seq, entry);
            ScheduledFuture<?> t = entry.timeout;
            if (t != null) {
                t.cancel(false);
            }
        });
        return future;
    }

    private Channel channel() throws IOException {
        Channel ch = channel;
        if (ch != null && !channelDead) {
            return ch;
        }
        if (ch != null) {
            // The broker closed this channel alone (a channel error): the connection is fine, open another.
            try {
                ch.abort();
            } catch (IOException | RuntimeException e) {
                log.debug("aborting dead publishing channel", e);
            }
        }
        Channel fresh = connection.createChannel();
        if (fresh == null) {
            throw new IOException("the connection has no free channel");
        }
        fresh.confirmSelect();
        fresh.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long seq, boolean multiple) {
                settle(seq, multiple, null);
            }

            @Override
            public void handleNack(long seq, boolean multiple) {
                settle(seq, multiple, "RabbitMQ refused the message (basic.nack): it was not stored");
            }
        });
        fresh.addReturnListener(r -> {
            Object seq = r.getProperties().getHeaders() == null ? null : r.getProperties().getHeaders().get(AmqpHeaders.X_PUBLISH_SEQ);
            Pending p = seq instanceof Number n ? pending.get(n.longValue()) : null;
            if (p != null) {
                p.returned = "RabbitMQ returned it as unroutable (" + r.getReplyCode() + " " + r.getReplyText() + "): exchange '"
                        + r.getExchange() + "', routing key '" + r.getRoutingKey() + "' reach no queue";
            } else {
                log.warn("RabbitMQ returned an unroutable message that no pending publish matches (exchange '{}', routing key '{}')",
                        r.getExchange(), r.getRoutingKey());
            }
        });
        fresh.addShutdownListener(cause -> channelLost(cause));
        channelDead = false;
        channel = fresh;
        return fresh;
    }

    private void channelLost(ShutdownSignalException cause) {
        if (!cause.isHardError() && !closed) {
            channelDead = true;
            log.warn("RabbitMQ closed the publishing channel: {}", cause.getMessage());
            onChannelError.run();
        }
        ConcurrentSkipListMap<Long, Pending> lost = pending;
        pending = new ConcurrentSkipListMap<>();
        if (!lost.isEmpty()) {
            String reason = closed ? "the RabbitMQ transport closed before the broker confirmed the message"
                    : "the channel to RabbitMQ at " + brokerName + " was lost before the broker confirmed the message ("
                    + cause.getMessage() + "); it may or may not have been stored";
            List<Pending> all = new ArrayList<>(lost.values());
            lost.clear();
            completions.execute(() -> all.forEach(p -> failNow(p, reason, cause)));
        }
    }

    private void settle(long seq, boolean multiple, @Nullable String nackReason) {
        ConcurrentSkipListMap<Long, Pending> map = pending;
        List<Pending> done;
        if (multiple) {
            ConcurrentNavigableMap<Long, Pending> head = map.headMap(seq, true);
            done = new ArrayList<>(head.values());
            head.clear();
        } else {
            Pending p = map.remove(seq);
            done = p == null ? List.of() : List.of(p);
        }
        if (done.isEmpty()) {
            return;
        }
        completions.execute(() -> {
            for (Pending p : done) {
                String failure = nackReason != null ? nackReason : p.returned;
                if (failure == null) {
                    p.future.complete(null);
                } else {
                    failNow(p, failure, null);
                }
            }
        });
    }

    private void fail(Pending p, String reason, @Nullable Throwable cause) {
        completions.execute(() -> failNow(p, reason, cause));
    }

    private static void failNow(Pending p, String reason, @Nullable Throwable cause) {
        p.future.completeExceptionally(new TransportException("publish to " + p.what + " failed: " + reason, cause));
    }

    @Override
    public void close() {
        closed = true;
        Channel ch;
        synchronized (lock) {
            ch = channel;
            channel = null;
        }
        if (ch != null && ch.isOpen()) {
            try {
                ch.close();
            } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
                log.debug("closing the publishing channel", e);
            }
        }
        ConcurrentSkipListMap<Long, Pending> left = pending;
        pending = new ConcurrentSkipListMap<>();
        left.values().forEach(p -> failNow(p, "the RabbitMQ transport closed before the broker confirmed the message", null));
    }

    private static AMQP.BasicProperties withSequence(AMQP.BasicProperties props, long seq) {
        Map<String, Object> headers = props.getHeaders() == null ? new HashMap<>() : new HashMap<>(props.getHeaders());
        headers.put(AmqpHeaders.X_PUBLISH_SEQ, seq);
        return props.builder().headers(headers).build();
    }
}
