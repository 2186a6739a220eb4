package dev.parley.bench.messaging;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * amqp-client used directly, with the guarantees Parley's RabbitMQ transport gives: a durable
 * topic exchange and a durable quorum queue, persistent messages, publisher confirms (tracked
 * asynchronously by sequence number), manual acknowledgements after handling, prefetch 256.
 */
final class RabbitRaw implements Race.Contender {

    private final ConnectionFactory factory = new ConnectionFactory();
    private final Connection publishing;
    private final Channel publisher;
    private final NavigableMap<Long, CompletableFuture<Void>> unconfirmed = new ConcurrentSkipListMap<>();
    private final String exchange;
    private final String queue;
    private Connection consuming;

    RabbitRaw(String host, int port, String run) throws Exception {
        factory.setHost(host);
        factory.setPort(port);
        exchange = "bench.raw." + run;
        queue = exchange + ".consumers";
        publishing = factory.newConnection("race-raw-publisher");
        publisher = publishing.createChannel();
        publisher.confirmSelect();
        publisher.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
        publisher.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
        publisher.queueBind(queue, exchange, "#");
        publisher.addConfirmListener((seq, multiple) -> settle(seq, multiple, null),
                (seq, multiple) -> settle(seq, multiple, new IOException("nacked by the broker")));
    }

    private void settle(long seq, boolean multiple, Exception error) {
        var settled = multiple ? unconfirmed.headMap(seq, true) : unconfirmed.subMap(seq, true, seq, true);
        settled.forEach((s, f) -> {
            if (error == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(error);
            }
        });
        settled.clear();
    }

    @Override
    public String label() {
        return "amqp-client";
    }

    @Override
    public void startConsumer(Race.Sink sink) throws Exception {
        consuming = factory.newConnection("race-raw-consumer");
        Channel ch = consuming.createChannel();
        ch.basicQos(Race.WINDOW);
        ch.basicConsume(queue, false, (tag, delivery) -> {
            sink.consumed(Race.sentNanos(delivery.getBody()));
            ch.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
    }

    @Override
    public CompletableFuture<?> publish(long sentNanos, String pad) {
        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        byte[] body = Race.body(sentNanos, pad);
        synchronized (publisher) {
            long seq = publisher.getNextPublishSeqNo();
            unconfirmed.put(seq, confirmed);
            try {
                publisher.basicPublish(exchange, "race", MessageProperties.PERSISTENT_BASIC, body);
            } catch (IOException e) {
                unconfirmed.remove(seq);
                confirmed.completeExceptionally(e);
            }
        }
        return confirmed;
    }

    @Override
    public void close() throws Exception {
        if (consuming != null) {
            consuming.close();
        }
        publisher.queueDelete(queue);
        publisher.exchangeDelete(exchange);
        publishing.close();
    }
}
