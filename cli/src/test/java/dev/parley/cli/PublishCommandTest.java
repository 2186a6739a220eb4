package dev.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.trips.TripFeed;
import com.example.trips.TripFeed.TripCreated;
import dev.parley.Parley;
import dev.parley.messaging.Brokers;
import dev.parley.messaging.BrokerTransport;
import dev.parley.messaging.nats.NatsTransport;
import dev.parley.messaging.rabbitmq.RabbitMqTransport;
import dev.parley.transport.Registration;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishCommandTest {

    private static final String RABBIT = "amqp://guest:guest@127.0.0.1:5672";
    private static final String NATS = "nats://127.0.0.1:4222";

    @TempDir
    Path dir;

    @Test
    void publishesAnEventThatARabbitMqSubscriberReceives() throws Exception {
        Brokers.require("RabbitMQ", "127.0.0.1", 5672);
        publishesAndTheSubscriberReceives("rabbitmq", RABBIT, () -> RabbitMqTransport.builder().uri(RABBIT).build());
    }

    @Test
    void publishesAnEventThatANatsSubscriberReceives() throws Exception {
        Brokers.require("NATS", "127.0.0.1", 4222);
        publishesAndTheSubscriberReceives("nats", NATS, () -> NatsTransport.builder().url(NATS).build());
    }

    private void publishesAndTheSubscriberReceives(String broker, String url, Supplier<BrokerTransport> transport) throws Exception {
        String tripId = "t-" + UUID.randomUUID();
        LinkedBlockingQueue<TripCreated> received = new LinkedBlockingQueue<>();
        try (BrokerTransport subscriberTransport = transport.get();
             Parley subscriber = Parley.builder().service("cli-test-subscriber").transport(subscriberTransport).build();
             Registration ignored = subscriber.subscribe(TripFeed.class, new TripFeed() {
                 @Override
                 public void tripCreated(TripCreated event) {
                     if (event.tripId().equals(tripId)) {
                         received.add(event);
                     }
                 }
             })) {
            CliRun run = CliRun.of("publish", "--classpath", testClasses(), "--contract", TripFeed.class.getName(),
                    "--event", "tripCreated", "--broker", broker, "--url", url,
                    "--data", "{\"tripId\":\"" + tripId + "\",\"fareCents\":1250,\"addedInV2\":true}");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("published trip-feed/v1.tripCreated to " + broker).contains("(confirmed)");
            assertThat(received.poll(30, TimeUnit.SECONDS)).isEqualTo(new TripCreated(tripId, 1250));
        }
    }

    @Test
    void anEventTheContractDoesNotDeclareExitsTwoListingTheEvents() {
        CliRun run = publish("tripStarted", "{}");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).singleElement().asString()
                .contains("--event 'tripStarted' is not an @Event method of trip-feed/v1")
                .contains("tripCreated").contains("tripCancelled");
    }

    @Test
    void dataOfTheWrongTypeExitsTwoNamingTheField() {
        CliRun run = publish("tripCreated", "{\"tripId\":\"t-1\",\"fareCents\":\"twelve\"}");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).singleElement().asString()
                .contains("does not decode into TripCreated").contains("fareCents");
    }

    @Test
    void malformedJsonExitsTwo() {
        CliRun run = publish("tripCreated", "{\"tripId\": ");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("does not decode into TripCreated");
    }

    @Test
    void anOversizedDataFileIsRefusedBeforeItIsRead() throws Exception {
        Path big = dir.resolve("big.json");
        Files.write(big, new byte[PublishCommand.MAX_DATA_BYTES + 1]);

        CliRun run = CliRun.of("publish", "--classpath", testClasses(), "--contract", TripFeed.class.getName(),
                "--event", "tripCreated", "--broker", "rabbitmq", "--url", RABBIT, "--data-file", big.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("holds " + (PublishCommand.MAX_DATA_BYTES + 1) + " bytes (expected: at most");
    }

    @Test
    void anUnknownBrokerExitsTwo() {
        CliRun run = CliRun.of("publish", "--classpath", testClasses(), "--contract", TripFeed.class.getName(),
                "--event", "tripCreated", "--broker", "activemq", "--url", "tcp://127.0.0.1:61616", "--data", "{\"tripId\":\"t\"}");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--broker 'activemq' (expected: rabbitmq, kafka or nats)");
    }

    @Test
    void anUnreachableBrokerExitsFourWithoutAStackTrace() {
        CliRun run = CliRun.of("publish", "--classpath", testClasses(), "--contract", TripFeed.class.getName(),
                "--event", "tripCreated", "--broker", "rabbitmq", "--url", "amqp://guest:guest@127.0.0.1:1", "--data", "{\"tripId\":\"t\"}");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(PublishCommand.BROKER_FAILED);
        assertThat(run.err()).contains("parley publish: rabbitmq at amqp://guest:guest@127.0.0.1:1").doesNotContain("\tat ");
    }

    @Test
    void neitherDataNorDataFileIsAUsageError() {
        CliRun run = CliRun.of("publish", "--classpath", testClasses(), "--contract", TripFeed.class.getName(),
                "--event", "tripCreated", "--broker", "rabbitmq", "--url", RABBIT);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--data");
    }

    private CliRun publish(String event, String json) {
        return CliRun.of("publish", "--classpath", testClasses(), "--contract", TripFeed.class.getName(),
                "--event", event, "--broker", "rabbitmq", "--url", RABBIT, "--data", json);
    }

    private static String testClasses() {
        try {
            return Path.of(TripFeed.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
