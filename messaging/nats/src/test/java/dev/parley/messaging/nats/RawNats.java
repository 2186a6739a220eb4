package dev.parley.messaging.nats;

import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tests' own NATS client, plain jnats without Parley: publishes raw messages, reads dead
 * letters straight from their streams, and deletes the streams a test class created.
 */
final class RawNats implements AutoCloseable {

    static final String SHARED_URL = "nats://127.0.0.1:4222";

    final Connection connection;
    final JetStreamManagement management;
    private final Map<String, Long> nextSequence = new HashMap<>();

    RawNats(String url) throws IOException, InterruptedException {
        this.connection = Nats.connect(new Options.Builder().server(url).maxReconnects(-1).reconnectWait(Duration.ofMillis(250))
                .connectionName("parley-test-raw").build());
        this.management = connection.jetStreamManagement();
    }

    /** A JetStream publish of {@code body} with {@code headers}, waiting for the stream's ack. */
    void publish(String subject, Map<String, String> headers, byte[] body) throws Exception {
        io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
        headers.forEach(h::put);
        connection.jetStream().publish(subject, h.isEmpty() ? null : h, body);
    }

    /** Dead letters stored since the last call, with NATS' own headers left out. */
    synchronized List<Envelope> takeStored(String subject) throws IOException, JetStreamApiException {
        String stream = subject.replace('.', '_');
        StreamInfo info;
        try {
            info = management.getStreamInfo(stream);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == 10059) {
                return List.of(); // nothing dead-lettered yet
            }
            throw e;
        }
        long last = info.getStreamState().getLastSequence();
        long next = Math.max(nextSequence.getOrDefault(stream, 1L), info.getStreamState().getFirstSequence());
        List<Envelope> found = new ArrayList<>();
        for (long seq = next; seq <= last; seq++) {
            MessageInfo m;
            try {
                m = management.getMessage(stream, seq);
            } catch (JetStreamApiException e) {
                continue; // deleted
            }
            found.add(Envelope.of(parleyHeaders(m.getHeaders()), m.getData() != null ? m.getData() : new byte[0]));
        }
        nextSequence.put(stream, last + 1);
        return found;
    }

    /** Parley's view of NATS headers: the first value of each, without the server's Nats-* headers. */
    static Headers parleyHeaders(io.nats.client.impl.Headers natsHeaders) {
        Headers.Builder b = Headers.builder();
        if (natsHeaders != null) {
            for (String name : natsHeaders.keySet()) {
                if (!name.startsWith("Nats-")) {
                    b.set(name, natsHeaders.getFirst(name));
                }
            }
        }
        return b.build();
    }

    /** Deletes every stream whose name starts with {@code prefix}. */
    void deleteStreams(String prefix) throws IOException, JetStreamApiException {
        for (String name : management.getStreamNames()) {
            if (name.startsWith(prefix)) {
                management.deleteStream(name);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        connection.close();
    }
}
