package dev.parley.messaging.rabbitmq;

import com.rabbitmq.client.AMQP;
import dev.parley.message.Envelope;
import dev.parley.messaging.Disposition;
import dev.parley.messaging.MessagingHeaders;
import dev.parley.messaging.RawMessage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One delivery from a group's queue and the three ways to settle it. Exactly one of
 * {@link #ack}, {@link #retry} and {@link #deadLetter} takes effect (later calls are ignored
 * and logged); each may be called from any thread.
 *
 * <p>Retry and dead-letter publish a copy (confirmed) before acknowledging the original; when
 * that publish fails the original is returned to its queue instead ({@code basic.nack} with
 * requeue), so a message is never dropped, at worst delivered again.
 */
final class AmqpDelivery implements Disposition {

    private static final Logger log = LoggerFactory.getLogger(AmqpDelivery.class);
    private static final int MAX_REASON = 1000;

    private final QueueSubscription subscription;
    private final long deliveryTag;
    private final AMQP.BasicProperties properties;
    private final byte[] body;
    private final AmqpHeaders.Inbound inbound;
    private final AtomicBoolean settled = new AtomicBoolean();

    AmqpDelivery(QueueSubscription subscription, long deliveryTag, AMQP.BasicProperties properties, byte[] body) {
        this.subscription = subscription;
        this.deliveryTag = deliveryTag;
        this.properties = properties;
        this.body = body;
        this.inbound = AmqpHeaders.fromAmqp(properties);
    }

    /** Parley's headers (string-valued, without the broker's {@code x-} headers), in wire order. */
    Map<String, String> headers() {
        return inbound.headers();
    }

    byte[] body() {
        return body;
    }

    /** 1-based: 1 + the quorum queue's {@code x-delivery-count} + Parley's {@code parley-delivery-attempts}. */
    int deliveryAttempt() {
        return inbound.deliveryAttempt();
    }

    /** Why the headers cannot be read as Parley headers, or {@code null} when they can. */
    @Nullable String malformed() {
        return inbound.malformed();
    }

    String channel() {
        return subscription.channel();
    }

    String group() {
        return subscription.group();
    }

    /** The delivery as Parley's base transport reads it. */
    RawMessage raw() {
        return new RawMessage(headers(), body, deliveryAttempt());
    }

    @Override
    public void ack() {
        if (settle("ack")) {
            subscription.ack(deliveryTag);
        }
    }

    @Override
    public void retry(Duration delay, String reason) {
        if (!settle("retry")) {
            return;
        }
        if (!subscription.hasRetryAndDeadLetterQueues()) {
            // Reply queues and transient groups have no retry queue: put it back now.
            subscription.requeue(deliveryTag);
            return;
        }
        Map<String, Object> headers = AmqpHeaders.copyForRepublish(properties.getHeaders());
        headers.put(MessagingHeaders.DELIVERY_ATTEMPTS, Integer.toString(deliveryAttempt()));
        AMQP.BasicProperties props = properties.builder()
                .headers(headers)
                .deliveryMode(2)
                .expiration(Long.toString(Math.max(0, delay.toMillis())))
                .build();
        String retryQueue = Topology.retryQueue(channel(), group());
        subscription.broker().publisher().publish("", retryQueue, true, props, body, "retry queue " + retryQueue)
                .whenComplete((v, e) -> {
                    if (e == null) {
                        subscription.ack(deliveryTag);
                    } else {
                        log.warn("could not schedule a retry of a message from {} ({}); returning it to the queue: {}",
                                subscription.queue(), printable(reason), e.getMessage());
                        subscription.requeue(deliveryTag);
                    }
                });
    }

    /**
     * Publishes the dead letter ({@link MessagingHeaders#deadLettered}: the original headers
     * that are valid Parley headers, the body, the reason, origin and attempts) to the group's
     * dead-letter exchange, whose queue of the same name keeps it; then acks the original.
     */
    @Override
    public void deadLetter(String reason) {
        if (!settle("dead-letter")) {
            return;
        }
        String printableReason = printable(reason);
        if (!subscription.hasRetryAndDeadLetterQueues()) {
            // Reply queues and transient groups (gather responders) have no dead-letter queue of their own.
            log.warn("dropping a message from transient queue {} that cannot be processed: {}", subscription.queue(), printableReason);
            subscription.ack(deliveryTag);
            return;
        }
        String deadLetter = Topology.deadLetter(channel(), group());
        Envelope dead = MessagingHeaders.deadLettered(raw(), channel(), group(), reason);
        AMQP.BasicProperties props = AmqpHeaders.allInTable(dead.headers().asMap()).builder()
                .contentType(properties.getContentType())
                .build();
        subscription.broker().publisher().publish(deadLetter, channel(), true, props, dead.body(), "dead-letter channel " + deadLetter)
                .whenComplete((v, e) -> {
                    if (e == null) {
                        log.info("dead-lettered a message from {} to {}: {}", subscription.queue(), deadLetter, printableReason);
                        subscription.ack(deliveryTag);
                    } else {
                        log.warn("could not dead-letter a message from {} ({}); returning it to the queue: {}",
                                subscription.queue(), printableReason, e.getMessage());
                        subscription.requeue(deliveryTag);
                    }
                });
    }

    private boolean settle(String how) {
        if (settled.compareAndSet(false, true)) {
            return true;
        }
        log.warn("ignoring {} of a delivery from {} that was already settled", how, subscription.queue());
        return false;
    }

    /** For log lines: no control characters (no forged log lines from a hostile reason), bounded length. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_REASON));
        for (int i = 0; i < s.length() && b.length() < MAX_REASON; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return b.toString();
    }
}
