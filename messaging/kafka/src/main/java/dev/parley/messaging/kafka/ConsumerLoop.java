package dev.parley.messaging.kafka;

import dev.parley.ErrorCode;
import dev.parley.TransportException;
import dev.parley.message.Envelope;
import dev.parley.messaging.ChannelNames;
import dev.parley.messaging.Disposition;
import dev.parley.messaging.Inbound;
import dev.parley.messaging.MessagingHeaders;
import dev.parley.messaging.RawMessage;
import dev.parley.messaging.Subscription;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription's Kafka consumer and the thread that polls it. The consumer is not
 * thread-safe, so everything that touches it, and all the bookkeeping below, happens on the
 * poll thread; handlers settle their deliveries from any thread through a queue the poll
 * thread drains.
 *
 * <pre>
 *  poll ──▶ buffer (per partition) ──dispatch──▶ inbound.accept ──▶ handler thread
 *                ▲   at most prefetch unsettled;                       │ ack / retry / deadLetter
 *                │   a record waits while an earlier one               ▼
 *                │   with its key is unsettled               settlements queue
 *    pause when full                                                   │
 *                                  window (per partition, offset order) ◀┘
 *                                  commit = offset of the first unsettled record
 * </pre>
 *
 * <p>A retried record stays unsettled (its key blocked, the commit held before it) and is
 * handed over again from memory after its delay; its attempt count lives in memory, so after a
 * rebalance or crash the next owner starts counting at 1 again.
 */
final class ConsumerLoop implements ConsumerRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final long IDLE_POLL_MILLIS = 100;
    private static final long COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long a partition being taken away waits for its records in handlers to settle, to spare the next owner duplicates. */
    private static final long REVOKE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Duration DEAD_LETTER_RETRY = Duration.ofSeconds(1);
    /** A partition moving to another member: worth waiting for, every record not committed is delivered twice. */
    private static final Duration REVOKE_COMMIT_TIMEOUT = Duration.ofSeconds(10);
    /** Closing: don't hold up a shutdown for a broker that is not there. */
    private static final Duration CLOSE_COMMIT_TIMEOUT = Duration.ofSeconds(3);

    private enum Kind { ACK, RETRY }

    private record Settlement(Delivery delivery, Kind kind, Duration delay) {}

    private final KafkaTransport transport;
    private final Subscription subscription;
    private final Inbound inbound;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String deadLetterTopic;
    private final boolean commits;
    private final int prefetch;
    private final int bufferLimit;
    private final int windowLimit;
    private final Thread thread;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final Queue<Settlement> settlements = new ConcurrentLinkedQueue<>();
    private volatile boolean closing;
    /** True while the poll thread sits in poll() with work that a settlement could unblock. */
    private volatile boolean wakeable;
    private volatile @Nullable Throwable lastError;

    // ---- poll thread only
    private final Map<TopicPartition, PartitionState> owned = new LinkedHashMap<>();
    private final PriorityQueue<Delivery> retries = new PriorityQueue<>(Comparator.comparingLong((Delivery d) -> d.dueNanos));
    private int inFlight;
    private long lastCommitNanos;

    ConsumerLoop(KafkaTransport transport, Subscription subscription, Inbound inbound, Map<String, Object> config) {
        this.transport = transport;
        this.subscription = subscription;
        this.inbound = inbound;
        this.deadLetterTopic = ChannelNames.deadLetter(subscription.channel(), subscription.group());
        this.commits = subscription.durable();
        this.prefetch = transport.options().prefetch();
        this.bufferLimit = (Integer) config.get(org.apache.kafka.clients.consumer.ConsumerConfig.MAX_POLL_RECORDS_CONFIG);
        this.windowLimit = Math.max(10_000, 4 * prefetch);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().daemon().name("parley-kafka-" + KafkaTransport.groupId(subscription)).unstarted(this::run);
    }

    /** Starts polling and returns once the group gave this consumer its partitions (possibly none). */
    void start(Duration timeout) {
        thread.start();
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("kafka: interrupted while joining group " + KafkaTransport.groupId(subscription), e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : lastError;
            throw new TransportException(ErrorCode.UNAVAILABLE, "kafka at " + transport.bootstrapServers() + ": consumer group "
                    + KafkaTransport.groupId(subscription) + " assigned no partitions of " + subscription.channel() + " within "
                    + timeout.toMillis() + " ms" + (cause == null ? "" : ": " + cause), cause);
        }
    }

    /** Stops polling; settled records are committed, unsettled ones go to the group's next owner. */
    void close() {
        closing = true;
        consumer.wakeup();
        if (Thread.currentThread() != thread && thread.isAlive()) {
            try {
                stopped.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.warn("consumer of {} did not stop within 30 s", KafkaTransport.groupId(subscription));
            }
        }
    }

    // ---- the poll thread -------------------------------------------------------------------------

    private void run() {
        try {
            if (subscription.durable()) {
                consumer.subscribe(List.of(subscription.channel()), this);
            } else if (ChannelNames.isReplies(subscription.channel())) {
                // This transport's own reply topic, created a moment ago with one partition: read it
                // from the start, without waiting for metadata, so the first request goes out sooner.
                TopicPartition only = new TopicPartition(subscription.channel(), 0);
                consumer.assign(List.of(only));
                consumer.seek(only, 0);
                owned.put(only, new PartitionState(only));
                ready.complete(null);
            } else {
                List<TopicPartition> all = consumer.partitionsFor(subscription.channel(), Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(all);
                onPartitionsAssigned(all);
            }
            while (!closing) {
                try {
                    step();
                } catch (WakeupException e) {
                    // close(), or a settlement: look again.
                } catch (RuntimeException e) {
                    if (closing) {
                        break;
                    }
                    lastError = e;
                    log.warn("consumer of {} failed; polling again in 1 s: {}", KafkaTransport.groupId(subscription), e.toString());
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                }
            }
        } catch (RuntimeException | Error e) {
            log.error("consumer of {} stopped", KafkaTransport.groupId(subscription), e);
            ready.completeExceptionally(e);
        } finally {
            try {
                drainSettlements();
                commitSync(owned.keySet(), CLOSE_COMMIT_TIMEOUT);
                owned.values().forEach(p -> p.revoked = true);
                owned.clear();
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                log.warn("closing the consumer of {} failed: {}", KafkaTransport.groupId(subscription), e.toString());
            }
            ready.completeExceptionally(new IllegalStateException("consumer closed"));
            stopped.complete(null);
        }
    }

    private void step() {
        drainSettlements();
        dispatch();
        commitAsync();
        updatePauses();
        long timeout = IDLE_POLL_MILLIS;
        Delivery nextRetry = retries.peek();
        if (nextRetry != null) {
            timeout = Math.max(0, Math.min(timeout, TimeUnit.NANOSECONDS.toMillis(nextRetry.dueNanos - System.nanoTime()) + 1));
        }
        wakeable = waiting();
        // Checked after setting wakeable: a settlement queued in between is not missed.
        if (!settlements.isEmpty() || closing) {
            timeout = 0;
        }
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(Duration.ofMillis(timeout));
        } finally {
            wakeable = false;
        }
        for (TopicPartition tp : records.partitions()) {
            PartitionState p = owned.get(tp);
            if (p != null) {
                p.buffer.addAll(records.records(tp));
            }
        }
    }

    /** Whether records wait for capacity or for their key, so that a settlement should interrupt poll(). */
    private boolean waiting() {
        if (!retries.isEmpty()) {
            return true;
        }
        for (PartitionState p : owned.values()) {
            if (!p.buffer.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private void dispatch() {
        long now = System.nanoTime();
        while (inFlight < prefetch && !retries.isEmpty() && retries.peek().dueNanos - now <= 0) {
            Delivery d = retries.poll();
            if (!d.owner.revoked) {
                d.attempt++;
                hand(d);
            }
        }
        boolean progress = true;
        while (inFlight < prefetch && progress) {
            progress = false;
            for (PartitionState p : owned.values()) {
                if (inFlight >= prefetch) {
                    break;
                }
                ConsumerRecord<byte[], byte[]> next = p.nextDispatchable();
                if (next != null) {
                    Delivery d = new Delivery(p, next);
                    p.window.addLast(d);
                    if (d.key != null) {
                        p.busyKeys.add(d.key);
                    }
                    hand(d);
                    progress = true;
                }
            }
        }
    }

    private void hand(Delivery d) {
        inFlight++;
        d.owner.inFlight++;
        RawMessage raw = new RawMessage(d.headers, d.body, d.attempt);
        KafkaDisposition disposition = new KafkaDisposition(d, raw);
        // Replies too: BrokerTransport completes the caller's future on a thread of its own, never this poll thread.
        accept(d, raw, disposition);
    }

    private void accept(Delivery d, RawMessage raw, KafkaDisposition disposition) {
        try {
            inbound.accept(raw, disposition);
        } catch (RuntimeException e) {
            log.error("processing record {} of {} failed", d.where(), KafkaTransport.groupId(subscription), e);
            disposition.retry(transport.options().backoff(d.attempt), "INTERNAL: " + e);
        }
    }

    private void settle(Settlement s) {
        settlements.add(s);
        if (wakeable) {
            consumer.wakeup();
        }
    }

    private void drainSettlements() {
        Settlement s;
        while ((s = settlements.poll()) != null) {
            Delivery d = s.delivery();
            PartitionState p = d.owner;
            if (p.revoked) {
                continue; // the partition went to another consumer, which delivers the record again
            }
            inFlight--;
            p.inFlight--;
            if (s.kind() == Kind.RETRY) {
                d.dueNanos = System.nanoTime() + s.delay().toNanos();
                retries.add(d);
                continue;
            }
            d.done = true;
            d.body = null;
            if (d.key != null) {
                p.busyKeys.remove(d.key);
            }
            while (!p.window.isEmpty() && p.window.peekFirst().done) {
                p.committable = p.window.pollFirst().offset + 1;
            }
        }
    }

    private void updatePauses() {
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        for (PartitionState p : owned.values()) {
            boolean full = p.buffer.size() >= bufferLimit || p.window.size() >= windowLimit;
            if (full != p.paused) {
                (full ? pause : resume).add(p.tp);
                p.paused = full;
            }
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    private void commitAsync() {
        if (!commits || System.nanoTime() - lastCommitNanos < COMMIT_INTERVAL_NANOS) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionState p : owned.values()) {
            if (p.committable > p.committed) {
                offsets.put(p.tp, new OffsetAndMetadata(p.committable));
                p.committed = p.committable;
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        lastCommitNanos = System.nanoTime();
        consumer.commitAsync(offsets, (done, error) -> {
            if (error != null) {
                log.debug("commit of {} for {} failed (retried with the next one): {}", done, KafkaTransport.groupId(subscription),
                        error.toString());
                // Runs on the poll thread, inside poll(): make the next commit send these partitions again.
                for (TopicPartition tp : offsets.keySet()) {
                    PartitionState p = owned.get(tp);
                    if (p != null && p.committed == offsets.get(tp).offset()) {
                        p.committed = -1;
                    }
                }
            }
        });
    }

    private void commitSync(Collection<TopicPartition> partitions, Duration timeout) {
        if (!commits) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            PartitionState p = owned.get(tp);
            if (p != null && p.committable >= 0) {
                offsets.put(tp, new OffsetAndMetadata(p.committable));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            despiteWakeups(() -> {
                consumer.commitSync(offsets, timeout);
                return null;
            });
        } catch (RuntimeException e) {
            log.warn("commit of {} for {} failed; those records will be delivered again: {}", offsets,
                    KafkaTransport.groupId(subscription), e.toString());
        }
    }

    /** Runs a blocking consumer call that a settlement's wakeup() may interrupt (it is meant for poll()). */
    private static <T> T despiteWakeups(Supplier<T> call) {
        for (int i = 0; ; i++) {
            try {
                return call.get();
            } catch (WakeupException e) {
                if (i == 10) {
                    throw e;
                }
            }
        }
    }

    // ---- rebalancing (called on the poll thread, inside poll()) ----------------------------------

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            owned.put(tp, new PartitionState(tp));
        }
        for (TopicPartition tp : partitions) {
            try {
                // Resolve the start position now: with auto.offset.reset=latest a record sent after
                // consume() returned must not be skipped by a lazy reset.
                long position = despiteWakeups(() -> consumer.position(tp, Duration.ofSeconds(30)));
                log.debug("{} starts {} at offset {}", KafkaTransport.groupId(subscription), tp, position);
            } catch (RuntimeException e) {
                log.warn("{}: cannot resolve the position of {}: {}", KafkaTransport.groupId(subscription), tp, e.toString());
            }
        }
        ready.complete(null);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        long end = System.nanoTime() + REVOKE_WAIT_NANOS;
        while (!closing && System.nanoTime() - end < 0 && partitions.stream().map(owned::get).anyMatch(p -> p != null && p.inFlight > 0)) {
            drainSettlements();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        drainSettlements();
        commitSync(partitions, closing ? CLOSE_COMMIT_TIMEOUT : REVOKE_COMMIT_TIMEOUT);
        drop(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        drop(partitions);
    }

    private void drop(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            PartitionState p = owned.remove(tp);
            if (p != null) {
                p.revoked = true;
                inFlight -= p.inFlight;
            }
        }
        retries.removeIf(d -> d.owner.revoked);
    }

    // ---- dead letters ------------------------------------------------------------------------------

    private void deadLetter(Delivery d, RawMessage raw, String reason) {
        Envelope dead = MessagingHeaders.deadLettered(raw, subscription.channel(), subscription.group(), reason);
        byte[] key = d.key == null ? null : d.keyBytes;
        // Off the poll thread: producing may wait for metadata while the broker is away.
        Thread.ofVirtual().name("parley-kafka-dead-letter").start(() -> {
            CompletableFuture<Void> sent;
            try {
                sent = transport.produce(deadLetterTopic, key, dead);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((v, e) -> {
                if (e == null) {
                    log.warn("dead-lettered record {} of {} to {} after {} deliveries: {}", d.where(), KafkaTransport.groupId(subscription),
                            deadLetterTopic, raw.deliveryAttempt(), reason);
                    settle(new Settlement(d, Kind.ACK, Duration.ZERO));
                } else {
                    log.error("could not dead-letter record {} of {} to {}; delivering it again in {} ms: {}", d.where(),
                            KafkaTransport.groupId(subscription), deadLetterTopic, DEAD_LETTER_RETRY.toMillis(), e.toString());
                    settle(new Settlement(d, Kind.RETRY, DEAD_LETTER_RETRY));
                }
            });
        });
    }

    // ---- state ----------------------------------------------------------------------------------------

    /** An assigned partition: records fetched and waiting, records handed over and not yet committable. */
    private static final class PartitionState {
        final TopicPartition tp;
        final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = new ArrayDeque<>();
        final ArrayDeque<Delivery> window = new ArrayDeque<>();
        final Set<ByteBuffer> busyKeys = new HashSet<>();
        long committable = -1;
        long committed = -1;
        int inFlight;
        boolean paused;
        volatile boolean revoked;

        PartitionState(TopicPartition tp) {
            this.tp = tp;
        }

        /** The first buffered record whose key has no unsettled record before it. */
        @Nullable ConsumerRecord<byte[], byte[]> nextDispatchable() {
            if (buffer.isEmpty()) {
                return null;
            }
            ConsumerRecord<byte[], byte[]> head = buffer.peekFirst();
            if (head.key() == null || busyKeys.isEmpty() || !busyKeys.contains(ByteBuffer.wrap(head.key()))) {
                return buffer.pollFirst();
            }
            for (Iterator<ConsumerRecord<byte[], byte[]>> it = buffer.iterator(); it.hasNext(); ) {
                ConsumerRecord<byte[], byte[]> r = it.next();
                if (r.key() == null || !busyKeys.contains(ByteBuffer.wrap(r.key()))) {
                    it.remove();
                    return r;
                }
            }
            return null;
        }
    }

    /** One record handed to Parley, over all its delivery attempts. */
    private static final class Delivery {
        final PartitionState owner;
        final long offset;
        final @Nullable ByteBuffer key;
        final byte @Nullable [] keyBytes;
        final Map<String, String> headers;
        byte @Nullable [] body;
        int attempt = 1;
        long dueNanos;
        boolean done;

        Delivery(PartitionState owner, ConsumerRecord<byte[], byte[]> record) {
            this.owner = owner;
            this.offset = record.offset();
            this.keyBytes = record.key();
            this.key = record.key() == null ? null : ByteBuffer.wrap(record.key());
            this.headers = headers(record);
            this.body = record.value() == null ? new byte[0] : record.value();
        }

        String where() {
            return owner.tp + "@" + offset;
        }
    }

    /**
     * The record's headers as strings. A header without a value, or whose bytes are not UTF-8,
     * is left out: Parley then finds the message malformed (or not its own) and dead-letters it.
     * A repeated header name keeps its last value, as Kafka's {@code lastHeader} does.
     */
    static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> map = new LinkedHashMap<>();
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        for (Header h : record.headers()) {
            byte[] value = h.value();
            if (value == null) {
                continue;
            }
            try {
                map.put(h.key(), utf8.decode(ByteBuffer.wrap(value)).toString());
            } catch (CharacterCodingException e) {
                log.debug("record {}-{}@{}: header {} is not UTF-8; left out", record.topic(), record.partition(), record.offset(), h.key());
            }
        }
        return map;
    }

    /** How Parley settles one delivery; the first call wins, from any thread. */
    private final class KafkaDisposition implements Disposition {
        private final Delivery delivery;
        private final RawMessage raw;
        private final AtomicBoolean settled = new AtomicBoolean();

        KafkaDisposition(Delivery delivery, RawMessage raw) {
            this.delivery = delivery;
            this.raw = raw;
        }

        @Override
        public void ack() {
            if (once("ack")) {
                settle(new Settlement(delivery, Kind.ACK, Duration.ZERO));
            }
        }

        @Override
        public void retry(Duration delay, String reason) {
            if (once("retry")) {
                log.debug("record {} of {} failed on delivery {}; again in {} ms: {}", delivery.where(), KafkaTransport.groupId(subscription),
                        raw.deliveryAttempt(), delay.toMillis(), reason);
                settle(new Settlement(delivery, Kind.RETRY, delay.isNegative() ? Duration.ZERO : delay));
            }
        }

        @Override
        public void deadLetter(String reason) {
            if (once("deadLetter")) {
                ConsumerLoop.this.deadLetter(delivery, raw, reason);
            }
        }

        private boolean once(String what) {
            if (settled.compareAndSet(false, true)) {
                return true;
            }
            log.warn("{} of record {} of {} ignored: it was settled already", what, delivery.where(), KafkaTransport.groupId(subscription));
            return false;
        }
    }
}
