package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.CallContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Checks that every benchmarked configuration works and has its deadline, bulkhead and breaker; nothing here is timed. */
class PipelineTest {

    @ParameterizedTest
    @EnumSource(Pipeline.Config.class)
    void callsGoThroughTheFullPipeline(Pipeline.Config config) {
        AtomicReference<Duration> remaining = new AtomicReference<>();
        Echo probe = request -> {
            remaining.set(CallContext.current().orElseThrow().remaining());
            return new Echo.Pong(request.id(), request.seq() + 1);
        };
        try (Pipeline p = Pipeline.open(config, probe)) {
            Echo.Pong pong = p.client().ping(new Echo.Ping("a", 41));
            assertThat(pong).isEqualTo(new Echo.Pong("a", 42));
            assertThat(remaining.get()).as("deadline seen by the handler").isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10));
            assertThat(p.breaker().getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(2); // open()'s check + this call
            assertThat(p.bulkhead().getMetrics().getAvailableConcurrentCalls())
                    .isEqualTo(p.bulkhead().getBulkheadConfig().getMaxConcurrentCalls());
        }
    }

    @Test
    void benchmarkStateSetsUpAndTearsDown() throws Exception {
        PipelineBenchmark b = new PipelineBenchmark();
        b.setUp();
        try {
            assertThat(b.direct()).isEqualTo(new Echo.Pong("order-4711", 43));
            assertThat(b.parleyDefault()).isEqualTo(b.direct());
            assertThat(b.parleyDirectByReference()).isEqualTo(b.direct());
            assertThat(b.parleyDirectJson()).isEqualTo(b.direct());
            assertThat(b.virtualThreadHandoff()).isEqualTo(b.direct());
        } finally {
            b.tearDown();
        }
    }
}
