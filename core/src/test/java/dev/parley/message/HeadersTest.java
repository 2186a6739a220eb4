package dev.parley.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeadersTest {

    // ---- valid use -----------------------------------------------------------------------------

    @Test
    void namesAndValuesByIndexFollowTheOrderAndRefuseIndexesOutside() {
        Headers h = Headers.builder().set("x-a", "1").set("x-b", "two").set("x-a", "3").build();

        assertThat(h.name(0)).isEqualTo("x-a");
        assertThat(h.value(0)).isEqualTo("3");
        assertThat(h.name(1)).isEqualTo("x-b");
        assertThat(h.value(1)).isEqualTo("two");
        assertThatThrownBy(() -> h.name(2)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("size: 2");
        assertThatThrownBy(() -> h.value(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Headers.empty().name(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Upper", "with space", "caf\u00e9", "tab\tname", "slash/name", "\u0000"})
    void namesOutsideTheAlphabetAreRefused(String name) {
        String decoded = name.translateEscapes();
        assertThatThrownBy(() -> Headers.builder().set(decoded, "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header name");
    }

    @Test
    void setThenGet() {
        Headers h = Headers.builder().set("x-a", "1").set("x-b", "two").build();

        assertThat(h.get("x-a")).contains("1");
        assertThat(h.get("x-b")).contains("two");
        assertThat(h.get("x-c")).isEmpty();
        assertThat(h.valueOrNull("x-c")).isNull();
        assertThat(h.contains("x-a")).isTrue();
        assertThat(h.contains("x-c")).isFalse();
        assertThat(h.size()).isEqualTo(2);
        assertThat(h.isEmpty()).isFalse();
    }

    @Test
    void emptyHeaders() {
        assertThat(Headers.empty().isEmpty()).isTrue();
        assertThat(Headers.empty().size()).isZero();
        assertThat(Headers.builder().build()).isEqualTo(Headers.empty());
        assertThat(Headers.empty().asMap()).isEmpty();
    }

    @Test
    void setReplacesInPlaceKeepingOrder() {
        Headers h = Headers.builder().set("x-a", "1").set("x-b", "2").set("x-a", "3").build();

        assertThat(h.size()).isEqualTo(2);
        assertThat(h.get("x-a")).contains("3");
        assertThat(h.asMap()).containsExactly(entry("x-a", "3"), entry("x-b", "2"));
    }

    @Test
    void removeDropsOnlyThatHeader() {
        Headers h = Headers.builder().set("x-a", "1").set("x-b", "2").set("x-c", "3").remove("x-b").remove("x-missing").build();

        assertThat(h.asMap()).containsExactly(entry("x-a", "1"), entry("x-c", "3"));
    }

    @Test
    void removeTheLastAndFirstHeaders() {
        Headers h = Headers.builder().set("x-a", "1").set("x-b", "2").remove("x-b").remove("x-a").build();

        assertThat(h.isEmpty()).isTrue();
    }

    @Test
    void toBuilderDerivesWithoutChangingTheOriginal() {
        Headers original = Headers.builder().set("x-a", "1").set("x-b", "2").build();

        Headers derived = original.toBuilder().set("x-a", "changed").set("x-c", "3").remove("x-b").build();

        assertThat(original.asMap()).containsExactly(entry("x-a", "1"), entry("x-b", "2"));
        assertThat(derived.asMap()).containsExactly(entry("x-a", "changed"), entry("x-c", "3"));
    }

    @Test
    void builderCanBeReusedAfterBuildWithoutAffectingBuiltHeaders() {
        Headers.Builder b = Headers.builder().set("x-a", "1");
        Headers first = b.build();
        b.set("x-a", "2").set("x-b", "3");

        assertThat(first.asMap()).containsExactly(entry("x-a", "1"));
        assertThat(b.build().asMap()).containsExactly(entry("x-a", "2"), entry("x-b", "3"));
    }

    @Test
    void ofMapKeepsIterationOrder() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("z-last", "1");
        map.put("a-first", "2");
        map.put("m-middle", "3");

        assertThat(Headers.of(map).asMap()).containsExactly(entry("z-last", "1"), entry("a-first", "2"), entry("m-middle", "3"));
    }

    @Test
    void forEachVisitsInOrder() {
        Headers h = Headers.builder().set("x-1", "a").set("x-2", "b").build();
        StringBuilder seen = new StringBuilder();

        h.forEach((k, v) -> seen.append(k).append('=').append(v).append(';'));

        assertThat(seen).hasToString("x-1=a;x-2=b;");
    }

    @Test
    void asMapIsReadOnly() {
        Headers h = Headers.builder().set("x-a", "1").build();

        assertThatThrownBy(() -> h.asMap().put("x-b", "2")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void equalsAndHashCodeFollowContent() {
        Headers a = Headers.builder().set("x-a", "1").set("x-b", "2").build();
        Headers b = Headers.builder().set("x-a", "1").set("x-b", "2").build();

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(Headers.builder().set("x-a", "1").set("x-b", "3").build());
    }

    @Test
    void growsBeyondTheInitialCapacity() {
        Headers.Builder b = Headers.builder();
        for (int i = 0; i < 40; i++) {
            b.set("x-" + i, "v" + i);
        }
        Headers h = b.build();

        assertThat(h.size()).isEqualTo(40);
        assertThat(h.get("x-39")).contains("v39");
        assertThat(h.get("x-0")).contains("v0");
    }

    @Test
    void standardHeaderNamesAreValidHeaderNames() {
        Headers h = Headers.builder()
                .set(StandardHeaders.MESSAGE_ID, "m")
                .set(StandardHeaders.CORRELATION_ID, "c")
                .set(StandardHeaders.REPLY_TO, "r")
                .set(StandardHeaders.CONTRACT, "trips")
                .set(StandardHeaders.CONTRACT_VERSION, "1.2")
                .set(StandardHeaders.OPERATION, "create")
                .set(StandardHeaders.DEADLINE, "250")
                .set(StandardHeaders.TRACEPARENT, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .set(StandardHeaders.TRACESTATE, "k=v")
                .set(StandardHeaders.AUTHORIZATION, "Bearer t")
                .set(StandardHeaders.CONTENT_TYPE, "application/json")
                .set(StandardHeaders.STATUS, StandardHeaders.STATUS_OK)
                .set(StandardHeaders.SOURCE, "dispatcher/7f3a")
                .build();

        assertThat(h.size()).isEqualTo(13);
    }

    @Test
    void valuesMayHoldPrintableTextSpacesTabsAndNonAscii() {
        Headers h = Headers.builder().set("x-a", "Bearer abc.def ghi\tjk \u00e9\u4e2d").set("x-empty", "").build();

        assertThat(h.get("x-a")).contains("Bearer abc.def ghi\tjk \u00e9\u4e2d");
        assertThat(h.get("x-empty")).contains("");
    }

    // ---- names ---------------------------------------------------------------------------------

    @Test
    void nameOfAllowedCharactersAndMaximumLengthIsAccepted() {
        String longest = "a".repeat(Headers.MAX_NAME_LENGTH);

        Headers h = Headers.builder().set("a-z_0.9", "v").set(longest, "w").build();

        assertThat(h.get(longest)).contains("w");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Content-Type", "X-A", "x a", "x\ra", "x\na", "x\r\ninjected: 1", "x:a", "x/a", "x\u00e9", "x\u0000", " x", "x\t"})
    void invalidNamesAreRejectedNamingTheHeader(String name) {
        assertThatThrownBy(() -> Headers.builder().set(name, "v"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header name")
                .hasMessageContaining(name);
    }

    @Test
    void emptyNameIsRejected() {
        assertThatThrownBy(() -> Headers.builder().set("", "v"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header name")
                .hasMessageContaining("1 to 128");
    }

    @Test
    void nameLongerThan128IsRejectedNamingIt() {
        String tooLong = "n".repeat(Headers.MAX_NAME_LENGTH + 1);

        assertThatThrownBy(() -> Headers.builder().set(tooLong, "v"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header name")
                .hasMessageContaining("nnnnnnnnnn")
                .hasMessageContaining("128");
    }

    @Test
    void invalidNameInAMapIsRejected() {
        assertThatThrownBy(() -> Headers.of(Map.of("Authorization", "Bearer x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Authorization");
    }

    // ---- values --------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"a\rb", "a\nb", "a\r\nset-cookie: x", "a\u0000b", "\u0000", "a\u0007b", "a\u001bb", "a\u007fb"})
    void valuesWithControlCharactersAreRejectedNamingTheHeader(String value) {
        assertThatThrownBy(() -> Headers.builder().set("x-evil", value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x-evil")
                .hasMessageContaining("control character");
    }

    @Test
    void valueOfEightKibIsAcceptedAndOneMoreCharacterIsNot() {
        String max = "v".repeat(Headers.MAX_VALUE_LENGTH);
        assertThat(Headers.builder().set("x-big", max).build().get("x-big")).contains(max);

        assertThatThrownBy(() -> Headers.builder().set("x-big", max + "v"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x-big")
                .hasMessageContaining("8192");
    }

    @Test
    void replacingWithAnInvalidValueIsRejectedAndKeepsTheOldValue() {
        Headers.Builder b = Headers.builder().set("x-a", "ok");

        assertThatThrownBy(() -> b.set("x-a", "bad\r\n")).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.build().get("x-a")).contains("ok");
    }

    // ---- count ---------------------------------------------------------------------------------

    @Test
    void sixtyFourHeadersAreAcceptedAndTheSixtyFifthIsNot() {
        Headers.Builder b = Headers.builder();
        for (int i = 0; i < Headers.MAX_HEADERS; i++) {
            b.set("h-" + i, "v");
        }
        assertThat(b.build().size()).isEqualTo(64);

        assertThatThrownBy(() -> b.set("h-64", "v"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64")
                .hasMessageContaining("h-64");
        // replacing an existing one at the limit is still allowed
        assertThat(b.set("h-0", "w").build().get("h-0")).contains("w");
    }

    @Test
    void toBuilderOfAFullSetStillEnforcesTheLimit() {
        Headers.Builder b = Headers.builder();
        for (int i = 0; i < Headers.MAX_HEADERS; i++) {
            b.set("h-" + i, "v");
        }
        Headers full = b.build();

        assertThatThrownBy(() -> full.toBuilder().set("one-more", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThat(full.toBuilder().remove("h-3").set("one-more", "v").build().size()).isEqualTo(64);
    }

    @Test
    void mapWithTooManyHeadersIsRejected() {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i <= Headers.MAX_HEADERS; i++) {
            map.put("h-" + i, "v");
        }

        assertThatThrownBy(() -> Headers.of(map)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- toString ------------------------------------------------------------------------------

    @Test
    void toStringRedactsAuthorization() {
        Headers h = Headers.builder()
                .set(StandardHeaders.OPERATION, "create")
                .set(StandardHeaders.AUTHORIZATION, "Bearer s3cr3t-t0ken")
                .build();

        assertThat(h.toString())
                .doesNotContain("s3cr3t-t0ken")
                .contains("authorization")
                .contains("parley-operation=create");
        assertThat(Envelope.of(h, new byte[3]).toString()).doesNotContain("s3cr3t-t0ken");
        assertThat(h.get(StandardHeaders.AUTHORIZATION)).contains("Bearer s3cr3t-t0ken");
    }
}
