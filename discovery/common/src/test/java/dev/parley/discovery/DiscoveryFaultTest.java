package dev.parley.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ClientOptions;
import dev.parley.Parley;
import dev.parley.ParleyException;
import dev.parley.http.HttpTransport;
import dev.parley.resilience.BreakerPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults with every part real: an {@link EmbeddedRegistry}, service instances serving over
 * HTTP that announce themselves, and a client calling through a {@link DiscoveryTransport}.
 */
class DiscoveryFaultTest {

    private static final ContractVersion ECHO_V1 = new ContractVersion("echo", 1);
    private static final Duration AWAIT = Duration.ofSeconds(30);

    private EmbeddedRegistry registry;
    private int registryPort;
    private final List<Instance> instances = new ArrayList<>();
    private EmbeddedRegistryBackend clientBackend;
    private ServiceDirectory directory;
    private HttpTransport clientHttp;
    private Parley client;
    private Echo echo;

    /** A service instance: a server and its announcement through its own backend. */
    private final class Instance implements AutoCloseable {
        final EchoServer server;
        final EmbeddedRegistryBackend backend;
        final ServiceAnnouncer announcer;

        Instance(String id) {
            server = EchoServer.v1(id);
            backend = backend();
            announcer = ServiceAnnouncer.builder(backend, server.parley).contract(Echo.class).transport(server.http).announce();
        }

        /** Dies without deregistering: the lease lapses, the port refuses connections. */
        void crash() {
            ((EmbeddedRegistryBackend.LeaseKeeper) announcer.lease()).abandon();
            server.close();
        }

        @Override
        public void close() {
            announcer.close();
            backend.close();
            server.close();
        }
    }

    private EmbeddedRegistryBackend backend() {
        return EmbeddedRegistryBackend.builder("http://127.0.0.1:" + registryPort)
                .ttl(Duration.ofSeconds(1))
                .waitTime(Duration.ofSeconds(5))
                .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(300))
                .build();
    }

    @BeforeEach
    void start() {
        registry = EmbeddedRegistry.builder().port(0).start();
        registryPort = registry.port();
        for (String id : List.of("a", "b", "c")) {
            instances.add(new Instance(id));
        }
        clientBackend = backend();
        directory = ServiceDirectory.builder(clientBackend).ejection(EjectionPolicy.custom().baseEjection(Duration.ofMillis(500)).build()).build();
        clientHttp = HttpTransport.builder().connectTimeout(Duration.ofSeconds(1)).build();
        client = Parley.builder().service("caller").transport(DiscoveryTransport.builder(clientHttp, directory).build()).build();
        // The breaker is per contract version: with one instance dead out of three it must not open for all of them.
        echo = client.client(Echo.class, ClientOptions.custom().circuitBreaker(BreakerPolicy.disabled()).build());
        await("three instances resolved", () -> directory.instances(ECHO_V1).size() == 3);
    }

    @AfterEach
    void stop() {
        client.close();
        directory.close();
        clientBackend.close();
        clientHttp.close();
        for (Instance i : instances) {
            i.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private Set<String> servedBy(int calls) {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < calls; i++) {
            ids.add(echo.ask(new Echo.Ask("x")).instance());
        }
        return ids;
    }

    private static void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + AWAIT + ": " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Load from a few threads until stopped; counts successes and failures by kind. */
    private final class Load implements AutoCloseable {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger idempotentFailures = new AtomicInteger();
        final AtomicInteger onceFailures = new AtomicInteger();
        final AtomicInteger onceOk = new AtomicInteger();
        final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final CountDownLatch done;
        final List<Thread> threads = new ArrayList<>();
        final java.util.concurrent.atomic.AtomicIntegerArray finishedPerThread;

        Load(int threadCount) {
            done = new CountDownLatch(threadCount);
            finishedPerThread = new java.util.concurrent.atomic.AtomicIntegerArray(threadCount);
            for (int t = 0; t < threadCount; t++) {
                boolean idempotent = t % 2 == 0;
                int thread = t;
                threads.add(Thread.ofPlatform().name("load-" + t).start(() -> {
                    try {
                        while (running.get()) {
                            try {
                                if (idempotent) {
                                    echo.ask(new Echo.Ask("x"));
                                    ok.incrementAndGet();
                                } else {
                                    echo.once(new Echo.Ask("x"));
                                    onceOk.incrementAndGet();
                                }
                            } catch (ParleyException e) {
                                (idempotent ? idempotentFailures : onceFailures).incrementAndGet();
                                failures.add(e.toString());
                            }
                            finishedPerThread.incrementAndGet(thread);
                        }
                    } finally {
                        done.countDown();
                    }
                }));
            }
        }

        void awaitCalls(int count) {
            int target = ok.get() + onceOk.get() + count;
            await(count + " more calls", () -> ok.get() + onceOk.get() >= target);
        }

        /** Waits until every thread finished two more calls: none is still on a call picked before now. */
        void awaitEveryThreadMovedOn() {
            int[] before = new int[finishedPerThread.length()];
            for (int i = 0; i < before.length; i++) {
                before[i] = finishedPerThread.get(i);
            }
            await("every load thread made two more calls", () -> {
                for (int i = 0; i < before.length; i++) {
                    if (finishedPerThread.get(i) < before[i] + 2) {
                        return false;
                    }
                }
                return true;
            });
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            done.await();
        }
    }

    @Test
    void killingAnInstanceUnderLoadMovesCallersToTheOthersWithBoundedFailures() throws Exception {
        Instance b = instances.get(1);
        try (Load load = new Load(4)) {
            load.awaitCalls(200);
            b.crash();
            load.awaitCalls(300);
            await("the dead instance dropped when its lease lapsed", () -> directory.instances(ECHO_V1).size() == 2);
            load.awaitCalls(100);
        }
        assertThat(servedBy(30)).containsExactlyInAnyOrder("a", "c");
        // The refused connections of idempotent calls were retried on a live instance. A call that was in
        // flight on b when it died may fail; non-idempotent calls are not retried, so each thread loses at most
        // the calls it had on b before b was ejected (the ejection itself needs one failure).
        assertThat(instances.get(1).server.calls.get()).isPositive();
        assertThat(directory.ejectedInstances()).doesNotContain("a", "c");
    }

    @Test
    void failedCallsAfterAKillAreBoundedByTheRetryRules() throws Exception {
        Instance b = instances.get(1);
        Load load = new Load(4);
        load.awaitCalls(200);
        b.crash();
        load.awaitCalls(500);
        load.close();
        // 2 threads make idempotent calls (retried elsewhere), 2 make non-idempotent ones (not retried).
        // Each of them loses at most a call or two around the kill, never a stream of failures.
        assertThat(load.idempotentFailures.get()).as("idempotent failures: %s", load.failures).isLessThanOrEqualTo(2);
        assertThat(load.onceFailures.get()).as("non-idempotent failures: %s", load.failures).isLessThanOrEqualTo(4);
    }

    @Test
    void stoppingTheRegistryLeavesCallsOnTheLastKnownInstancesAndARestartRefillsIt() throws Exception {
        registry.close();
        await("the directory noticed the registry is gone", () -> !directory.reachable(ECHO_V1));
        assertThat(directory.instances(ECHO_V1)).hasSize(3);
        assertThat(servedBy(60)).containsExactlyInAnyOrder("a", "b", "c");

        registry = Registries.restartOn(registryPort);
        await("instances registered again", () -> registry.instances().size() == 3);
        await("the directory reaches the registry again", () -> directory.reachable(ECHO_V1) && directory.instances(ECHO_V1).size() == 3);
        assertThat(registry.instances().stream().map(ServiceInstance::id).collect(Collectors.toSet())).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void anAddedInstanceReceivesTrafficWithinABoundedTime() throws Exception {
        try (Load load = new Load(2)) {
            load.awaitCalls(50);
            long started = System.nanoTime();
            Instance d = new Instance("d");
            instances.add(d);
            await("the new instance serves calls", () -> d.server.calls.get() > 0);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(tookMillis).as("time until the new instance got traffic").isLessThan(AWAIT.toMillis());
        }
    }

    @Test
    void aNotReadyInstanceGetsNoNewTrafficAndGetsItBackWhenReady() {
        Instance c = instances.get(2);
        c.announcer.ready(false);
        await("c is not ready", () -> directory.instances(ECHO_V1).size() == 2);
        assertThat(directory.allInstances(ECHO_V1)).hasSize(3);
        int before = c.server.calls.get();

        assertThat(servedBy(60)).containsExactlyInAnyOrder("a", "b");
        assertThat(c.server.calls.get()).isEqualTo(before);

        c.announcer.ready(true);
        await("c is ready again", () -> directory.instances(ECHO_V1).size() == 3);
        await("c gets calls again", () -> servedBy(10).contains("c"));
    }

    @Test
    void aGracefulShutdownDeregistersBeforeTheServerStops() throws Exception {
        Instance a = instances.get(0);
        try (Load load = new Load(2)) {
            load.awaitCalls(50);
            a.announcer.close();
            await("a deregistered", () -> directory.allInstances(ECHO_V1).size() == 2);
            // The grace period a real shutdown waits: calls picked before the client saw the change finish first.
            load.awaitEveryThreadMovedOn();
            a.server.close();
            load.awaitCalls(100);
            assertThat(load.idempotentFailures.get() + load.onceFailures.get()).as("%s", load.failures).isZero();
        }
        assertThat(registry.instances()).extracting(ServiceInstance::id).containsExactlyInAnyOrder("b", "c");
    }
}
