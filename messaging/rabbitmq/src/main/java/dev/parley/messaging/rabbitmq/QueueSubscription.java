package dev.parley.messaging.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * One consumer of a group's queue on its own channel of the consuming connection, with
 * manual acknowledgements and {@code basic.qos(prefetch)}: at most {@code prefetch} deliveries
 * are unsettled at a time.
 *
 * <p>After the connection recovers, {@link RabbitBroker} calls {@link #resume()}, which declares
 * the queue again (a transient queue died with the old connection) and consumes anew. A queue
 * deleted while consumed (the broker cancels the consumer) is not declared again: that is
 * logged as an error.
 * Acknowledgements of deliveries from before the outage are dropped by the client (their
 * delivery tags belong to the dead channel); the broker delivers those messages again.
 */
final class QueueSubscription implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueueSubscription.class);

    private final RabbitBroker broker;
    private final String channelName;
    private final String group;
    private final boolean durable;
    private final int prefetch;
    private final Consumer<AmqpDelivery> handler;
    private final Object lock = new Object();
    private final Channel channel;
    private final String queue;
    private volatile @Nullable String consumerTag;
    private volatile boolean closed;

    QueueSubscription(RabbitBroker broker, Channel channel, String channelName, String group, boolean durable, int prefetch,
                      Consumer<AmqpDelivery> handler) {
        this.broker = broker;
        this.channel = channel;
        this.channelName = channelName;
        this.group = group;
        this.durable = durable;
        this.prefetch = prefetch;
        this.handler = handler;
        this.queue = Topology.queueOf(channelName, group);
    }

    RabbitBroker broker() {
        return broker;
    }

    String channel() {
        return channelName;
    }

    String group() {
        return group;
    }

    String queue() {
        return queue;
    }

    /** Whether the group has a retry queue and a dead-letter queue: durable groups on exchanges (not reply queues). */
    boolean hasRetryAndDeadLetterQueues() {
        return durable && !Topology.isDirect(channelName);
    }

    boolean isClosed() {
        return closed;
    }

    /** Declares what it consumes from and starts consuming; returns when the broker registered the consumer. */
    void start() throws IOException {
        synchronized (lock) {
            if (closed) {
                return;
            }
            channel.basicQos(prefetch);
            Topology.declareFor(channel, channelName, group, durable);
            consumerTag = channel.basicConsume(queue, false, new Deliveries(channel));
        }
    }

    /** Consumes again after the connection recovered. */
    void resume() throws IOException {
        start();
    }

    /**
     * Acknowledges a delivery, from any thread. Not under {@link #lock}: the channel serialises
     * its own frames, and handlers settling on many threads would otherwise queue on the lock
     * (a closed or recovering channel fails the ack or drops its stale tag, as under the lock).
     */
    void ack(long deliveryTag) {
        try {
            channel.basicAck(deliveryTag, false);
        } catch (IOException | RuntimeException e) {
            // The channel is gone: the broker has already put the message back.
            log.debug("could not ack delivery {} on {} ({}); the broker will deliver it again", deliveryTag, queue, e.getMessage());
        }
    }

    /** Gives a delivery back to the queue, from any thread (not under {@link #lock}, as {@link #ack}). */
    void requeue(long deliveryTag) {
        try {
            channel.basicNack(deliveryTag, false, true);
        } catch (IOException | RuntimeException e) {
            log.debug("could not requeue delivery {} on {} ({}); the broker will deliver it again", deliveryTag, queue, e.getMessage());
        }
    }

    /** Stops consuming; unsettled deliveries go back to the queue. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        broker.forget(this);
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
            log.debug("closing the consumer channel of {}", queue, e);
        }
    }

    private final class Deliveries extends DefaultConsumer {
        Deliveries(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            AmqpDelivery delivery = new AmqpDelivery(QueueSubscription.this, envelope.getDeliveryTag(), properties, body == null ? new byte[0] : body);
            try {
                handler.accept(delivery);
            } catch (RuntimeException e) {
                log.error("the handler of {} failed on a delivery; dead-lettering it", queue, e);
                delivery.deadLetter("consumer failed: " + e);
            }
        }

        @Override
        public void handleCancel(String tag) {
            if (!closed) {
                // The queue was deleted (by an operator, or its x-expires): do not resurrect it behind their back.
                log.error("RabbitMQ cancelled the consumer of {} (queue deleted?): this subscription receives nothing more", queue);
            }
        }

        @Override
        public void handleShutdownSignal(String tag, ShutdownSignalException sig) {
            if (!closed && !sig.isHardError()) {
                log.warn("the consumer channel of {} was closed by RabbitMQ ({}); it is not recovered", queue, sig.getMessage());
            }
        }
    }
}
