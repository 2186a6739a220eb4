package dev.parley.messaging;

import dev.parley.ErrorCode;
import dev.parley.ErrorInfo;
import dev.parley.TransportException;
import dev.parley.codec.Codec;
import dev.parley.contract.ContractDescriptor;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.ClientChannel;
import dev.parley.transport.InboundHandler;
import dev.parley.transport.Registration;
import dev.parley.transport.ReplySink;
import dev.parley.transport.TopicTransport;
import dev.parley.transport.Transport;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base of every broker transport: Parley's {@link Transport} and {@link TopicTransport}
 * implemented once, on four operations an adapter provides with its broker's client
 * ({@link #declare}, {@link #send}, {@link #consume}, {@link #closeBroker}).
 *
 * <pre>
 *  caller ── request ──▶ &lt;name&gt;.v1.requests ──▶ group "requests" ──▶ server's dispatcher
 *    ▲                                                                    │
 *    └──────── parley.replies.&lt;clientId&gt; ◀── reply (correlation id) ◀──────┘
 *
 *  publisher ── event ──▶ &lt;name&gt;.v1.events ──▶ one copy per consumer group, shared by its members
 *  gatherer ── request ──▶ &lt;name&gt;.v1.gather ──▶ every responder ──▶ replies to the gatherer
 * </pre>
 *
 * <p>What the base decides, the same on every broker: a publish completes when the broker
 * confirmed it, within {@link MessagingOptions#publishTimeout()}; a message larger than
 * {@link MessagingOptions#maxMessageBytes()} is refused at publish and dead-lettered at
 * consume; a request whose deadline passed in the broker is dropped unprocessed; an event or
 * one-way message whose handler fails is delivered again with exponential backoff and, after
 * {@link MessagingOptions#maxDeliveries()}, or at once when it cannot be processed at all
 * (undecodable, unknown operation, not a Parley message), dead-lettered with the reason.
 * Events and one-way messages carry no deadline on the broker: the caller's deadline bounded
 * the publish, and the message waits in the broker while its consumers are down.
 *
 * <p>Share one instance per process; it is thread-safe. Closing it stops its consumers and
 * fails the requests still waiting for replies.
 */
public abstract class BrokerTransport implements Transport, TopicTransport {

    private static final Logger log = LoggerFactory.getLogger(BrokerTransport.class);
    /** Failures that another delivery cannot fix: dead-lettered at once. */
    private static final Set<ErrorCode> PERMANENT = EnumSet.of(ErrorCode.INVALID_ARGUMENT, ErrorCode.UNIMPLEMENTED,
            ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.UNAUTHENTICATED, ErrorCode.PERMISSION_DENIED);
    static final String REQUESTS_GROUP = "requests";
    static final String REPLIES_GROUP = "replies";
    /** How long a request without a deadline header waits for its reply. */
    private static final long DEFAULT_REPLY_TIMEOUT_MILLIS = 60_000;

    private final String name;
    private final MessagingOptions options;
    private final String clientId;
    private final String repliesChannel;
    private final Clock wallClock;
    private final ScheduledExecutorService timer;
    private final PublishDeadlines publishDeadlines;
    private final PendingReplies pending;
    private final Set<Subscription> declared = ConcurrentHashMap.newKeySet();
    private final List<Registration> consumers = new CopyOnWriteArrayList<>();
    private final LongAdder expired = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private @Nullable Registration replies;
    private volatile @Nullable ReplySink lateReplies;
    private volatile boolean closed;

    /**
     * @param name     the transport's name in targets and errors, e.g. {@code rabbitmq}
     * @param clientId this instance's id, naming its reply channel; null for a random one
     */
    protected BrokerTransport(String name, MessagingOptions options, @Nullable String clientId, Clock wallClock) {
        if (options.durableReplies() && clientId == null) {
            throw new IllegalArgumentException("clientId: none (expected: a stable client id with durableReplies, so that the "
                    + "restarted instance reads the same reply channel)");
        }
        this.name = name;
        this.options = options;
        this.clientId = ChannelNames.groupName(clientId != null ? clientId : UUID.randomUUID().toString().substring(0, 12));
        this.repliesChannel = ChannelNames.replies(this.clientId);
        this.wallClock = wallClock;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("parley-" + name + "-timer").factory());
        this.pending = new PendingReplies(timer);
        this.publishDeadlines = new PublishDeadlines(timer, options.publishTimeout());
    }

    /**
     * Makes sure {@code subscription}'s channel and group exist, so that messages sent to the
     * channel wait for the group's consumers. Idempotent; may block.
     */
    protected abstract void declare(Subscription subscription);

    /**
     * Publishes {@code message} to {@code channel} (persistently, except to a reply channel) and
     * completes when the broker confirmed it; {@code key} orders messages with equal keys where
     * the broker can. A channel that does not exist (a reply channel whose transport closed)
     * fails the future and nothing else.
     */
    protected abstract CompletableFuture<Void> send(String channel, Envelope message, @Nullable String key);

    /**
     * Starts consuming {@code subscription} and returns once the consumer is active: messages
     * sent after this returns reach it. Each delivery goes to {@code inbound}, with at most
     * {@link MessagingOptions#prefetch()} of them unsettled at a time. Closing the registration
     * stops the consumer; its unsettled messages go back to the broker.
     */
    protected abstract Registration consume(Subscription subscription, Inbound inbound);

    /** Closes the broker connection(s). Called once, after every consumer was closed. */
    protected abstract void closeBroker();

    @Override
    public final String name() {
        return name;
    }

    public final MessagingOptions options() {
        return options;
    }

    /** This instance's id: its reply channel is {@code parley.replies.<clientId>}. */
    public final String clientId() {
        return clientId;
    }

    /** Requests dropped unprocessed because their deadline had passed in the broker. */
    public final long expiredRequests() {
        return expired.sum();
    }

    /** Messages this transport's consumers moved to a dead-letter channel. */
    public final long deadLettered() {
        return deadLettered.sum();
    }

    @Override
    public ClientChannel connect(Class<?> contract) {
        ensureOpen();
        ContractDescriptor descriptor = ContractDescriptor.of(contract);
        String channel = ChannelNames.requests(descriptor);
        String target = name + ":" + descriptor.address();
        return new ClientChannel() {
            @Override
            public String target() {
                return target;
            }

            @Override
            public CompletableFuture<Envelope> request(Envelope request) {
                // Dated now, when the caller computed parley-deadline, not after the set-up below, which
                // may take a while the first time: the budget shrinks while the transport declares.
                long sentAt = wallClock.millis();
                try {
                    ensureDeclared(new Subscription(channel, REQUESTS_GROUP, true));
                    Envelope out = awaitingReplies(request, sentAt);
                    checkSize(channel, out);
                    String id = out.headers().valueOrNull(StandardHeaders.MESSAGE_ID);
                    CompletableFuture<Envelope> reply = pending.expect(id, replyTimeoutMillis(out.headers()), target);
                    confirmed(channel, out).whenComplete((v, e) -> {
                        if (e != null) {
                            reply.completeExceptionally(e);
                        }
                    });
                    return reply;
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }

            @Override
            public CompletableFuture<Void> send(Envelope message) {
                try {
                    ensureDeclared(new Subscription(channel, REQUESTS_GROUP, true));
                    return publishDurable(channel, message);
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }
        };
    }

    @Override
    public Registration serve(Class<?> contract, InboundHandler handler) {
        ensureOpen();
        return open(new Subscription(ChannelNames.requests(ContractDescriptor.of(contract)), REQUESTS_GROUP, true), handler);
    }

    @Override
    public CompletableFuture<Void> publish(String topic, Envelope message) {
        try {
            ensureOpen();
            return publishDurable(topic, message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public Registration subscribe(String topic, String group, InboundHandler handler) {
        ensureOpen();
        return open(new Subscription(topic, ChannelNames.groupName(group), true), handler);
    }

    /** Replies arrive on this transport's reply channel; the responders are not known in advance, so the list is empty. */
    @Override
    public List<String> scatter(String topic, Envelope request, ReplySink replies) {
        long sentAt = wallClock.millis();
        ensureOpen();
        Envelope out = awaitingReplies(request, sentAt);
        checkSize(topic, out);
        String gatherId = out.headers().valueOrNull(StandardHeaders.MESSAGE_ID);
        pending.expectMany(gatherId, replies, replyTimeoutMillis(out.headers()));
        confirmed(topic, out).whenComplete((v, e) -> {
            if (e != null) {
                // The gather ends at its deadline with nobody answering; say why here.
                log.warn("gather request to {} not published: {}", topic, e.toString());
                pending.forget(gatherId);
            }
        });
        return List.of();
    }

    @Override
    public Registration respond(String topic, String responderId, InboundHandler handler) {
        ensureOpen();
        return open(new Subscription(topic, ChannelNames.groupName(responderId), false), handler);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Registration r : consumers) {
            closeQuietly(r);
        }
        consumers.clear();
        pending.failAll(name + " transport closed");
        timer.shutdownNow();
        closeBroker();
        // The timer that would fail them is gone, and a closed connection confirms nothing more.
        publishDeadlines.failAll(() -> new TransportException(ErrorCode.UNAVAILABLE, name + " transport " + clientId
                + " closed before the broker confirmed the message", null));
    }

    /**
     * {@code request} addressed for replies on this transport's reply channel (started if need be),
     * dated {@code sentAt}, with a message id to correlate them by.
     */
    private Envelope awaitingReplies(Envelope request, long sentAt) {
        ensureReplies();
        Headers.Builder b = request.headers().toBuilder().set(StandardHeaders.REPLY_TO, repliesChannel)
                .set(MessagingHeaders.SENT_AT, Long.toString(sentAt));
        if (!request.headers().contains(StandardHeaders.MESSAGE_ID)) {
            b.set(StandardHeaders.MESSAGE_ID, UUID.randomUUID().toString());
        }
        return request.withHeaders(b.build());
    }

    /** Publishes an event or one-way message: no deadline on the broker, confirmed within the publish timeout. */
    private CompletableFuture<Void> publishDurable(String channel, Envelope message) {
        Headers h = message.headers();
        Envelope out = message.withHeaders(h.toBuilder().remove(StandardHeaders.DEADLINE)
                .set(MessagingHeaders.SENT_AT, Long.toString(wallClock.millis())).build());
        checkSize(channel, out);
        return confirmed(channel, out);
    }

    private CompletableFuture<Void> confirmed(String channel, Envelope message) {
        CompletableFuture<Void> sent;
        try {
            sent = send(channel, message, message.headers().valueOrNull(MessagingHeaders.KEY));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(unavailable(channel, e));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        publishDeadlines.watch(sent);
        sent.whenComplete((v, e) -> {
            if (e == null) {
                result.complete(null);
            } else {
                result.completeExceptionally(unavailable(channel, e));
            }
        });
        // The caller giving up does not recall the message: it may still be confirmed.
        return result;
    }

    private TransportException unavailable(String channel, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof TransportException t) {
            return t;
        }
        if (cause instanceof TimeoutException) {
            return new TransportException(ErrorCode.UNAVAILABLE, name + " did not confirm the message to " + channel + " within "
                    + options.publishTimeout().toMillis() + " ms", cause);
        }
        return new TransportException(ErrorCode.UNAVAILABLE, name + " refused the message to " + channel + ": " + cause.getMessage(), cause);
    }

    private void checkSize(String channel, Envelope message) {
        int size = message.body().length;
        if (size > options.maxMessageBytes()) {
            throw new TransportException(ErrorCode.PAYLOAD_TOO_LARGE, "message to " + channel + " has " + size
                    + " bytes, over the limit of " + options.maxMessageBytes() + " bytes (MessagingOptions.maxMessageBytes)", null);
        }
    }

    private long replyTimeoutMillis(Headers h) {
        String deadline = h.valueOrNull(StandardHeaders.DEADLINE);
        if (deadline != null) {
            try {
                return Math.max(1, Long.parseLong(deadline));
            } catch (NumberFormatException e) {
                // Not ours to judge here: the server rejects it; wait the default time for that reply.
            }
        }
        return DEFAULT_REPLY_TIMEOUT_MILLIS;
    }

    private void ensureDeclared(Subscription s) {
        if (!declared.contains(s)) {
            declare(s);
            declared.add(s);
        }
    }

    private synchronized void ensureReplies() {
        if (replies == null) {
            Subscription s = new Subscription(repliesChannel, REPLIES_GROUP, options.durableReplies());
            declare(s);
            replies = consume(s, this::onReply);
            consumers.add(replies);
        }
    }

    /**
     * With {@link MessagingOptions#durableReplies()}, the replies no waiting call takes go to
     * {@code sink}, the runtime's hand-off to {@code Parley.lateReplies}. Starts reading the reply
     * channel at once, so that the replies that arrived while this instance was down come in.
     */
    @Override
    public Registration lateReplies(ReplySink sink) {
        ensureOpen();
        if (!options.durableReplies()) {
            log.info("{}: late replies need MessagingOptions.durableReplies(true); none will be kept", this);
            return () -> { };
        }
        lateReplies = sink;
        ensureReplies();
        return () -> lateReplies = null;
    }

    private void onReply(RawMessage raw, Disposition disposition) {
        Envelope reply;
        try {
            reply = Envelope.of(Headers.of(raw.headers()), raw.body());
        } catch (IllegalArgumentException e) {
            log.warn("malformed reply on {} dropped: {}", repliesChannel, e.getMessage());
            disposition.ack();
            return;
        }
        if (pending.deliver(reply)) {
            disposition.ack();
            return;
        }
        String id = reply.headers().valueOrNull(StandardHeaders.CORRELATION_ID);
        if (!options.durableReplies()) {
            log.debug("reply {} on {} came after its request ended", id, repliesChannel);
            disposition.ack();
            return;
        }
        ReplySink late = lateReplies;
        if (late == null) {
            // Kept for the late-reply handler the application is about to register, but not forever.
            if (raw.deliveryAttempt() >= options.maxDeliveries()) {
                deadLetter(disposition, "FAILED_PRECONDITION: no late-reply handler took reply " + id);
            } else {
                disposition.retry(options.backoff(raw.deliveryAttempt()), "no late-reply handler yet");
            }
            return;
        }
        try {
            late.reply(reply);
            disposition.ack();
        } catch (RuntimeException e) {
            log.warn("late-reply handler failed on reply {}; delivering it again later", id, e);
            if (raw.deliveryAttempt() >= options.maxDeliveries()) {
                deadLetter(disposition, "INTERNAL: late-reply handler failed: " + e);
            } else {
                disposition.retry(options.backoff(raw.deliveryAttempt()), "late-reply handler failed: " + e);
            }
        }
    }

    private Registration open(Subscription s, InboundHandler handler) {
        ensureDeclared(s);
        Registration consumer = consume(s, (raw, disposition) -> {
            try {
                process(s, raw, handler, disposition);
            } catch (RuntimeException e) {
                log.error("processing a message of {} / {} failed", s.channel(), s.group(), e);
                disposition.retry(options.backoff(raw.deliveryAttempt()), "INTERNAL: " + e);
            }
        });
        consumers.add(consumer);
        return () -> {
            consumers.remove(consumer);
            consumer.close();
        };
    }

    private void process(Subscription s, RawMessage raw, InboundHandler handler, Disposition disposition) {
        if (raw.body().length > options.maxMessageBytes()) {
            deadLetter(disposition, "PAYLOAD_TOO_LARGE: " + raw.body().length + " bytes, over the limit of "
                    + options.maxMessageBytes() + " bytes");
            return;
        }
        Headers headers;
        try {
            headers = Headers.of(raw.headers());
        } catch (IllegalArgumentException e) {
            deadLetter(disposition, "INVALID_ARGUMENT: malformed headers: " + e.getMessage());
            return;
        }
        if (!headers.contains(StandardHeaders.OPERATION)) {
            deadLetter(disposition, "INVALID_ARGUMENT: no " + StandardHeaders.OPERATION + " header: not a Parley message");
            return;
        }
        String replyTo = headers.valueOrNull(StandardHeaders.REPLY_TO);
        String deadline = headers.valueOrNull(StandardHeaders.DEADLINE);
        String sentAt = headers.valueOrNull(MessagingHeaders.SENT_AT);
        if (deadline != null && sentAt != null) {
            long left;
            try {
                left = Long.parseLong(deadline) - (wallClock.millis() - Long.parseLong(sentAt));
            } catch (NumberFormatException e) {
                left = Long.MAX_VALUE; // the dispatcher rejects a malformed deadline with a clear error
            }
            if (left <= 0) {
                // The caller has stopped waiting: doing the work now would be wasted, or harmful.
                expired.increment();
                log.debug("request {} on {} expired in the broker; dropped", headers.valueOrNull(StandardHeaders.MESSAGE_ID), s.channel());
                disposition.ack();
                return;
            }
            if (left != Long.MAX_VALUE) {
                headers = headers.toBuilder().set(StandardHeaders.DEADLINE, Long.toString(left)).build();
            }
        }
        Envelope message = Envelope.of(headers, raw.body());
        AtomicBoolean settled = new AtomicBoolean();
        ReplySink outcome = ReplySink.acknowledging(reply -> {
            if (replyTo != null) {
                // A request, or a gather: the reply goes back; one per responder, settled once.
                if (settled.compareAndSet(false, true)) {
                    sendReply(replyTo, identified(reply, message.headers())).whenComplete((v, e) -> {
                        if (e != null) {
                            log.warn("reply to {} lost: {}", replyTo, e.toString());
                        }
                        disposition.ack();
                    });
                }
                return;
            }
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            String status = reply.headers().valueOrNull(StandardHeaders.STATUS);
            if (status == null || status.equals(StandardHeaders.STATUS_OK)) {
                disposition.ack();
                return;
            }
            ErrorCode code = ErrorCode.parse(status).orElse(ErrorCode.INTERNAL);
            String reason = code.name() + ": " + errorMessage(reply);
            if (PERMANENT.contains(code)) {
                deadLetter(disposition, reason);
            } else if (raw.deliveryAttempt() >= options.maxDeliveries()) {
                deadLetter(disposition, reason + " (after " + raw.deliveryAttempt() + " deliveries)");
            } else {
                disposition.retry(options.backoff(raw.deliveryAttempt()), reason);
            }
        });
        // The returned handle cancels the work; nothing here does: a broker has no cancel message.
        handler.handle(message, outcome);
    }

    /** The reply with the request's contract and operation, so that a late reply says what it answers. */
    private static Envelope identified(Envelope reply, Headers request) {
        Headers.Builder b = reply.headers().toBuilder();
        for (String name : List.of(StandardHeaders.CONTRACT, StandardHeaders.CONTRACT_VERSION, StandardHeaders.OPERATION)) {
            String value = request.valueOrNull(name);
            if (value != null && !reply.headers().contains(name)) {
                b.set(name, value);
            }
        }
        return reply.withHeaders(b.build());
    }

    private CompletableFuture<Void> sendReply(String replyTo, Envelope reply) {
        if (!ChannelNames.isReplies(replyTo)) {
            return CompletableFuture.failedFuture(new TransportException(ErrorCode.INVALID_ARGUMENT,
                    StandardHeaders.REPLY_TO + ": '" + replyTo + "' (expected: a parley.replies.* channel)", null));
        }
        Envelope out = reply;
        if (reply.body().length > options.maxMessageBytes()) {
            Headers h = reply.headers().toBuilder().set(StandardHeaders.STATUS, ErrorCode.PAYLOAD_TOO_LARGE.name())
                    .set(StandardHeaders.CONTENT_TYPE, Codec.json().contentType()).build();
            ErrorInfo info = new ErrorInfo(ErrorCode.PAYLOAD_TOO_LARGE.name(), "reply of " + reply.body().length
                    + " bytes is over the limit of " + options.maxMessageBytes() + " bytes", Map.of());
            out = Envelope.of(h, Codec.json().forType(ErrorInfo.class).encode(info));
        }
        try {
            return send(replyTo, out, null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void deadLetter(Disposition disposition, String reason) {
        deadLettered.increment();
        disposition.deadLetter(reason);
    }

    private static String errorMessage(Envelope reply) {
        String type = reply.headers().valueOrNull(StandardHeaders.CONTENT_TYPE);
        Codec codec = type != null && type.equals(Codec.cbor().contentType()) ? Codec.cbor() : Codec.json();
        try {
            return ((ErrorInfo) codec.forType(ErrorInfo.class).decode(reply.body())).message();
        } catch (RuntimeException e) { // DecodingException included: the reason says so
            return "(no readable error body)";
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(name + " transport " + clientId + " is closed");
        }
    }

    private static void closeQuietly(Registration r) {
        try {
            r.close();
        } catch (RuntimeException e) {
            log.warn("closing a consumer failed", e);
        }
    }

    @Override
    public String toString() {
        return name + " transport " + clientId;
    }
}
