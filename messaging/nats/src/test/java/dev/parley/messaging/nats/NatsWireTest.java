package dev.parley.messaging.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.message.Headers;
import io.nats.client.impl.NatsMessage;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The header mapping without a server: what jnats would put on the wire and what Parley reads back. */
class NatsWireTest {

    @Test
    void asciiValuesTravelAsTheyAreAndOthersAsEncodedWords() {
        assertThat(NatsWire.encode("plain value; q=1")).isEqualTo("plain value; q=1");
        String text = "caf\u00e9 \u2615 \u00fcber";
        String encoded = NatsWire.encode(text);
        assertThat(encoded).startsWith("=?utf-8?b?").endsWith("?=").matches("[\\x20-\\x7e]+");
        assertThat(NatsWire.decode(encoded)).isEqualTo(text);
        assertThat(NatsWire.decode("=?utf-8?b?not base64!?=")).as("not an encoded word: kept").isEqualTo("=?utf-8?b?not base64!?=");
    }

    @Test
    void readingLeavesOutNatsHeadersLowerCasesNamesAndKeepsTheFirstValue() {
        io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
        h.add("Nats-Expected-Stream", "s");
        h.add("Parley-Operation", "Shipped");
        h.add("x-multi", "first", "second");
        h.add("x-text", NatsWire.encode("na\u00efve"));
        NatsMessage m = NatsMessage.builder().subject("a.b").headers(h).data(new byte[0]).build();

        Map<String, String> read = NatsWire.fromNats(m);

        // (jnats keeps headers in a hash map: their order on the wire is not kept)
        assertThat(read).containsExactlyInAnyOrderEntriesOf(Map.of("parley-operation", "Shipped", "x-multi", "first",
                "x-text", "na\u00efve"));
    }

    @Test
    void writingMapsEveryHeaderByName() {
        Headers parley = Headers.builder().set("parley-message-id", "id-1").set("parley-dead-letter-reason", "r\u00e9sum\u00e9 failed").build();

        io.nats.client.impl.Headers nats = NatsWire.toNats(parley);

        assertThat(nats.getFirst("parley-message-id")).isEqualTo("id-1");
        assertThat(NatsWire.decode(nats.getFirst("parley-dead-letter-reason"))).isEqualTo("r\u00e9sum\u00e9 failed");
    }

    @Test
    void aStoredMessageCarriesItsIdOnceAsNatsMsgIdAndReadsItBack() {
        Headers parley = Headers.builder().set("parley-message-id", "id-1").set("parley-operation", "Shipped").build();

        io.nats.client.impl.Headers nats = NatsWire.toNats(parley, "id-1");

        assertThat(nats.getFirst("Nats-Msg-Id")).isEqualTo("id-1");
        assertThat(nats.containsKey("parley-message-id")).as("not sent twice").isFalse();
        Map<String, String> read = NatsWire.fromNats(NatsMessage.builder().subject("a.b").headers(nats).data(new byte[0]).build());
        assertThat(read).containsExactlyInAnyOrderEntriesOf(Map.of("parley-message-id", "id-1", "parley-operation", "Shipped"));
    }

    @Test
    void aDifferentDedupeIdLeavesTheMessageIdAndTheOldFormIsReadAsItIs() {
        Headers parley = Headers.builder().set("parley-message-id", "id-1").build();

        io.nats.client.impl.Headers nats = NatsWire.toNats(parley, "stream:7");

        assertThat(nats.getFirst("parley-message-id")).isEqualTo("id-1");
        assertThat(NatsWire.fromNats(NatsMessage.builder().subject("a.b").headers(nats).data(new byte[0]).build()))
                .as("parley-message-id wins over Nats-Msg-Id").containsExactlyEntriesOf(Map.of("parley-message-id", "id-1"));
        assertThat(NatsWire.toNats(parley, null).getFirst("parley-message-id")).isEqualTo("id-1");
    }

    @Test
    void aMessageIdNatsCannotCarryFailsAsSuch() {
        Headers parley = Headers.builder().set("parley-message-id", "id-\u00e9").build();

        assertThatThrownBy(() -> NatsWire.toNats(parley, "id-\u00e9")).isInstanceOf(NatsWire.InvalidMessageId.class);
    }

    @Test
    void theDeliveredCountIsReadFromBothAckSubjectForms() {
        assertThat(NatsWire.deliveredCount("$JS.ACK.trips_v1_events.billing.3.120.97.1764460000000000000.5")).isEqualTo(3);
        assertThat(NatsWire.deliveredCount("$JS.ACK._.ACCHASH.trips_v1_events.billing.12.120.97.1764460000000000000.0"))
                .isEqualTo(12);
        assertThat(NatsWire.deliveredCount("$JS.ACK.dom.ACCHASH.trips_v1_events.billing.1.120.97.1764460000000000000.0.x7Yz"))
                .isEqualTo(1);
        assertThat(NatsWire.deliveredCount("_INBOX.abc")).isEqualTo(-1);
        assertThat(NatsWire.deliveredCount("$JS.ACK.s.c.x.1.1.1.0")).as("not a number").isEqualTo(-1);
        assertThat(NatsWire.deliveredCount("$JS.ACK.s.c.1.1")).as("too few tokens").isEqualTo(-1);
        assertThat(NatsWire.deliveredCount(null)).isEqualTo(-1);
    }

    @Test
    void streamNamesReplaceDots() {
        assertThat(NatsWire.stream("trips.v1.events")).isEqualTo("trips_v1_events");
        assertThat(NatsWire.stream("trips.v1.events.billing.dead-letter")).isEqualTo("trips_v1_events_billing_dead-letter");
    }
}
