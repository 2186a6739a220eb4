package dev.parley.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The directory's cache, readiness filter and listeners, over a hand-driven backend. */
class ServiceDirectoryTest {

    private static final ContractVersion TRIPS_V1 = new ContractVersion("trips", 1);
    private static final ContractVersion TRIPS_V2 = new ContractVersion("trips", 2);

    /** A backend the test drives: it hands out the listener and delivers what the test says. */
    static final class DrivenBackend implements DiscoveryBackend {
        final List<Listener> listeners = new ArrayList<>();
        final List<ContractVersion> watched = new ArrayList<>();
        int closedWatches;

        @Override
        public String name() {
            return "driven";
        }

        @Override
        public Lease register(ServiceInstance instance) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Watch watch(ContractVersion version, Listener listener) {
            watched.add(version);
            listeners.add(listener);
            return () -> closedWatches++;
        }

        @Override
        public void close() {
        }
    }

    private static ServiceInstance instance(String id, boolean ready, ContractVersion... versions) {
        return new ServiceInstance(id, "trips", Set.of(versions), Map.of("http", "http://127.0.0.1:1"), Map.of(), ready);
    }

    record Event(String kind, List<String> ids) {}

    private static ServiceDirectory.Listener recording(List<Event> events) {
        return new ServiceDirectory.Listener() {
            @Override
            public void changed(ContractVersion version, List<ServiceInstance> ready) {
                events.add(new Event("changed", ready.stream().map(ServiceInstance::id).toList()));
            }

            @Override
            public void unavailable(ContractVersion version, Throwable cause) {
                events.add(new Event("unavailable:" + cause.getMessage(), List.of()));
            }
        };
    }

    @Test
    void watchesEachVersionOnceOnFirstUse() {
        DrivenBackend backend = new DrivenBackend();
        ServiceDirectory directory = ServiceDirectory.create(backend);
        assertThat(backend.watched).isEmpty();

        assertThat(directory.instances(TRIPS_V1)).isEmpty();
        directory.instances(TRIPS_V1);
        directory.allInstances(TRIPS_V2);

        assertThat(backend.watched).containsExactly(TRIPS_V1, TRIPS_V2);
        directory.close();
        assertThat(backend.closedWatches).isEqualTo(2);
        assertThatThrownBy(() -> directory.instances(TRIPS_V1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void offersOnlyReadyInstancesButKnowsAll() {
        DrivenBackend backend = new DrivenBackend();
        ServiceDirectory directory = ServiceDirectory.create(backend);
        directory.instances(TRIPS_V1);
        backend.listeners.get(0).instances(List.of(instance("a", true, TRIPS_V1), instance("b", false, TRIPS_V1)));

        assertThat(directory.instances(TRIPS_V1)).extracting(ServiceInstance::id).containsExactly("a");
        assertThat(directory.allInstances(TRIPS_V1)).extracting(ServiceInstance::id).containsExactly("a", "b");
    }

    @Test
    void ignoresInstancesABackendReturnsForAVersionTheyDoNotServe() {
        DrivenBackend backend = new DrivenBackend();
        ServiceDirectory directory = ServiceDirectory.create(backend);
        directory.instances(TRIPS_V1);
        backend.listeners.get(0).instances(List.of(instance("a", true, TRIPS_V1), instance("only-v2", true, TRIPS_V2)));

        assertThat(directory.allInstances(TRIPS_V1)).extracting(ServiceInstance::id).containsExactly("a");
    }

    @Test
    void keepsTheLastKnownInstancesWhileTheRegistryIsUnreachable() {
        DrivenBackend backend = new DrivenBackend();
        ServiceDirectory directory = ServiceDirectory.create(backend);
        List<Event> events = new ArrayList<>();
        directory.listen(TRIPS_V1, recording(events));
        DiscoveryBackend.Listener watch = backend.listeners.get(0);
        watch.instances(List.of(instance("a", true, TRIPS_V1), instance("b", true, TRIPS_V1)));
        assertThat(directory.reachable(TRIPS_V1)).isTrue();

        watch.unavailable(new IOException("connection refused"));

        assertThat(directory.reachable(TRIPS_V1)).isFalse();
        assertThat(directory.instances(TRIPS_V1)).extracting(ServiceInstance::id).containsExactly("a", "b");

        watch.instances(List.of(instance("b", true, TRIPS_V1)));
        assertThat(directory.reachable(TRIPS_V1)).isTrue();
        assertThat(events).containsExactly(
                new Event("changed", List.of("a", "b")),
                new Event("unavailable:connection refused", List.of()),
                new Event("changed", List.of("b")));
    }

    @Test
    void aListenerAddedLaterGetsTheCurrentInstancesAtOnceAndCanStop() {
        DrivenBackend backend = new DrivenBackend();
        ServiceDirectory directory = ServiceDirectory.create(backend);
        directory.instances(TRIPS_V1);
        backend.listeners.get(0).instances(List.of(instance("a", true, TRIPS_V1)));
        List<Event> events = new ArrayList<>();

        var registration = directory.listen(TRIPS_V1, recording(events));
        assertThat(events).containsExactly(new Event("changed", List.of("a")));

        registration.close();
        backend.listeners.get(0).instances(List.of());
        assertThat(events).hasSize(1);
    }

    @Test
    void awaitInstancesWaitsForTheFirstAnswerOrFailsClearly() {
        DrivenBackend backend = new DrivenBackend();
        ServiceDirectory directory = ServiceDirectory.create(backend);
        assertThatThrownBy(() -> directory.awaitInstances(TRIPS_V1, Duration.ofMillis(50)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no answer from the driven backend for trips/v1 within PT0.05S");

        Thread.ofVirtual().start(() -> backend.listeners.get(0).instances(List.of(instance("a", true, TRIPS_V1))));
        assertThat(directory.awaitInstances(TRIPS_V1, Duration.ofSeconds(10))).extracting(ServiceInstance::id).containsExactly("a");
    }

    @Test
    void aRegistryUnreachableFromTheStartAnswersWithNoInstancesAndSaysWhy() {
        DrivenBackend backend = new DrivenBackend();
        ServiceDirectory directory = ServiceDirectory.create(backend);
        directory.instances(TRIPS_V1);
        backend.listeners.get(0).unavailable(new IOException("connection refused"));

        assertThat(directory.awaitInstances(TRIPS_V1, Duration.ofSeconds(1))).isEmpty();
        assertThat(directory.reachable(TRIPS_V1)).isFalse();
    }

    @Test
    void ejectionStateIsForgottenWhenAnInstanceLeaves() {
        DrivenBackend backend = new DrivenBackend();
        ServiceDirectory directory = ServiceDirectory.create(backend);
        directory.instances(TRIPS_V1);
        DiscoveryBackend.Listener watch = backend.listeners.get(0);
        watch.instances(List.of(instance("a", true, TRIPS_V1)));
        Endpoint a = directory.resolution(TRIPS_V1).snapshot.readyEndpoints[0];
        a.failed(Endpoint.ACQUIRED, directory.clock(), directory.ejection());
        assertThat(directory.ejectedInstances()).containsExactly("a");

        watch.instances(List.of());
        assertThat(directory.ejectedInstances()).isEmpty();
    }
}
