package dev.parley.examples.taxi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.CallEvent;
import dev.parley.ErrorCode;
import dev.parley.contract.InteractionStyle;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Runs the showcase's whole trip flow and checks each step happened in the intended style. */
class TaxiShowcaseTest {

    @Test
    void theTripFlowUsesEveryInteractionStyleAndSurvivesThePricingOutage() throws Exception {
        List<CallEvent> calls;
        List<String> lines;
        try (TaxiShowcase showcase = new TaxiShowcase(line -> { })) {
            showcase.start();
            showcase.hailTrips();
            showcase.pricingOutage();
            calls = showcase.calls();
            lines = showcase.lines();
        }

        assertThat(styleOf(calls, "trips/v1", "requestPickup")).isEqualTo(InteractionStyle.ONE_WAY);
        assertThat(styleOf(calls, "passengers/v1", "verify")).isEqualTo(InteractionStyle.REQUEST_RESPONSE);
        assertThat(styleOf(calls, "pricing/v1", "quote")).isEqualTo(InteractionStyle.REQUEST_RESPONSE);
        assertThat(styleOf(calls, "payments/v1", "authorize")).isEqualTo(InteractionStyle.REQUEST_ASYNC_RESPONSE);
        assertThat(styleOf(calls, "trip-events/v1", "TripCreated")).isEqualTo(InteractionStyle.PUBLISH_SUBSCRIBE);
        assertThat(styleOf(calls, "trip-events/v1", "DriverProposed")).isEqualTo(InteractionStyle.PUBLISH_SUBSCRIBE);
        assertThat(styleOf(calls, "drivers/v1", "offer")).isEqualTo(InteractionStyle.PUBLISH_ASYNC_RESPONSES);

        // Act 1: the nearest on-duty driver wins, the off-duty one refuses, the banned passenger gets no trip.
        assertThat(lines).contains("dispatcher: trip-1 got 2 offer(s), 1 refusal(s), 0 silent, ended by ALL_ANSWERED");
        assertThat(lines).contains("notification: trip-1: driver driver-42 arrives in 90 s");
        assertThat(lines).anyMatch(l -> l.startsWith("trip-management: payment for trip-1 approved"));
        assertThat(lines).anyMatch(l -> l.contains("banned-bob may not ride"));

        // Act 2: every quote during the outage was answered by the fallback. With trip-1's success in the window,
        // 4 failures in 5 calls (80% >= 50%) open the breaker, so the last quotes never reach the transport.
        List<CallEvent> outageQuotes = calls.stream()
                .filter(c -> c.operation().equals("quote") && c.fallbackUsed()).toList();
        assertThat(outageQuotes).hasSize(6);
        assertThat(outageQuotes.subList(0, 5)).allSatisfy(c -> assertThat(c.error()).contains(ErrorCode.UNAVAILABLE));
        assertThat(outageQuotes.get(5).attempts()).as("rejected by the open breaker").isZero();
        assertThat(lines).contains("   circuit breaker in-process:pricing/v1 is OPEN");
        assertThat(lines).anyMatch(l -> l.contains("fare 1500 cents (flat-rate fallback)"));
        assertThat(lines).anyMatch(l -> l.startsWith("notification: trip-7:"));
    }

    private static InteractionStyle styleOf(List<CallEvent> calls, String contract, String operation) {
        Optional<CallEvent> call = calls.stream()
                .filter(c -> c.contract().equals(contract) && c.operation().equals(operation)).findFirst();
        assertThat(call).as("a call to %s %s", contract, operation).isPresent();
        return call.get().style();
    }
}
