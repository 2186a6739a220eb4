package dev.parley.bench.messaging;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.util.concurrent.CompletableFuture;

/**
 * jnats used directly, with the guarantees Parley's NATS transport gives: a file-backed
 * JetStream stream, asynchronous publishes completed by their publish acks, a durable
 * consumer with explicit acks after handling and the same number of unacknowledged messages.
 */
final class NatsRaw implements Race.Contender {

    private final String url;
    private final String stream;
    private final String subject;
    private final Connection publishing;
    private final JetStream js;
    private final JetStreamManagement jsm;
    private Connection consuming;
    private MessageConsumer consumer;

    NatsRaw(String url, String run) throws Exception {
        this.url = url;
        this.stream = "BENCH_RAW_" + run;
        this.subject = "bench.raw." + run;
        publishing = Nats.connect(url);
        jsm = publishing.jetStreamManagement();
        jsm.addStream(StreamConfiguration.builder().name(stream).subjects(subject).storageType(StorageType.File).build());
        js = publishing.jetStream();
    }

    @Override
    public String label() {
        return "jnats";
    }

    @Override
    public void startConsumer(Race.Sink sink) throws Exception {
        consuming = Nats.connect(url);
        jsm.addOrUpdateConsumer(stream, ConsumerConfiguration.builder().durable("raw").ackPolicy(AckPolicy.Explicit)
                .maxAckPending(Race.WINDOW).build());
        consumer = consuming.getStreamContext(stream).getConsumerContext("raw").consume(msg -> {
            sink.consumed(Race.sentNanos(msg.getData()));
            msg.ack();
        });
    }

    @Override
    public CompletableFuture<?> publish(long sentNanos, String pad) {
        return js.publishAsync(subject, Race.body(sentNanos, pad));
    }

    @Override
    public void close() throws Exception {
        if (consumer != null) {
            consumer.stop();
            consuming.close();
        }
        jsm.deleteStream(stream);
        publishing.close();
    }
}
