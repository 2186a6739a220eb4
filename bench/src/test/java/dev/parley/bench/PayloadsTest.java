package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.codec.Codec;
import dev.parley.codec.TypedCodec;
import org.junit.jupiter.api.Test;

/** Checks the codec benchmark's fixtures (sizes and round trips); nothing here is timed. */
class PayloadsTest {

    @Test
    void smallRecordHasEightFields() {
        assertThat(Payloads.Quote.class.getRecordComponents()).hasSize(8);
    }

    @Test
    void largeRecordIsAboutFourKibibytesOfJson() {
        int json = Payloads.encodedSize("json", "4k");
        assertThat(json).as("JSON size of the 4k manifest").isBetween(3584, 4608);
        assertThat(Payloads.encodedSize("cbor", "4k")).isLessThan(json);
    }

    @Test
    void smallRecordIsSmall() {
        assertThat(Payloads.encodedSize("json", "small")).isBetween(100, 300);
        assertThat(Payloads.encodedSize("cbor", "small")).isLessThan(Payloads.encodedSize("json", "small"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPayloadSurvivesEveryCodec() {
        for (String codec : new String[] {"json", "cbor"}) {
            for (String size : new String[] {"small", "4k"}) {
                Object message = Payloads.bySize(size);
                TypedCodec<Object> typed = (TypedCodec<Object>) Payloads.codec(codec).forType(Payloads.typeOf(size));
                assertThat(typed.decode(typed.encode(message))).as(codec + " " + size).isEqualTo(message);
            }
        }
        assertThat(Payloads.codec("json")).isSameAs(Codec.json());
        assertThat(Payloads.codec("cbor")).isSameAs(Codec.cbor());
    }
}
