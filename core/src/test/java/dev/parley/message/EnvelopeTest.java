package dev.parley.message;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EnvelopeTest {

    private static final Headers HEADERS = Headers.builder().set(StandardHeaders.OPERATION, "create").build();

    @Test
    void encodedEnvelopeCarriesHeadersAndBody() {
        byte[] body = {1, 2, 3};

        Envelope e = Envelope.of(HEADERS, body);

        assertThat(e.headers()).isEqualTo(HEADERS);
        assertThat(e.body()).containsExactly(1, 2, 3);
        assertThat(e.isLocal()).isFalse();
        assertThat(e.localMessage()).isEmpty();
        assertThat(e.toString()).contains("3 bytes");
    }

    @Test
    void envelopeWithoutBodyHasAnEmptyBody() {
        Envelope e = Envelope.withoutBody(HEADERS);

        assertThat(e.body()).isEmpty();
        assertThat(e.isLocal()).isFalse();
    }

    @Test
    void localEnvelopeCarriesTheObjectAndNoBytes() {
        record Msg(String id) {}
        Msg msg = new Msg("m");

        Envelope e = Envelope.local(HEADERS, msg);

        assertThat(e.isLocal()).isTrue();
        assertThat(e.localMessage()).containsSame(msg);
        assertThat(e.body()).isEmpty();
        assertThat(e.toString()).contains("local Msg");
    }

    @Test
    void localEnvelopeWithoutMessageIsNotLocal() {
        Envelope e = Envelope.local(HEADERS, null);

        assertThat(e.isLocal()).isFalse();
        assertThat(e.localMessage()).isEmpty();
    }

    @Test
    void withHeadersKeepsTheBodyAndReplacesHeaders() {
        byte[] body = {9};
        Envelope e = Envelope.of(HEADERS, body);
        Headers other = HEADERS.toBuilder().set(StandardHeaders.STATUS, "ok").build();

        Envelope changed = e.withHeaders(other);

        assertThat(changed.headers()).isEqualTo(other);
        assertThat(changed.body()).isSameAs(body);
        assertThat(e.headers()).isEqualTo(HEADERS);
    }
}
