package dev.parley.messaging.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.IdempotencyStore;
import dev.parley.Parley;
import dev.parley.messaging.MessagingOptions;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker is killed (SIGKILL) and started again while 100,000 events stream through: every
 * event whose publish was acknowledged is processed, duplicates are counted and reported.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaBrokerRestartTest {

    private static final int EVENTS = 100_000;
    private static final int IN_FLIGHT = 2_000;
    private static KafkaTestBroker broker;

    @BeforeAll
    static void broker() {
        broker = KafkaClients.requireBroker();
    }

    @Test
    void everyAcknowledgedEventIsProcessedAcrossABrokerRestart() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        AtomicIntegerArray processed = new AtomicIntegerArray(EVENTS);
        AtomicInteger distinctProcessed = new AtomicInteger();
        AtomicIntegerArray acked = new AtomicIntegerArray(EVENTS);
        AtomicInteger ackedCount = new AtomicInteger();
        AtomicLong failedPublishes = new AtomicLong();
        ConcurrentLinkedQueue<Integer> republish = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(130);
        long[] restart = new long[2];

        MessagingOptions options = MessagingOptions.builder().publishTimeout(Duration.ofSeconds(5)).build();
        try (KafkaTransport subscriberTransport = KafkaTransport.builder().bootstrapServers(broker.bootstrapServers()).options(options).build();
             Parley subscriber = Parley.builder().service("stream").transport(subscriberTransport)
                     .idempotency(IdempotencyStore.inMemory(Duration.ofMinutes(10), 4 * EVENTS)).build();
             KafkaTransport publisher = KafkaTransport.builder().bootstrapServers(broker.bootstrapServers()).options(options).build()) {
            subscriber.subscribe(Ticks.class, new Ticks() {
                @Override
                public void ticked(Tick tick) {
                    if (tick.run().equals(run) && processed.getAndIncrement(tick.n()) == 0) {
                        distinctProcessed.incrementAndGet();
                    }
                }
            }, "stream-" + run);

            Thread restarter = Thread.ofPlatform().name("restarter").start(() -> {
                while (ackedCount.get() < EVENTS / 3 && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                restart[0] = System.nanoTime();
                broker.restart();
                restart[1] = System.nanoTime();
            });

            Semaphore window = new Semaphore(IN_FLIGHT);
            int next = 0;
            while (ackedCount.get() < EVENTS && System.nanoTime() < deadline) {
                Integer again = republish.poll();
                int n;
                if (again != null) {
                    n = again;
                } else if (next < EVENTS) {
                    n = next++;
                } else {
                    Thread.sleep(5);
                    continue;
                }
                if (!window.tryAcquire(10, TimeUnit.SECONDS)) {
                    continue;
                }
                publisher.publish(Ticks.channel(), Ticks.event(run, n, null)).whenComplete((v, e) -> {
                    window.release();
                    if (e == null) {
                        if (acked.compareAndSet(n, 0, 1)) {
                            ackedCount.incrementAndGet();
                        }
                    } else {
                        failedPublishes.incrementAndGet();
                        republish.add(n); // publish it again, with the same message id, until acknowledged
                    }
                });
            }
            long published = System.nanoTime();
            restarter.join(TimeUnit.SECONDS.toMillis(60));

            while (distinctProcessed.get() < ackedCount.get() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            long done = System.nanoTime();

            int duplicates = 0;
            int missing = 0;
            for (int n = 0; n < EVENTS; n++) {
                duplicates += Math.max(0, processed.get(n) - 1);
                if (acked.get(n) == 1 && processed.get(n) == 0) {
                    missing++;
                }
            }
            System.out.printf("broker restart under load: %d events acknowledged (%d publish attempts failed and were repeated), "
                            + "all published in %.1f s, all processed in %.1f s; broker down and back in %.1f s; "
                            + "processed twice by the handler: %d; duplicates dropped by the idempotency store: %d; missing: %d%n",
                    ackedCount.get(), failedPublishes.get(), (published - start) / 1e9, (done - start) / 1e9,
                    (restart[1] - restart[0]) / 1e9, duplicates, subscriber.idempotency().duplicates(), missing);

            assertThat(restart[1]).as("the broker was restarted during the stream").isPositive();
            assertThat(ackedCount.get()).as("every event was acknowledged in the end").isEqualTo(EVENTS);
            assertThat(missing).as("acknowledged events never processed").isZero();
        }
    }
}
