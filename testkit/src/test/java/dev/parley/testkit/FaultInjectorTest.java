package dev.parley.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ErrorCode;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.Fault;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FaultInjectorTest {

    private static Envelope call(String operation) {
        return Envelope.withoutBody(Headers.builder().set(StandardHeaders.OPERATION, operation).build());
    }

    @Test
    void rulesMatchByAddressAndOperationAndRunOutAfterTheirCount() {
        FaultInjector faults = FaultInjector.create()
                .on("trips/v1", "create").times(2).disconnect()
                .on("trips/v1").always().latency(Duration.ofSeconds(1));

        assertThat(faults.decide("trips/v1", call("create"))).isEqualTo(Fault.disconnect());
        assertThat(faults.decide("trips/v1", call("create"))).isEqualTo(Fault.disconnect());
        assertThat(faults.decide("trips/v1", call("create"))).isEqualTo(Fault.latency(Duration.ofSeconds(1)));
        assertThat(faults.decide("trips/v1", call("get"))).isEqualTo(Fault.latency(Duration.ofSeconds(1)));
        assertThat(faults.decide("pricing/v1", call("quote"))).isEqualTo(Fault.NONE);
        assertThat(faults.injectedCount()).isEqualTo(4);
    }

    @Test
    void clearHeals() {
        FaultInjector faults = FaultInjector.create().on("trips/v1").always().error(ErrorCode.INTERNAL, "boom");
        assertThat(faults.decide("trips/v1", call("get"))).isEqualTo(Fault.error(ErrorCode.INTERNAL, "boom"));

        faults.clear();

        assertThat(faults.decide("trips/v1", call("get"))).isEqualTo(Fault.NONE);
    }
}
