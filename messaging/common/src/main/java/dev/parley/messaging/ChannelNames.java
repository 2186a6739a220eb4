package dev.parley.messaging;

import dev.parley.contract.ContractDescriptor;
import dev.parley.transport.TopicNames;

/**
 * The names of the channels Parley uses on a broker, derived from the contract's name and
 * major version so that a service in another language can find them (see docs/messaging.md).
 * Contract names are lower-case letters, digits, '.' and '-', so every name here is a valid
 * RabbitMQ exchange and queue name, Kafka topic and NATS subject.
 */
public final class ChannelNames {

    private static final String REPLIES = "parley.replies.";

    private ChannelNames() {}

    /** Requests and one-way commands to a contract: {@code <name>.v<major>.requests}. */
    public static String requests(ContractDescriptor contract) {
        return contract.name() + ".v" + contract.version().major() + ".requests";
    }

    /** Events of a contract: {@code <name>.v<major>.events}. */
    public static String events(ContractDescriptor contract) {
        return TopicNames.events(contract);
    }

    /** Gather requests of a contract: {@code <name>.v<major>.gather}. */
    public static String gather(ContractDescriptor contract) {
        return TopicNames.gather(contract);
    }

    /** The reply channel of one transport instance: {@code parley.replies.<clientId>}. */
    public static String replies(String clientId) {
        return REPLIES + groupName(clientId);
    }

    /** Whether {@code channel} is some transport's reply channel. */
    public static boolean isReplies(String channel) {
        return channel.startsWith(REPLIES);
    }

    /** Where a group's messages go when they cannot be processed: {@code <channel>.<group>.dead-letter}. */
    public static String deadLetter(String channel, String group) {
        return channel + "." + groupName(group) + ".dead-letter";
    }

    /**
     * {@code name} as a group or client id usable in every broker's names: lower-case letters,
     * digits and '-' (anything else becomes '-'), at most 64 characters.
     */
    public static String groupName(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("group: '' (expected: a non-empty name)");
        }
        StringBuilder b = new StringBuilder(Math.min(name.length(), 64));
        for (int i = 0; i < name.length() && b.length() < 64; i++) {
            char c = Character.toLowerCase(name.charAt(i));
            b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ? c : '-');
        }
        return b.toString();
    }
}
