package dev.parley.messaging.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Parley;
import dev.parley.messaging.MessagingOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Events with equal keys are handled one after another, in publish order, although handlers run concurrently. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaOrderingTest {

    private static KafkaTestBroker broker;

    @BeforeAll
    static void broker() {
        broker = KafkaClients.requireBroker();
    }

    @Test
    void eventsWithTheSameKeyAreProcessedInPublishOrder() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        int keys = 6;
        int perKey = 150;
        Map<String, List<Integer>> order = new ConcurrentHashMap<>();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        List<String> overlaps = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> busy = new ConcurrentHashMap<>();

        try (KafkaTransport subscriberTransport = KafkaTransport.builder().bootstrapServers(broker.bootstrapServers())
                     .options(MessagingOptions.builder().prefetch(64).build()).build();
             Parley subscriber = Parley.builder().service("ordered").transport(subscriberTransport).build();
             KafkaTransport publisher = KafkaTransport.builder().bootstrapServers(broker.bootstrapServers()).build()) {
            subscriber.subscribe(Ticks.class, new Ticks() {
                @Override
                public void ticked(Tick tick) {
                    if (!tick.run().equals(run)) {
                        return;
                    }
                    if (busy.computeIfAbsent(tick.key(), k -> new AtomicInteger()).incrementAndGet() > 1) {
                        overlaps.add(tick.key() + "#" + tick.n());
                    }
                    int now = concurrent.incrementAndGet();
                    maxConcurrent.accumulateAndGet(now, Math::max);
                    try {
                        // Uneven handler times: without per-key ordering, later events would overtake.
                        Thread.sleep(ThreadLocalRandom.current().nextInt(0, 3));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    order.computeIfAbsent(tick.key(), k -> new CopyOnWriteArrayList<>()).add(tick.n());
                    concurrent.decrementAndGet();
                    busy.get(tick.key()).decrementAndGet();
                }
            }, "ordered-" + run);

            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int n = 0; n < perKey; n++) {
                for (int k = 0; k < keys; k++) {
                    sent.add(publisher.publish(Ticks.channel(), Ticks.event(run, n, "key-" + k)));
                }
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (order.values().stream().mapToInt(List::size).sum() < keys * perKey && System.nanoTime() - end < 0) {
                Thread.sleep(50);
            }
        }

        assertThat(order).hasSize(keys);
        List<Integer> expected = java.util.stream.IntStream.range(0, perKey).boxed().toList();
        for (int k = 0; k < keys; k++) {
            assertThat(order.get("key-" + k)).as("key-" + k + " in publish order").containsExactlyElementsOf(expected);
        }
        assertThat(overlaps).as("events of one key never overlapped").isEmpty();
        assertThat(maxConcurrent.get()).as("events of different keys ran concurrently").isGreaterThan(1);
    }
}
