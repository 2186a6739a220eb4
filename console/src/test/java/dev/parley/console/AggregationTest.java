package dev.parley.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.CallEvent;
import dev.parley.CallListener;
import dev.parley.ErrorCode;
import dev.parley.contract.InteractionStyle;
import dev.parley.testkit.ManualClock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Rates, percentiles, error rates and their histories, on a manual clock. */
class AggregationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ManualClock clock = ManualClock.create();
    private final OperationsConsole console = OperationsConsole.builder().clock(clock).window(Duration.ofSeconds(10)).build();
    private final CallListener trips = console.listener("trips");

    private static CallEvent client(String operation, long millis, ErrorCode error) {
        return new CallEvent(CallEvent.Side.CLIENT, "pricing/v1", operation, InteractionStyle.REQUEST_RESPONSE,
                "in-process:pricing/v1", Optional.ofNullable(error), Duration.ofMillis(millis).toNanos(), 1, false);
    }

    private JsonNode snapshot() throws Exception {
        return JSON.readTree(console.snapshotJson());
    }

    private static JsonNode interaction(JsonNode snapshot, String operation) {
        for (JsonNode i : snapshot.get("interactions")) {
            if (i.get("operation").asText().equals(operation)) {
                return i;
            }
        }
        throw new AssertionError("no interaction " + operation + " in " + snapshot.get("interactions"));
    }

    @Test
    void ratesPercentilesAndErrorRateOverTheWindow() throws Exception {
        // 10 seconds, 10 calls each: 98 fast ones at 10 ms, 2 slow at 500 ms, 5 failures.
        int n = 0;
        for (int second = 0; second < 10; second++) {
            for (int i = 0; i < 10; i++, n++) {
                long millis = (n == 40 || n == 90) ? 500 : 10;
                trips.onCall(client("quote", millis, n % 20 == 3 ? ErrorCode.UNAVAILABLE : null));
            }
            clock.advance(Duration.ofSeconds(1));
        }
        JsonNode quote = interaction(snapshot(), "quote");
        // The window is seconds 1..10 (the current one, still empty, included): 90 calls in 9 s.
        assertThat(quote.get("calls").asLong()).isEqualTo(90);
        assertThat(quote.get("ratePerSecond").asDouble()).isCloseTo(10.0, within(0.01));
        assertThat(quote.get("errors").asLong()).isEqualTo(4);
        assertThat(quote.get("errorRate").asDouble()).isCloseTo(4 / 90.0, within(0.001));
        assertThat(quote.get("p50Millis").asDouble()).isBetween(10.0, 12.0);
        assertThat(quote.get("p99Millis").asDouble()).isBetween(500.0, 600.0);
        assertThat(quote.get("lastError").asText()).isEqualTo("UNAVAILABLE");
        assertThat(quote.get("totalCalls").asLong()).isEqualTo(100);
        JsonNode history = quote.get("rateHistory");
        assertThat(history).hasSize(60);
        assertThat(history.get(59).asInt()).isZero();
        assertThat(history.get(58).asInt()).isEqualTo(10);
        assertThat(history.get(49).asInt()).isEqualTo(10);
        assertThat(history.get(48).asInt()).isZero();
        assertThat(quote.get("p99History").get(53).asDouble()).isBetween(500.0, 600.0);   // second 4, with call 40
        assertThat(quote.get("p99History").get(54).asDouble()).isBetween(10.0, 12.0);

        JsonNode totals = snapshot().get("totals");
        assertThat(totals.get("callsPerSecond").asDouble()).isCloseTo(10.0, within(0.01));
        assertThat(totals.get("rateHistory").get(58).asInt()).isEqualTo(10);
    }

    @Test
    void callsLeaveTheWindowAndTheHistoryAsTimePasses() throws Exception {
        for (int i = 0; i < 30; i++) {
            trips.onCall(client("quote", 5, ErrorCode.INTERNAL));
        }
        clock.advance(Duration.ofSeconds(5));
        assertThat(interaction(snapshot(), "quote").get("calls").asLong()).isEqualTo(30);
        clock.advance(Duration.ofSeconds(6));
        JsonNode quote = interaction(snapshot(), "quote");
        assertThat(quote.get("calls").asLong()).isZero();
        assertThat(quote.get("ratePerSecond").asDouble()).isZero();
        assertThat(quote.get("errorRate").asDouble()).isZero();
        assertThat(quote.get("rateHistory").get(48).asInt()).isEqualTo(30);
        clock.advance(Duration.ofSeconds(60));
        quote = interaction(snapshot(), "quote");
        for (JsonNode v : quote.get("rateHistory")) {
            assertThat(v.asInt()).isZero();
        }
        assertThat(quote.get("totalCalls").asLong()).isEqualTo(30);
    }

    @Test
    void aNewInteractionIsRatedOverTheTimeSeenNotTheWholeWindow() throws Exception {
        clock.advance(Duration.ofMillis(300));
        for (int i = 0; i < 20; i++) {
            trips.onCall(client("quote", 1, null));
        }
        clock.advance(Duration.ofSeconds(2));
        // 20 calls seen over 2 seconds: 10/s, not 20 calls / 10 s.
        assertThat(interaction(snapshot(), "quote").get("ratePerSecond").asDouble()).isCloseTo(10.0, within(0.01));
    }

    @Test
    void handledCallsNameTheServiceItsInstancesAndContracts() throws Exception {
        CallListener pricing = console.listener("pricing");
        pricing.onCall(new CallEvent(CallEvent.Side.SERVER, "pricing/v1", "quote", InteractionStyle.REQUEST_RESPONSE,
                "pricing/a1", Optional.empty(), 1_000_000, 1, false));
        pricing.onCall(new CallEvent(CallEvent.Side.SERVER, "pricing/v1", "quote", InteractionStyle.REQUEST_RESPONSE,
                "pricing/b2", Optional.of(ErrorCode.INTERNAL), 1_000_000, 1, false));
        JsonNode snapshot = snapshot();
        JsonNode quote = interaction(snapshot, "quote");
        assertThat(quote.get("side").asText()).isEqualTo("SERVER");
        assertThat(quote.get("calls").asLong()).isEqualTo(2);
        assertThat(quote.get("errorRate").asDouble()).isEqualTo(0.5);
        JsonNode service = snapshot.get("services").get(0);
        assertThat(service.get("service").asText()).isEqualTo("pricing");
        assertThat(service.get("instances").findValuesAsText("instance")).containsExactly("pricing/a1", "pricing/b2");
        assertThat(service.get("contracts").findValuesAsText("address")).containsExactly("pricing/v1");
        assertThat(snapshot.get("totals").get("chartSide").asText()).isEqualTo("SERVER");
    }

    @Test
    void rejectionsAndFallbacksAreCounted() throws Exception {
        trips.onCall(new CallEvent(CallEvent.Side.CLIENT, "pricing/v1", "quote", InteractionStyle.REQUEST_RESPONSE,
                "in-process:pricing/v1", Optional.of(ErrorCode.UNAVAILABLE), 1000, 0, true));
        JsonNode quote = interaction(snapshot(), "quote");
        assertThat(quote.get("rejected").asLong()).isEqualTo(1);
        assertThat(quote.get("fallbacks").asLong()).isEqualTo(1);
    }

    @Test
    void latencyBucketsBoundTheErrorOfAPercentile() {
        for (long nanos : new long[] {1, 999, 1_001, 50_000, 7_000_000, 2_000_000_000L}) {
            double upper = InteractionWindow.upperBoundMillis(InteractionWindow.bucket(nanos));
            double actual = nanos / 1e6;
            assertThat(upper).isGreaterThanOrEqualTo(Math.min(actual, 0.001) - 1e-12);
            if (nanos > 1_000) {
                assertThat(upper).isLessThanOrEqualTo(actual * 1.2 + 1e-9);
            }
        }
        assertThat(InteractionWindow.bucket(Long.MAX_VALUE)).isEqualTo(InteractionWindow.LATENCY_BUCKETS - 1);
    }

    @Test
    void tooManyInteractionsAreCountedNotKept() throws Exception {
        for (int i = 0; i < OperationsConsole.MAX_INTERACTIONS + 5; i++) {
            trips.onCall(client("op" + i, 1, null));
        }
        JsonNode snapshot = snapshot();
        assertThat(snapshot.get("interactions")).hasSize(OperationsConsole.MAX_INTERACTIONS);
        assertThat(snapshot.get("console").get("droppedInteractions").asLong()).isEqualTo(5);
    }

    @Test
    void settingsAreValidatedWithClearMessages() {
        assertThatThrownBy(() -> OperationsConsole.builder().window(Duration.ofSeconds(61)))
                .hasMessage("window: PT1M1S (expected: whole seconds from PT1S to PT60S)");
        assertThatThrownBy(() -> OperationsConsole.builder().port(70000)).hasMessage("port: 70000 (expected: 0-65535)");
        assertThatThrownBy(() -> OperationsConsole.builder().maxEventClients(0)).hasMessage("maxEventClients: 0 (expected: 1-1000)");
        assertThatThrownBy(() -> OperationsConsole.builder().pushInterval(Duration.ofMillis(1)))
                .hasMessage("pushInterval: PT0.001S (expected: PT0.05S to PT1M)");
        assertThatThrownBy(() -> OperationsConsole.builder().allowedHost("evil.example/<x>"))
                .hasMessageStartingWith("allowedHost: 'evil.example/<x>' (expected: host or host:port");
        assertThatThrownBy(() -> console.listener(" ")).hasMessageStartingWith("service: ' ' (expected: 1-200 characters");
        assertThatThrownBy(console::uri).hasMessage("operations console not started (call start() first)");
    }

    @Test
    void sectionsRejectMalformedTablesAndCutOversizedOnes() {
        assertThatThrownBy(() -> ConsoleSection.builder("Webhooks").columns("endpoint", "state").row("only one"))
                .hasMessage("row 0: 1 cells (expected: 2, one per column [endpoint, state]) in section 'Webhooks'");
        assertThatThrownBy(() -> ConsoleGauge.of("depth", Double.NaN)).hasMessage("gauge value: NaN (expected: a finite number) for 'depth'");
        assertThatThrownBy(() -> ConsoleGauge.of("depth", 1, 0)).hasMessage("gauge max: 0.0 (expected: > 0) for 'depth'");
        ConsoleSection.Builder big = ConsoleSection.builder("Big").columns("a");
        for (int i = 0; i < ConsoleSection.MAX_ROWS + 7; i++) {
            big.row("x".repeat(10_000));
        }
        ConsoleSection section = big.build();
        assertThat(section.rows()).hasSize(ConsoleSection.MAX_ROWS);
        assertThat(section.rows().get(0).get(0)).hasSize(ConsoleSection.MAX_CELL).endsWith("…");
        assertThat(section.note()).contains("7 more rows not shown");
    }
}
