package dev.parley.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.Parley;
import dev.parley.console.TestContracts.TripCreated;
import dev.parley.console.TestContracts.TripEvents;
import dev.parley.transport.InProcessTransport;
import dev.parley.transport.Registration;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The core adapters read a real in-process transport. */
class ConsoleSourcesTest {

    @Test
    void queueDepthsShowEventsWaitingForAConsumerGroup() {
        try (InProcessTransport transport = InProcessTransport.create();
             Parley billing = Parley.builder().service("billing").transport(transport).build();
             Parley trips = Parley.builder().service("trips").transport(transport).build()) {
            Registration subscription = billing.subscribe(TripEvents.class, event -> {});
            subscription.close();   // billing is down: its events wait
            TripEvents events = trips.publisher(TripEvents.class);
            for (int i = 0; i < 3; i++) {
                events.tripCreated(new TripCreated("t-" + i));
            }
            ConsoleSource source = ConsoleSources.queueDepths(transport,
                    List.of(ConsoleSources.Subscription.events(TripEvents.class, "billing")));
            ConsoleSection section = source.read();
            assertThat(section.columns()).containsExactly("topic", "group", "waiting");
            assertThat(section.rows()).containsExactly(List.of("trip-events.v1.events", "billing", "3"));
            assertThat(section.gauges().getFirst().value()).isEqualTo(3);
        }
    }

    @Test
    void deadLettersAreListedNewestFirstWithTheirReason() throws Exception {
        try (InProcessTransport transport = InProcessTransport.builder().maxDeliveries(2).redeliveryBackoff(Duration.ofMillis(1)).build();
             Parley billing = Parley.builder().service("billing").transport(transport).build();
             Parley trips = Parley.builder().service("trips").transport(transport).build()) {
            billing.subscribe(TripEvents.class, event -> {
                throw new IllegalStateException("ledger locked");
            });
            TripEvents events = trips.publisher(TripEvents.class);
            events.tripCreated(new TripCreated("t-1"));
            events.tripCreated(new TripCreated("t-2"));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (transport.deadLetters().size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            ConsoleSection section = ConsoleSources.deadLetters(transport).read();
            assertThat(section.gauges().getFirst().value()).isEqualTo(2);
            assertThat(section.rows()).hasSize(2);
            List<String> newest = section.rows().getFirst();
            assertThat(newest.get(1)).isEqualTo("trip-events.v1.events");
            assertThat(newest.get(2)).isEqualTo("billing");
            assertThat(newest.get(3)).isEqualTo("2");
            assertThat(newest.get(4)).isEqualTo(transport.deadLetters().get(1).message().headers().get("parley-message-id").orElseThrow());
            assertThat(newest.get(5)).startsWith("INTERNAL: ");
        }
    }

    @Test
    void subscriptionsAreValidated() {
        assertThatThrownBy(() -> new ConsoleSources.Subscription("", "billing"))
                .hasMessage("topic: '' (expected: 1-200 characters, not blank)");
    }
}
