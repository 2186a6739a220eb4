package dev.parley.messaging;

/**
 * A group's subscription to a channel. Every group on a channel gets every message; the
 * consumers of one group share them.
 *
 * @param durable true: the group outlives its consumers, and messages wait in the broker while
 *                it has none. False: the group lives as long as its consumer (a transport's reply
 *                channel, a gather responder): the broker may drop messages while it has no
 *                consumer, and the group is removed when the consumer closes.
 */
public record Subscription(String channel, String group, boolean durable) {

    public Subscription {
        if (channel.isEmpty() || group.isEmpty()) {
            throw new IllegalArgumentException("subscription: channel '" + channel + "', group '" + group + "' (expected: non-empty)");
        }
    }
}
