package dev.parley.messaging.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Parley;
import dev.parley.contract.Contract;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Code chained to a reply or to a publish confirmation runs on a thread of its own, never on
 * the consumer's poll thread or the producer's I/O thread: a blocking call made there (a common
 * pattern) completes instead of waiting for the very thread it blocks.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaCallbackThreadTest {

    public record Ping(String text) {}

    public record Pong(String text) {}

    @Contract(name = "parley.kafka.test.echo", version = "1.0")
    public interface Echo {
        Pong ping(Ping ping);

        CompletionStage<Pong> pingLater(Ping ping);
    }

    private static KafkaTestBroker broker;

    @BeforeAll
    static void broker() {
        broker = KafkaClients.requireBroker();
    }

    @Test
    void aBlockingCallChainedToAReplyOrAPublishCompletes() throws Exception {
        try (KafkaTransport serverTransport = KafkaTransport.builder().bootstrapServers(broker.bootstrapServers()).build();
             Parley server = Parley.builder().service("echo").transport(serverTransport).build();
             KafkaTransport clientTransport = KafkaTransport.builder().bootstrapServers(broker.bootstrapServers()).build();
             Parley client = Parley.builder().service("caller").transport(clientTransport).build()) {
            server.serve(Echo.class, new Echo() {
                @Override
                public Pong ping(Ping ping) {
                    return new Pong(ping.text().toUpperCase());
                }

                @Override
                public CompletionStage<Pong> pingLater(Ping ping) {
                    return CompletableFuture.completedFuture(new Pong(ping.text() + "!"));
                }
            });
            Echo echo = client.client(Echo.class);

            String chained = echo.pingLater(new Ping("first"))
                    .thenApply(first -> first.text() + " then " + echo.ping(new Ping("second")).text())
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(chained).isEqualTo("first! then SECOND");

            String run = UUID.randomUUID().toString().substring(0, 8);
            clientTransport.publish(Ticks.channel(), Ticks.event(run, 1, "a"))
                    .thenRun(() -> clientTransport.publish(Ticks.channel(), Ticks.event(run, 2, "a")).join())
                    .get(60, TimeUnit.SECONDS);
        }
    }
}
