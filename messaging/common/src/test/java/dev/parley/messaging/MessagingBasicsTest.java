package dev.parley.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.contract.Contract;
import dev.parley.contract.ContractDescriptor;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Options, channel names and dead-letter headers: the broker-independent parts of the wire mapping. */
class MessagingBasicsTest {

    record TripId(String id) {}

    @Contract(name = "trip-management", version = "2.3")
    interface Trips {
        TripId get(TripId id);
    }

    @Test
    void channelNamesComeFromTheContractNameAndMajorVersion() {
        ContractDescriptor trips = ContractDescriptor.of(Trips.class);

        assertThat(ChannelNames.requests(trips)).isEqualTo("trip-management.v2.requests");
        assertThat(ChannelNames.events(trips)).isEqualTo("trip-management.v2.events");
        assertThat(ChannelNames.gather(trips)).isEqualTo("trip-management.v2.gather");
        assertThat(ChannelNames.replies("dispatcher-7f3a")).isEqualTo("parley.replies.dispatcher-7f3a");
        assertThat(ChannelNames.isReplies("parley.replies.dispatcher-7f3a")).isTrue();
        assertThat(ChannelNames.deadLetter("trip-management.v2.events", "billing")).isEqualTo("trip-management.v2.events.billing.dead-letter");
    }

    @Test
    void groupNamesAreMadeSafeForEveryBroker() {
        assertThat(ChannelNames.groupName("Billing/instance#1 *>")).isEqualTo("billing-instance-1---");
        assertThat(ChannelNames.groupName("x".repeat(500))).hasSize(64);
        assertThatThrownBy(() -> ChannelNames.groupName("")).hasMessageContaining("expected: a non-empty name");
    }

    @Test
    void backoffDoublesUpToItsCap() {
        MessagingOptions o = MessagingOptions.builder().initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(1)).build();

        assertThat(o.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(o.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(o.backoff(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(o.backoff(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.backoff(1_000)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void invalidOptionsNameTheValueAndWhatWasExpected() {
        assertThatThrownBy(() -> MessagingOptions.builder().maxMessageBytes(0).build()).hasMessage("maxMessageBytes: 0 (expected: >= 1)");
        assertThatThrownBy(() -> MessagingOptions.builder().maxDeliveries(0).build()).hasMessage("maxDeliveries: 0 (expected: >= 1)");
        assertThatThrownBy(() -> MessagingOptions.builder().prefetch(0).build()).hasMessage("prefetch: 0 (expected: >= 1)");
        assertThatThrownBy(() -> MessagingOptions.builder().publishTimeout(Duration.ZERO).build()).hasMessage("publishTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> MessagingOptions.builder().initialBackoff(Duration.ofSeconds(5)).maxBackoff(Duration.ofSeconds(1)).build())
                .hasMessageContaining("expected: 0 <= initialBackoff <= maxBackoff");
        assertThat(MessagingOptions.ofDefaults().toBuilder().build()).isEqualTo(MessagingOptions.ofDefaults());
    }

    @Test
    void aDeadLetterKeepsTheMessageAndSaysWhyWhereAndHowOften() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("parley-message-id", "m-1");
        headers.put("parley-operation", "TripCreated");
        headers.put("parley-dead-letter-reason", "forged by the sender");
        RawMessage raw = new RawMessage(headers, new byte[] {1, 2, 3}, 3);

        Envelope dead = MessagingHeaders.deadLettered(raw, "trips.v1.events", "billing", "INTERNAL: boom\nsecond line");

        Headers h = dead.headers();
        assertThat(h.valueOrNull("parley-message-id")).isEqualTo("m-1");
        assertThat(h.valueOrNull(MessagingHeaders.DEAD_LETTER_REASON)).isEqualTo("INTERNAL: boom second line");
        assertThat(h.valueOrNull(MessagingHeaders.DEAD_LETTER_CHANNEL)).isEqualTo("trips.v1.events");
        assertThat(h.valueOrNull(MessagingHeaders.DEAD_LETTER_GROUP)).isEqualTo("billing");
        assertThat(h.valueOrNull(MessagingHeaders.DELIVERY_ATTEMPTS)).isEqualTo("3");
        assertThat(dead.body()).containsExactly(1, 2, 3);
    }

    @Test
    void aDeadLetterOfHostileHeadersKeepsWhatIsValidAndStaysWithinTheLimits() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Bad Name", "x");
        headers.put("parley-operation", "bad\u0000value");
        headers.put("huge", "v".repeat(100_000));
        for (int i = 0; i < 200; i++) {
            headers.put("h" + i, "v");
        }
        RawMessage raw = new RawMessage(headers, new byte[0], 1);

        Envelope dead = MessagingHeaders.deadLettered(raw, "c", "g", "r".repeat(50_000));

        assertThat(dead.headers().size()).isLessThanOrEqualTo(Headers.MAX_HEADERS);
        assertThat(dead.headers().contains("Bad Name")).isFalse();
        assertThat(dead.headers().contains("huge")).isFalse();
        assertThat(dead.headers().valueOrNull(MessagingHeaders.DEAD_LETTER_REASON)).hasSizeLessThan(1_100);
    }
}
