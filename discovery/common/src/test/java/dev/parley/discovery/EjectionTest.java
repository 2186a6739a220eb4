package dev.parley.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.TransportException;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.testkit.ManualClock;
import dev.parley.transport.ClientChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Ejection and trial calls, with time from a {@link ManualClock}: no sleeping. */
class EjectionTest {

    private static final ContractVersion ECHO_V1 = new ContractVersion("echo", 1);
    private static final Envelope REQUEST = Envelope.withoutBody(Headers.empty());

    private final ManualClock clock = ManualClock.create();
    private final FakeAddressableTransport fake = new FakeAddressableTransport();

    private static ServiceInstance instance(String name) {
        return new ServiceInstance(name, "echo-service", Set.of(ECHO_V1), Map.of("fake", "fake://" + name), Map.of(), true);
    }

    private ServiceDirectory directory(EjectionPolicy policy, String... names) {
        return ServiceDirectory.builder(StaticBackend.of(java.util.Arrays.stream(names).map(EjectionTest::instance).toList()))
                .clock(clock).ejection(policy).build();
    }

    private ClientChannel channel(ServiceDirectory directory) {
        return DiscoveryTransport.builder(fake, directory).balancer(Balancer.roundRobin()).build().connect(Echo.class);
    }

    private void call(ClientChannel channel, int times) {
        for (int i = 0; i < times; i++) {
            channel.request(REQUEST).exceptionally(e -> null).join();
        }
    }

    private long callsTo(String name) {
        return fake.calls.stream().filter(("fake://" + name)::equals).count();
    }

    @Test
    void aRefusingInstanceIsEjectedThenProbedWithOneTrialCallAndBackOffGrows() {
        ServiceDirectory directory = directory(EjectionPolicy.custom().baseEjection(Duration.ofSeconds(1)).maxEjection(Duration.ofSeconds(3)).build(), "up", "down");
        ClientChannel channel = channel(directory);
        fake.behaviour.put("fake://down", FakeAddressableTransport.Behaviour.REFUSE);

        call(channel, 10);
        assertThat(callsTo("down")).isEqualTo(1);
        assertThat(directory.ejectedInstances()).containsExactly("down");

        clock.advance(Duration.ofMillis(999));
        call(channel, 10);
        assertThat(callsTo("down")).as("still ejected").isEqualTo(1);

        clock.advance(Duration.ofMillis(1));
        call(channel, 10);
        assertThat(callsTo("down")).as("exactly one trial call").isEqualTo(2);

        // The trial failed: ejected for 2 s now.
        clock.advance(Duration.ofMillis(1999));
        call(channel, 10);
        assertThat(callsTo("down")).isEqualTo(2);
        clock.advance(Duration.ofMillis(1));
        call(channel, 10);
        assertThat(callsTo("down")).isEqualTo(3);

        // And capped at the maximum, 3 s rather than 4 s.
        clock.advance(Duration.ofSeconds(3));
        fake.behaviour.put("fake://down", FakeAddressableTransport.Behaviour.ANSWER);
        call(channel, 10);
        assertThat(directory.ejectedInstances()).isEmpty();
        assertThat(callsTo("down")).isGreaterThanOrEqualTo(3 + 5);
    }

    @Test
    void onlyTheConfiguredNumberOfConsecutiveFailuresEjects() {
        ServiceDirectory directory = directory(EjectionPolicy.custom().failuresToEject(3).build(), "flaky");
        ClientChannel channel = channel(directory);
        fake.behaviour.put("fake://flaky", FakeAddressableTransport.Behaviour.REFUSE);
        call(channel, 2);
        fake.behaviour.put("fake://flaky", FakeAddressableTransport.Behaviour.ANSWER);
        call(channel, 1); // a success resets the count
        fake.behaviour.put("fake://flaky", FakeAddressableTransport.Behaviour.REFUSE);
        call(channel, 2);
        assertThat(directory.ejectedInstances()).isEmpty();
        call(channel, 1);
        assertThat(directory.ejectedInstances()).containsExactly("flaky");
    }

    @Test
    void aServerAnswering503IsEjectedButApplicationErrorsAreNot() {
        ServiceDirectory directory = directory(EjectionPolicy.ofDefaults(), "draining");
        ClientChannel channel = channel(directory);
        fake.behaviour.put("fake://draining", FakeAddressableTransport.Behaviour.ANSWER_UNAVAILABLE);
        call(channel, 1);
        assertThat(directory.ejectedInstances()).containsExactly("draining");

        ServiceDirectory other = directory(EjectionPolicy.ofDefaults(), "fine");
        ClientChannel answering = channel(other);
        call(answering, 5);
        assertThat(other.ejectedInstances()).isEmpty();
    }

    @Test
    void whenEveryInstanceIsEjectedTheCallFailsSayingWhenTheNextTrialIs() {
        ServiceDirectory directory = directory(EjectionPolicy.ofDefaults(), "down");
        ClientChannel channel = channel(directory);
        fake.behaviour.put("fake://down", FakeAddressableTransport.Behaviour.REFUSE);
        call(channel, 1);
        clock.advance(Duration.ofMillis(400));

        CompletableFuture<Envelope> f = channel.request(REQUEST);

        assertThat(f).isCompletedExceptionally();
        Throwable cause = f.handle((v, e) -> e instanceof CompletionException ? e.getCause() : e).join();
        assertThat(cause).isInstanceOf(TransportException.class)
                .hasMessageContaining("echo/v1").hasMessageContaining("all 1 ejected").hasMessageContaining("next trial in 600 ms");
    }

    @Test
    void aCancelledTrialCallLetsTheNextCallTryAgain() {
        ServiceDirectory directory = directory(EjectionPolicy.ofDefaults(), "down");
        ClientChannel channel = channel(directory);
        fake.behaviour.put("fake://down", FakeAddressableTransport.Behaviour.REFUSE);
        call(channel, 1);
        clock.advance(Duration.ofSeconds(1));
        fake.behaviour.put("fake://down", FakeAddressableTransport.Behaviour.HOLD);

        CompletableFuture<Envelope> trial = channel.request(REQUEST);
        assertThat(channel.request(REQUEST)).as("no second call while the trial runs").isCompletedExceptionally();
        trial.cancel(true);
        assertThat(fake.held.get(0)).as("cancellation reaches the transport").isCancelled();

        fake.behaviour.put("fake://down", FakeAddressableTransport.Behaviour.ANSWER);
        call(channel, 1);
        assertThat(directory.ejectedInstances()).isEmpty();
    }

    @Test
    void outstandingCallsAreCountedUntilTheyComplete() {
        ServiceDirectory directory = directory(EjectionPolicy.ofDefaults(), "slow", "fast");
        ClientChannel channel = DiscoveryTransport.builder(fake, directory).build().connect(Echo.class);
        fake.behaviour.put("fake://slow", FakeAddressableTransport.Behaviour.HOLD);
        // Least outstanding: once slow holds a call, every later call goes to fast while slow stays busy.
        for (int i = 0; i < 50; i++) {
            channel.request(REQUEST);
        }
        assertThat(callsTo("slow")).isEqualTo(1);
        assertThat(callsTo("fast")).isEqualTo(49);
        List<CompletableFuture<Envelope>> held = fake.held;
        held.forEach(f -> f.complete(FakeAddressableTransport.OK));
        assertThat(directory.resolution(ECHO_V1).snapshot.readyEndpoints).allSatisfy(e -> assertThat(e.outstanding.get()).isZero());
    }
}
