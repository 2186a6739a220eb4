package dev.parley.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.testkit.ManualClock;
import dev.parley.webhooks.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Signing and verification against the Standard Webhooks test vectors.
 *
 * <p>The vector (secret, id, timestamp, payload, expected signature) is the one published with
 * the specification's reference libraries: standard-webhooks/standard-webhooks,
 * libraries/java/src/test/java/com/standardwebhooks/WebhookTest.java ({@code verifyWebhookSignWorks})
 * and libraries/javascript/src/webhook.test.ts ("sign function works"); the multi-signature
 * header with decoys and the "v2" decoy are from the same files ({@code
 * verifyValidPayloadWithMultipleSignaturesIsValid}, "multi sig payload is valid").
 */
class WebhookSignatureTest {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long TIMESTAMP = 1614265330;
    static final byte[] PAYLOAD = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    static final String EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    final ManualClock clock = ManualClock.startingAt(Instant.ofEpochSecond(TIMESTAMP));

    WebhookVerifier verifier(String... secrets) {
        WebhookVerifier.Builder b = WebhookVerifier.builder().clock(clock);
        for (String s : secrets) {
            b.secret(WebhookSecret.parse(s));
        }
        return b.build();
    }

    static Map<String, String> headers(String id, long ts, String signature) {
        Map<String, String> h = new HashMap<>();
        h.put("webhook-id", id);
        h.put("webhook-timestamp", Long.toString(ts));
        h.put("webhook-signature", signature);
        return h;
    }

    @Test
    void signsThePublishedVector() {
        assertThat(WebhookSignature.sign(WebhookSecret.parse(SECRET), ID, TIMESTAMP, PAYLOAD)).isEqualTo(EXPECTED);
    }

    @Test
    void secretIsAcceptedWithOrWithoutPrefixAndRoundTrips() {
        WebhookSecret withPrefix = WebhookSecret.parse(SECRET);
        WebhookSecret without = WebhookSecret.parse(SECRET.substring("whsec_".length()));
        assertThat(without).isEqualTo(withPrefix);
        assertThat(withPrefix.serialized()).isEqualTo(SECRET);
        assertThat(withPrefix.toString()).doesNotContain("MfKQ9r8");
    }

    @Test
    void generatedSecretsAreLongEnoughAndDistinct() {
        WebhookSecret a = WebhookSecret.generate();
        WebhookSecret b = WebhookSecret.generate();
        assertThat(a).isNotEqualTo(b);
        assertThat(a.serialized()).startsWith("whsec_");
        assertThat(java.util.Base64.getDecoder().decode(a.serialized().substring(6))).hasSizeGreaterThanOrEqualTo(24);
    }

    @Test
    void verifiesThePublishedVector() {
        VerifiedWebhook w = verifier(SECRET).verify(headers(ID, TIMESTAMP, EXPECTED), PAYLOAD);
        assertThat(w.id()).isEqualTo(ID);
        assertThat(w.timestamp()).isEqualTo(Instant.ofEpochSecond(TIMESTAMP));
    }

    @Test
    void acceptsAnyOfSeveralSignaturesIncludingUnknownVersions() {
        String header = String.join(" ",
                "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
                "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
                EXPECTED,
                "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=");
        assertThat(verifier(SECRET).verify(headers(ID, TIMESTAMP, header), PAYLOAD).id()).isEqualTo(ID);
    }

    @Test
    void headerCarriesOneSignaturePerSecretDuringRotation() {
        WebhookSecret old = WebhookSecret.parse(SECRET);
        WebhookSecret next = WebhookSecret.generate();
        String header = WebhookSignature.header(List.of(next, old), ID, TIMESTAMP, PAYLOAD);
        assertThat(header.split(" ")).hasSize(2).contains(EXPECTED);
        assertThat(verifier(SECRET).verify(headers(ID, TIMESTAMP, header), PAYLOAD).id()).isEqualTo(ID);
        assertThat(verifier(next.serialized()).verify(headers("msg_other", TIMESTAMP, WebhookSignature.header(List.of(next, old), "msg_other", TIMESTAMP, PAYLOAD)), PAYLOAD).id())
                .isEqualTo("msg_other");
    }

    @Test
    void verifierHoldingBothSecretsAcceptsEither() {
        WebhookSecret next = WebhookSecret.generate();
        WebhookVerifier v = verifier(next.serialized(), SECRET);
        assertThat(v.verify(headers(ID, TIMESTAMP, EXPECTED), PAYLOAD).id()).isEqualTo(ID);
    }

    @Test
    void rejectsTamperedBody() {
        byte[] tampered = "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8);
        assertRejected(() -> verifier(SECRET).verify(headers(ID, TIMESTAMP, EXPECTED), tampered), Reason.NO_MATCHING_SIGNATURE);
        byte[] reserialized = "{\"test\":2432232314}".getBytes(StandardCharsets.UTF_8);
        assertRejected(() -> verifier(SECRET).verify(headers(ID, TIMESTAMP, EXPECTED), reserialized), Reason.NO_MATCHING_SIGNATURE);
    }

    @Test
    void rejectsTamperedIdOrTimestamp() {
        assertRejected(() -> verifier(SECRET).verify(headers("msg_other", TIMESTAMP, EXPECTED), PAYLOAD), Reason.NO_MATCHING_SIGNATURE);
        assertRejected(() -> verifier(SECRET).verify(headers(ID, TIMESTAMP + 1, EXPECTED), PAYLOAD), Reason.NO_MATCHING_SIGNATURE);
    }

    @Test
    void rejectsWrongSecret() {
        assertRejected(() -> verifier(WebhookSecret.generate().serialized()).verify(headers(ID, TIMESTAMP, EXPECTED), PAYLOAD),
                Reason.NO_MATCHING_SIGNATURE);
    }

    @Test
    void rejectsMalformedSignatures() {
        for (String bad : List.of("v1,invalid_signature", "invalid_signature", "v1,", EXPECTED.substring(0, 8),
                "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "v1,dawfeoifkpqwoekfpqoekf")) {
            assertRejected(() -> verifier(SECRET).verify(headers(ID, TIMESTAMP, bad), PAYLOAD), Reason.NO_MATCHING_SIGNATURE);
        }
    }

    @Test
    void rejectsMissingOrMalformedHeaders() {
        for (String missing : List.of("webhook-id", "webhook-timestamp", "webhook-signature")) {
            Map<String, String> h = headers(ID, TIMESTAMP, EXPECTED);
            h.remove(missing);
            assertRejected(() -> verifier(SECRET).verify(h, PAYLOAD), Reason.MISSING_HEADER);
        }
        Map<String, String> h = headers(ID, TIMESTAMP, EXPECTED);
        h.put("webhook-timestamp", "hello");
        assertRejected(() -> verifier(SECRET).verify(h, PAYLOAD), Reason.MALFORMED_TIMESTAMP);
    }

    @Test
    void headerNamesAreCaseInsensitive() {
        Map<String, String> h = Map.of("Webhook-Id", ID, "WEBHOOK-TIMESTAMP", Long.toString(TIMESTAMP), "Webhook-Signature", EXPECTED);
        assertThat(verifier(SECRET).verify(h, PAYLOAD).id()).isEqualTo(ID);
    }

    @Test
    void rejectsTimestampsMoreThanFiveMinutesOffEitherWay() {
        WebhookVerifier v = verifier(SECRET);
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertRejected(() -> v.verify(headers(ID, TIMESTAMP, EXPECTED), PAYLOAD), Reason.TIMESTAMP_OUT_OF_TOLERANCE);

        // a timestamp from the future, signed properly
        long future = clock.instant().getEpochSecond() + 301;
        String sig = WebhookSignature.sign(WebhookSecret.parse(SECRET), ID, future, PAYLOAD);
        assertRejected(() -> v.verify(headers(ID, future, sig), PAYLOAD), Reason.TIMESTAMP_OUT_OF_TOLERANCE);

        // exactly at the edge is still accepted
        long edge = clock.instant().getEpochSecond() - 300;
        assertThat(v.verify(headers("msg_edge", edge, WebhookSignature.sign(WebhookSecret.parse(SECRET), "msg_edge", edge, PAYLOAD)),
                PAYLOAD).id()).isEqualTo("msg_edge");
    }

    @Test
    void rejectsReplayedIdButOnlyAfterAValidSignature() {
        WebhookVerifier v = verifier(SECRET);
        // a forged request with the id must not burn it
        assertRejected(() -> v.verify(headers(ID, TIMESTAMP, "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="), PAYLOAD),
                Reason.NO_MATCHING_SIGNATURE);
        v.verify(headers(ID, TIMESTAMP, EXPECTED), PAYLOAD);
        assertRejected(() -> v.verify(headers(ID, TIMESTAMP, EXPECTED), PAYLOAD), Reason.REPLAYED);
        // a forgotten id (its processing failed) is accepted again
        v.forget(ID);
        assertThat(v.verify(headers(ID, TIMESTAMP, EXPECTED), PAYLOAD).id()).isEqualTo(ID);
    }

    @Test
    void replayStoreIsBoundedAndDropsExpiredIdsFirst() {
        BoundedReplayStore store = new BoundedReplayStore(3);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(store.firstSeen("a", now.plusSeconds(10), now)).isTrue();
        assertThat(store.firstSeen("b", now.plusSeconds(600), now)).isTrue();
        assertThat(store.firstSeen("c", now.plusSeconds(600), now)).isTrue();
        assertThat(store.firstSeen("b", now.plusSeconds(600), now)).isFalse();
        // "a" expired: it goes first, the others stay
        Instant later = now.plusSeconds(20);
        assertThat(store.firstSeen("d", later.plusSeconds(600), later)).isTrue();
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.firstSeen("b", later.plusSeconds(600), later)).isFalse();
        // full with live ids: the oldest is forgotten to keep the bound
        assertThat(store.firstSeen("e", later.plusSeconds(600), later)).isTrue();
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.firstSeen("b", later.plusSeconds(600), later)).isTrue();
    }

    @Test
    void decodesTheTypedEvent() {
        record Paid(String invoice, long cents) {}
        byte[] body = "{\"type\":\"invoice.paid\",\"timestamp\":\"2021-02-25T15:02:10Z\",\"data\":{\"invoice\":\"in_1\",\"cents\":1200}}"
                .getBytes(StandardCharsets.UTF_8);
        String sig = WebhookSignature.sign(WebhookSecret.parse(SECRET), ID, TIMESTAMP, body);
        WebhookEvent<Paid> e = verifier(SECRET).verify(headers(ID, TIMESTAMP, sig), body, Paid.class);
        assertThat(e.type()).isEqualTo("invoice.paid");
        assertThat(e.data()).isEqualTo(new Paid("in_1", 1200));
        assertThat(e.occurredAt()).isEqualTo(Instant.parse("2021-02-25T15:02:10Z"));
        // valid signature, but not a Standard Webhooks payload
        String sig2 = WebhookSignature.sign(WebhookSecret.parse(SECRET), "msg_2", TIMESTAMP, PAYLOAD);
        assertRejected(() -> verifier(SECRET).verify(headers("msg_2", TIMESTAMP, sig2), PAYLOAD, Paid.class), Reason.MALFORMED_PAYLOAD);
    }

    static void assertRejected(Runnable verification, Reason reason) {
        assertThatThrownBy(verification::run)
                .isInstanceOfSatisfying(WebhookVerificationException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
