package dev.parley.console;

import dev.parley.contract.ContractDescriptor;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.DeadLetter;
import dev.parley.transport.InProcessTransport;
import dev.parley.transport.TopicNames;
import java.util.List;

/**
 * Ready-made {@link ConsoleSource}s for what Parley's core offers: the in-process transport's
 * dead letters and queue depths. Sources for discovery, webhooks and plugins are written by the
 * application that has them (see {@code docs/console.md}); this module depends on core only.
 */
public final class ConsoleSources {

    /** How many of the newest dead letters {@link #deadLetters} lists. */
    public static final int DEAD_LETTERS_SHOWN = 50;

    private ConsoleSources() {}

    /**
     * The in-process transport's dead letters, newest first, with a gauge of their count: the
     * messages it gave up on after every delivery attempt failed.
     */
    public static ConsoleSource deadLetters(InProcessTransport transport) {
        return () -> {
            List<DeadLetter> all = transport.deadLetters();
            ConsoleSection.Builder section = ConsoleSection.builder("Dead letters (" + transport.name() + ")")
                    .columns("at", "topic", "group", "attempts", "message id", "reason")
                    .gauge(ConsoleGauge.of("dead letters", all.size()));
            int shown = Math.min(all.size(), DEAD_LETTERS_SHOWN);
            for (int i = all.size() - 1; i >= all.size() - shown; i--) {
                DeadLetter d = all.get(i);
                section.row(d.at().toString(), d.topic(), d.group(), Integer.toString(d.attempts()),
                        d.message().headers().get(StandardHeaders.MESSAGE_ID).orElse(""), d.reason());
            }
            if (all.size() > shown) {
                section.note((all.size() - shown) + " older dead letters not shown");
            }
            return section.build();
        };
    }

    /**
     * Queue depths of the in-process transport: for each subscription, the events waiting for
     * a member of its consumer group. {@code eventContracts} name the contracts whose events
     * are watched; groups are the subscribing services' names (or the group given to
     * {@code Parley.subscribe}).
     */
    public static ConsoleSource queueDepths(InProcessTransport transport, List<Subscription> subscriptions) {
        List<Subscription> watched = List.copyOf(subscriptions);
        return () -> {
            ConsoleSection.Builder section = ConsoleSection.builder("Queue depths (" + transport.name() + ")")
                    .columns("topic", "group", "waiting");
            for (Subscription s : watched) {
                int waiting = transport.backlog(s.topic(), s.group());
                section.row(s.topic(), s.group(), Integer.toString(waiting));
                section.gauge(ConsoleGauge.of(s.group() + " @ " + s.topic(), waiting));
            }
            return section.build();
        };
    }

    /**
     * A consumer group on an event topic, watched by {@link #queueDepths}.
     *
     * @param topic the topic, e.g. {@code trip-events.v1.events}
     * @param group the consumer group, by default the subscribing service's name
     */
    public record Subscription(String topic, String group) {

        public Subscription {
            ConsoleSection.requireText("topic", topic);
            ConsoleSection.requireText("group", group);
        }

        /** The events topic of {@code eventContract} as consumed by {@code group}. */
        public static Subscription events(Class<?> eventContract, String group) {
            return new Subscription(TopicNames.events(ContractDescriptor.of(eventContract)), group);
        }
    }
}
