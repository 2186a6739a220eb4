package dev.parley.messaging.nats;

import dev.parley.messaging.Disposition;
import dev.parley.messaging.Inbound;
import dev.parley.messaging.RawMessage;
import dev.parley.messaging.Subscription;
import io.nats.client.ConsumerContext;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.FetchConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a group: a thread that pulls from the group's durable consumer as many messages
 * as it has free slots (at most {@code prefetch} unsettled), and hands each to the base.
 *
 * <pre>
 *   loop: wait for a free slot ─▶ fetch(free slots, expires 1 s) ─▶ each message ─▶ inbound
 *                ▲                                                                   │
 *                └──────── slot freed when the delivery is acked / nak'd / dead-lettered
 * </pre>
 *
 * <p>A fetch returns each message as it arrives and ends when it got all it asked for or the
 * pull expired, so a freed slot waits at most one pull expiry before it is used.
 */
final class PullConsumer {

    private static final Logger log = LoggerFactory.getLogger(PullConsumer.class);
    private static final long FETCH_EXPIRY_MILLIS = 1000;
    private static final long ERROR_BACKOFF_MILLIS = 250;

    private final NatsTransport transport;
    private final Subscription subscription;
    private final Inbound inbound;
    private final NatsTransport.Settings settings;
    private final Semaphore slots;
    private final Set<Delivery> unsettled = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean running = true;
    private @Nullable ConsumerContext context;
    private long failures;

    PullConsumer(NatsTransport transport, Subscription subscription, Inbound inbound, NatsTransport.Settings settings) {
        this.transport = transport;
        this.subscription = subscription;
        this.inbound = inbound;
        this.settings = settings;
        this.slots = new Semaphore(settings.messaging().prefetch());
        this.thread = Thread.ofPlatform().daemon().name("parley-nats-" + subscription.channel() + "-" + subscription.group())
                .unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Stops pulling and waits for the current pull to end; unsettled deliveries may still be settled. */
    void close() {
        running = false;
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(FETCH_EXPIRY_MILLIS * 3);
            if (thread.isAlive()) {
                thread.interrupt(); // messages of the interrupted pull come back after the ack wait
                thread.join(FETCH_EXPIRY_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Tells the server that deliveries held since before {@code olderThanNanos} are still being
     * worked on, except those held since before {@code givenUpBeforeNanos}: those come back
     * after the ack wait, to another member.
     */
    void extendAckWait(long olderThanNanos, long givenUpBeforeNanos) {
        for (Delivery d : unsettled) {
            if (d.receivedNanos - olderThanNanos < 0 && d.receivedNanos - givenUpBeforeNanos > 0 && !d.settled.get()) {
                try {
                    d.message.inProgress();
                } catch (RuntimeException e) {
                    log.debug("in-progress signal for {} failed: {}", subscription.channel(), e.toString());
                }
            }
        }
    }

    private void run() {
        while (running) {
            try {
                if (!transport.connected()) {
                    // A pull sent into the reconnect buffer could be answered into an inbox that no longer
                    // listens; its messages would wait out the ack wait. Wait for the connection instead.
                    Thread.sleep(50);
                    continue;
                }
                if (!slots.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                int asked = 1 + slots.drainPermits();
                int received = 0;
                long started = System.nanoTime();
                try {
                    received = pull(asked);
                } finally {
                    slots.release(asked - received);
                }
                if (received == 0 && System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(FETCH_EXPIRY_MILLIS / 2)) {
                    // An empty pull that ended long before its expiry: the server refused it (consumer deleted,
                    // server shutting down). Look the consumer up again rather than spin.
                    throw new IllegalStateException("pull ended early without messages");
                }
                failures = 0;
            } catch (InterruptedException e) {
                if (running) {
                    log.warn("consumer {} of {} interrupted; stopping", subscription.group(), subscription.channel());
                }
                return;
            } catch (JetStreamApiException e) {
                onFailure(e);
                if (e.getApiErrorCode() == 10014 || e.getApiErrorCode() == 10059) {
                    // Consumer or stream deleted (an operator, or a reaped non-durable group): create them again.
                    context = null;
                    try {
                        transport.redeclare(subscription);
                    } catch (RuntimeException re) {
                        log.warn("re-creating consumer {} of {} failed: {}", subscription.group(), subscription.channel(), re.toString());
                    }
                }
            } catch (Exception e) { // IOException, status errors, IllegalStateException while reconnecting
                context = null;
                onFailure(e);
            }
        }
    }

    private int pull(int asked) throws Exception {
        ConsumerContext c = context;
        if (c == null) {
            c = transport.jetStream().getConsumerContext(NatsWire.stream(subscription.channel()), subscription.group());
            context = c;
        }
        int received = 0;
        try (FetchConsumer fetch = c.fetch(FetchConsumeOptions.builder().maxMessages(asked).expiresIn(FETCH_EXPIRY_MILLIS).build())) {
            Message m;
            while (received < asked && (m = fetch.nextMessage()) != null) {
                received++;
                if (!running) {
                    m.nak(); // closing: give it straight back to the group's other members
                    slots.release();
                    continue;
                }
                deliver(m);
            }
        }
        return received;
    }

    private void deliver(Message m) {
        long delivered = NatsWire.deliveredCount(m.getReplyTo());
        if (delivered < 1) {
            try {
                delivered = m.metaData().deliveredCount(); // a subject form the quick reading does not know
            } catch (RuntimeException e) {
                delivered = 1;
            }
        }
        int attempt = (int) Math.min(Integer.MAX_VALUE, delivered);
        byte[] body = m.getData() != null ? m.getData() : new byte[0];
        Map<String, String> headers;
        try {
            headers = NatsWire.fromNats(m);
        } catch (RuntimeException e) {
            // Unreadable headers: without them it is no Parley message, and the base dead-letters it as such.
            log.warn("unreadable headers on a message of {}: {}", subscription.channel(), e.toString());
            headers = Map.of();
        }
        RawMessage raw = new RawMessage(headers, body, attempt);
        Delivery d = new Delivery(m, raw);
        unsettled.add(d);
        try {
            inbound.accept(raw, d);
        } catch (RuntimeException e) {
            log.error("inbound of {} / {} failed; redelivering", subscription.channel(), subscription.group(), e);
            d.retry(settings.messaging().backoff(attempt), "INTERNAL: " + e);
        }
    }

    private void onFailure(Exception e) {
        failures++;
        if (failures == 1 || failures % 40 == 0) {
            log.warn("pulling {} / {} failed ({} in a row), retrying: {}", subscription.channel(), subscription.group(), failures,
                    e.toString());
        }
        try {
            Thread.sleep(ERROR_BACKOFF_MILLIS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** One delivery: settled once, from any thread; settling frees its slot. */
    private final class Delivery implements Disposition {
        final Message message;
        final RawMessage raw;
        final long receivedNanos = System.nanoTime();
        final AtomicBoolean settled = new AtomicBoolean();

        Delivery(Message message, RawMessage raw) {
            this.message = message;
            this.raw = raw;
        }

        @Override
        public void ack() {
            if (settle()) {
                try {
                    message.ack();
                } catch (RuntimeException e) {
                    log.warn("ack on {} failed; the message comes back after the ack wait: {}", subscription.channel(), e.toString());
                } finally {
                    release();
                }
            }
        }

        @Override
        public void retry(Duration delay, String reason) {
            if (settle()) {
                try {
                    message.nakWithDelay(delay);
                } catch (RuntimeException e) {
                    log.warn("nak on {} failed; the message comes back after the ack wait: {}", subscription.channel(), e.toString());
                } finally {
                    release();
                }
            }
        }

        @Override
        public void deadLetter(String reason) {
            if (!settle()) {
                return;
            }
            String dedupeId;
            try {
                dedupeId = message.metaData().getStream() + ":" + message.metaData().streamSequence();
            } catch (RuntimeException e) {
                dedupeId = null;
            }
            transport.sendDeadLetter(subscription, raw, reason, dedupeId).whenComplete((v, e) -> {
                try {
                    if (e == null) {
                        message.ack();
                    } else {
                        // Keep it: not stored as a dead letter, so not removed either; try again later.
                        log.error("dead-lettering a message of {} / {} failed; redelivering it: {}", subscription.channel(),
                                subscription.group(), e.toString());
                        message.nakWithDelay(settings.messaging().maxBackoff());
                    }
                } catch (RuntimeException re) {
                    log.warn("settling a dead letter of {} failed: {}", subscription.channel(), re.toString());
                } finally {
                    release();
                }
            });
        }

        private boolean settle() {
            return settled.compareAndSet(false, true);
        }

        private void release() {
            unsettled.remove(this);
            slots.release();
        }
    }
}
