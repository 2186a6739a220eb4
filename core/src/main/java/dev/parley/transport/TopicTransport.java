package dev.parley.transport;

import dev.parley.message.Envelope;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One-to-many traffic: publish/subscribe with consumer groups, and scatter-gather.
 *
 * <p>Every {@code group} subscribed to a topic gets each message once; the members of a group
 * share the messages. A handler acknowledges a message by replying {@code parley-status: ok};
 * any other reply (or none within the transport's limits) makes the transport redeliver it
 * later, and after the configured number of attempts move it to a dead-letter channel.
 */
public interface TopicTransport {

    /** Publishes; completes when the transport has accepted the message (durably, where it can). */
    CompletableFuture<Void> publish(String topic, Envelope message);

    /** Joins {@code group} on {@code topic}. */
    Registration subscribe(String topic, String group, InboundHandler handler);

    /**
     * Publishes a request to every responder of {@code topic} and passes their replies to
     * {@code replies} as they arrive, each tagged with its {@code parley-source}.
     *
     * @return the responders the request was delivered to, when the transport knows them
     *     (empty when it cannot tell, as on a broker)
     */
    List<String> scatter(String topic, Envelope request, ReplySink replies);

    /** Registers a gather responder: unlike a group member, every responder gets every request. */
    Registration respond(String topic, String responderId, InboundHandler handler);
}
