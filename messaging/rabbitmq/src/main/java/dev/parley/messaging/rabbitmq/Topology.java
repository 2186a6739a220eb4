package dev.parley.messaging.rabbitmq;

import com.rabbitmq.client.Channel;
import dev.parley.messaging.ChannelNames;
import java.io.IOException;
import java.util.Map;

/**
 * Names and declarations of the exchanges and queues behind Parley's channels and groups
 * (docs/brokers/rabbitmq.md has the table). Every declaration is idempotent as long as
 * nobody declared the same name with other arguments, in which case RabbitMQ refuses with
 * {@code PRECONDITION_FAILED} and the error names the queue.
 */
final class Topology {

    static final String EXCHANGE_TYPE = "topic";
    static final String BIND_ALL = "#";

    private static final Map<String, Object> QUORUM = Map.of("x-queue-type", "quorum");

    private Topology() {}

    /** Whether messages for {@code channel} go straight to a queue of that name (default exchange). */
    static boolean isDirect(String channel) {
        return ChannelNames.isReplies(channel);
    }

    static String queue(String channel, String group) {
        return channel + "." + group;
    }

    static String retryQueue(String channel, String group) {
        return queue(channel, group) + ".retry";
    }

    static String deadLetter(String channel, String group) {
        return ChannelNames.deadLetter(channel, group);
    }

    static void declareExchange(Channel ch, String exchange) throws IOException {
        ch.exchangeDeclare(exchange, EXCHANGE_TYPE, true, false, null);
    }

    /**
     * A durable group: quorum queue {@code <channel>.<group>} bound to the channel's exchange,
     * its retry queue, and the dead-letter exchange with its queue.
     */
    static void declareDurableGroup(Channel ch, String channel, String group, String deadLetter) throws IOException {
        String queue = queue(channel, group);
        declareExchange(ch, channel);
        // Messages wait here for their per-message expiration (the retry delay), then the broker
        // dead-letters them through the default exchange back to the group's queue.
        ch.queueDeclare(retryQueue(channel, group), true, false, false,
                Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", queue));
        declareExchange(ch, deadLetter);
        ch.queueDeclare(deadLetter, true, false, false, QUORUM);
        ch.queueBind(deadLetter, deadLetter, BIND_ALL);
        // The group's queue last: when it exists, so does the rest (see RabbitBroker.declareDurable).
        ch.queueDeclare(queue, true, false, false, QUORUM);
        ch.queueBind(queue, channel, BIND_ALL);
    }

    /** How long an unused durable reply queue survives its transport (x-expires). */
    static final long DURABLE_REPLIES_EXPIRE_MILLIS = 24L * 60 * 60 * 1000;

    /**
     * A reply channel's queue, named after the channel and addressed through the default
     * exchange. Transient: exclusive and auto-delete. Durable (a transport whose replies must
     * survive its restart): a durable classic queue that the broker deletes after a day unused.
     */
    static void declareDirect(Channel ch, String channel, boolean durable) throws IOException {
        if (durable) {
            ch.queueDeclare(channel, true, false, false, Map.of("x-expires", DURABLE_REPLIES_EXPIRE_MILLIS));
        } else {
            ch.queueDeclare(channel, false, true, true, null);
        }
    }

    /**
     * A transient group (a gather responder): an exclusive, auto-delete classic queue
     * {@code <channel>.<group>} bound to the channel's exchange, living as long as the
     * consuming connection.
     */
    static void declareTransient(Channel ch, String channel, String group) throws IOException {
        String queue = queue(channel, group);
        declareExchange(ch, channel);
        ch.queueDeclare(queue, false, true, true, null);
        ch.queueBind(queue, channel, BIND_ALL);
    }

    /** The queue a subscription consumes from. */
    static String queueOf(String channel, String group) {
        return isDirect(channel) ? channel : queue(channel, group);
    }

    /** Declares whatever {@code channel}/{@code group} consumes from. */
    static void declareFor(Channel ch, String channel, String group, boolean durable) throws IOException {
        if (isDirect(channel)) {
            declareDirect(ch, channel, durable);
        } else if (durable) {
            declareDurableGroup(ch, channel, group, deadLetter(channel, group));
        } else {
            declareTransient(ch, channel, group);
        }
    }
}
