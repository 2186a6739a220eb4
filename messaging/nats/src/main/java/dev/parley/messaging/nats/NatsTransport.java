package dev.parley.messaging.nats;

import dev.parley.ErrorCode;
import dev.parley.TransportException;
import dev.parley.message.Envelope;
import dev.parley.message.StandardHeaders;
import dev.parley.messaging.BrokerTransport;
import dev.parley.messaging.ChannelNames;
import dev.parley.messaging.Disposition;
import dev.parley.messaging.Inbound;
import dev.parley.messaging.MessagingHeaders;
import dev.parley.messaging.MessagingOptions;
import dev.parley.messaging.RawMessage;
import dev.parley.messaging.Subscription;
import dev.parley.transport.Registration;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parley's messaging over NATS JetStream, with the jnats client: requests, one-way commands,
 * events and gathers are stored in JetStream streams and consumed by durable pull consumers;
 * replies go over plain NATS subjects.
 *
 * <pre>
 *  channel trips.v1.events ──▶ stream trips_v1_events (file, interest retention, dedupe by Nats-Msg-Id)
 *                                 ├─▶ consumer "billing"  (durable pull, explicit ack) ─▶ members of billing
 *                                 └─▶ consumer "audit"    (durable pull, explicit ack) ─▶ members of audit
 *  dead letters of billing ──▶ subject trips.v1.events.billing.dead-letter in its own stream (limits retention)
 *  replies ──▶ core subject parley.replies.&lt;clientId&gt; (no JetStream)
 * </pre>
 *
 * <p>One instance holds one NATS connection, which jnats re-establishes by itself after a
 * broker restart; consumers resume where the stream left them, and publishes that the broker
 * does not confirm fail after {@link MessagingOptions#publishTimeout()}. Each subscription
 * pulls on its own thread. Create one per process with {@link #builder()}, share it, close it
 * at shutdown.
 *
 * <p>docs/brokers/nats.md describes the mapping, the settings and the delivery guarantees.
 */
public final class NatsTransport extends BrokerTransport {

    private static final Logger log = LoggerFactory.getLogger(NatsTransport.class);
    private static final int STREAM_NOT_FOUND = 10059;
    private static final int CONSUMER_NOT_FOUND = 10014;
    private static final int STREAM_NAME_IN_USE = 10058;
    /**
     * How long a handler may keep a message before the server gives it to another member anyway
     * (as RabbitMQ's 30-minute consumer timeout): a hung handler must not hold it forever.
     */
    static final Duration MAX_PROCESSING = Duration.ofMinutes(30);

    private final Connection connection;
    private final JetStream jetStream;
    private final JetStreamManagement management;
    private final Settings settings;
    private final Map<String, CompletableFuture<Void>> streams = new ConcurrentHashMap<>();
    private final Map<String, ReplyRoute> replyRoutes = new ConcurrentHashMap<>();
    private final Set<PullConsumer> pullers = ConcurrentHashMap.newKeySet();
    private final ExecutorService blocking = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("parley-nats-", 0).factory());
    private final ScheduledExecutorService timer;

    private NatsTransport(Builder b, Connection connection) {
        super("nats", b.options, b.clientId, b.clock);
        this.connection = connection;
        try {
            this.jetStream = connection.jetStream();
            this.management = connection.jetStreamManagement();
        } catch (IOException e) {
            closeConnection(connection);
            throw new TransportException(ErrorCode.UNAVAILABLE, "NATS server " + connection.getConnectedUrl()
                    + " has no JetStream (start nats-server with -js): " + e.getMessage(), e);
        }
        int maxAckPending = b.maxAckPending > 0 ? b.maxAckPending : b.options.prefetch() * 16;
        this.settings = new Settings(b.ackWait, maxAckPending, b.maxAge, b.deadLetterMaxAge, b.duplicateWindow, b.deduplicate,
                b.inactiveThreshold, b.options);
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("parley-nats-keepalive").factory());
        long tick = Math.max(100, b.ackWait.toMillis() / 3);
        timer.scheduleAtFixedRate(this::extendAckWaits, tick, tick, TimeUnit.MILLISECONDS);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The underlying jnats connection, e.g. for metrics; don't close it. */
    public Connection connection() {
        return connection;
    }

    @Override
    protected void declare(Subscription subscription) {
        if (isCoreReplies(subscription)) {
            return; // a core NATS subject: nothing to create
        }
        String stream = NatsWire.stream(subscription.channel());
        ensureStream(stream, subscription.channel(), RetentionPolicy.Interest, settings.maxAge());
        ensureConsumer(subscription);
    }

    @Override
    protected CompletableFuture<Void> send(String channel, Envelope message, @Nullable String key) {
        String stream = NatsWire.stream(channel);
        if (ChannelNames.isReplies(channel)) {
            io.nats.client.impl.Headers headers;
            try {
                headers = NatsWire.toNats(message.headers());
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(headerRefused(channel, e));
            }
            CompletableFuture<Void> tooLarge = checkMaxPayload(channel, headers, message.body());
            if (tooLarge != null) {
                return tooLarge;
            }
            return replyStored(stream).thenCompose(stored -> {
                if (stored) {
                    // The caller's reply channel is durable (MessagingOptions.durableReplies): confirmed like any channel.
                    return publish(stream, stored(channel, headers, message.body(), messageIdOf(message)));
                }
                // Not stored: whoever waits for the reply listens on the subject right now.
                try {
                    connection.publish(NatsMessage.builder().subject(channel).headers(headers).data(message.body()).build());
                    return CompletableFuture.completedFuture(null);
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            });
        }
        io.nats.client.impl.Headers headers;
        try {
            // The message id travels once, as Nats-Msg-Id (NatsWire.fromNats reads it back).
            headers = NatsWire.toNats(message.headers(), messageIdOf(message));
        } catch (NatsWire.InvalidMessageId e) {
            return CompletableFuture.failedFuture(new TransportException(ErrorCode.INVALID_ARGUMENT,
                    "message to " + channel + " has a message id NATS cannot carry: " + e.getMessage(), e));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(headerRefused(channel, e));
        }
        CompletableFuture<Void> tooLarge = checkMaxPayload(channel, headers, message.body());
        if (tooLarge != null) {
            return tooLarge;
        }
        NatsMessage out = NatsMessage.builder().subject(channel).headers(headers).data(message.body()).build();
        CompletableFuture<Void> ready = streamReady(stream, channel, RetentionPolicy.Interest, settings.maxAge());
        // Known streams: publish right here rather than through a dependent stage.
        return ready.isDone() && !ready.isCompletedExceptionally() ? publish(stream, out) : ready.thenCompose(v -> publish(stream, out));
    }

    private static TransportException headerRefused(String channel, IllegalArgumentException e) {
        return new TransportException(ErrorCode.INVALID_ARGUMENT, "message to " + channel + " has a header NATS cannot carry: "
                + e.getMessage(), e);
    }

    /** A failed future if the message with its headers exceeds the server's {@code max_payload}, else {@code null}. */
    private @Nullable CompletableFuture<Void> checkMaxPayload(String channel, io.nats.client.impl.Headers headers, byte[] body) {
        long size = (long) headers.serializedLength() + body.length;
        long limit = connection.getMaxPayload();
        if (limit > 0 && size > limit) {
            return CompletableFuture.failedFuture(new TransportException(ErrorCode.PAYLOAD_TOO_LARGE, "message to " + channel + " has "
                    + size + " bytes with headers, over the NATS server's max_payload of " + limit + " bytes", null));
        }
        return null;
    }

    /**
     * A message for a stream. The deduplication id travels as the {@code Nats-Msg-Id} header set
     * here rather than through {@code PublishOptions}, with which jnats copies all headers again.
     */
    private static NatsMessage stored(String subject, io.nats.client.impl.Headers headers, byte[] body, @Nullable String messageId) {
        if (messageId != null) {
            headers.put(NatsWire.MSG_ID, messageId);
        }
        return NatsMessage.builder().subject(subject).headers(headers).data(body).build();
    }

    private @Nullable String messageIdOf(Envelope message) {
        return settings.deduplicate() ? message.headers().valueOrNull(StandardHeaders.MESSAGE_ID) : null;
    }

    private static boolean isCoreReplies(Subscription s) {
        return ChannelNames.isReplies(s.channel()) && !s.durable();
    }

    /**
     * Whether a reply channel is stored in a stream (its transport has durable replies). A core
     * publish would be stored there too, but unconfirmed; so look once, and again every 30 s
     * while it is not, since a caller may restart with durable replies.
     */
    private CompletableFuture<Boolean> replyStored(String stream) {
        ReplyRoute known = replyRoutes.get(stream);
        if (known != null && (known.stored() || System.nanoTime() - known.checkedAt() < TimeUnit.SECONDS.toNanos(30))) {
            return CompletableFuture.completedFuture(known.stored());
        }
        return CompletableFuture.supplyAsync(() -> {
            boolean stored;
            try {
                management.getStreamInfo(stream);
                stored = true;
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
                    throw new TransportException(ErrorCode.UNAVAILABLE, "cannot look up stream " + stream + ": " + e.getMessage(), e);
                }
                stored = false;
            } catch (IOException e) {
                throw new TransportException(ErrorCode.UNAVAILABLE, "cannot look up stream " + stream + ": " + e.getMessage(), e);
            }
            replyRoutes.put(stream, new ReplyRoute(stored, System.nanoTime()));
            return stored;
        }, blocking);
    }

    private record ReplyRoute(boolean stored, long checkedAt) {}

    @Override
    protected Registration consume(Subscription subscription, Inbound inbound) {
        if (isCoreReplies(subscription)) {
            return consumeCore(subscription, inbound);
        }
        declare(subscription);
        PullConsumer puller = new PullConsumer(this, subscription, inbound, settings);
        pullers.add(puller);
        puller.start();
        return () -> {
            pullers.remove(puller);
            puller.close();
            if (!subscription.durable()) {
                deleteConsumer(subscription);
            }
        };
    }

    @Override
    protected void closeBroker() {
        for (PullConsumer p : pullers) {
            p.close();
        }
        pullers.clear();
        timer.shutdownNow();
        blocking.shutdownNow();
        closeConnection(connection);
    }

    JetStream jetStream() {
        return jetStream;
    }

    JetStreamManagement management() {
        return management;
    }

    boolean connected() {
        return connection.getStatus() == Connection.Status.CONNECTED;
    }

    /**
     * Publishes {@code raw}'s dead letter to {@code <channel>.<group>.dead-letter}; completes when
     * JetStream stored it. {@code dedupeId} makes a repeated dead-lettering of the same delivery
     * (after a crash between store and ack) a duplicate the stream drops.
     */
    CompletableFuture<Void> sendDeadLetter(Subscription s, RawMessage raw, String reason, @Nullable String dedupeId) {
        String subject = ChannelNames.deadLetter(s.channel(), s.group());
        Envelope letter = MessagingHeaders.deadLettered(raw, s.channel(), s.group(), reason);
        NatsMessage out;
        try {
            out = stored(subject, NatsWire.toNats(letter.headers()), letter.body(), dedupeId);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        String stream = NatsWire.stream(subject);
        return streamReady(stream, subject, RetentionPolicy.Limits, settings.deadLetterMaxAge())
                .thenCompose(v -> publish(stream, out))
                .orTimeout(settings.messaging().publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    void redeclare(Subscription s) {
        streams.remove(NatsWire.stream(s.channel()));
        declare(s);
    }

    private CompletableFuture<Void> publish(String stream, NatsMessage message) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            jetStream.publishAsync(message).whenComplete((ack, e) -> {
                if (e == null) {
                    done.complete(null);
                    return;
                }
                // The stream may have been deleted behind our back: look again next time.
                streams.remove(stream);
                replyRoutes.remove(stream);
                done.completeExceptionally(e);
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e); // e.g. the reconnect buffer is full while the server is away
        }
        return done;
    }

    private CompletableFuture<Void> streamReady(String stream, String subject, RetentionPolicy retention, Duration maxAge) {
        CompletableFuture<Void> ready = streams.computeIfAbsent(stream,
                n -> CompletableFuture.runAsync(() -> ensureStream(n, subject, retention, maxAge), blocking));
        ready.whenComplete((v, e) -> {
            if (e != null) {
                streams.remove(stream, ready);
            }
        });
        return ready;
    }

    private void ensureStream(String stream, String subject, RetentionPolicy retention, Duration maxAge) {
        try {
            try {
                management.getStreamInfo(stream);
                return;
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
                    throw e;
                }
            }
            Duration window = settings.duplicateWindow().compareTo(maxAge) > 0 ? maxAge : settings.duplicateWindow();
            StreamConfiguration config = StreamConfiguration.builder().name(stream).subjects(subject).storageType(StorageType.File)
                    .retentionPolicy(retention).discardPolicy(DiscardPolicy.Old).maxAge(maxAge).duplicateWindow(window)
                    .description("Parley channel " + subject).build();
            try {
                management.addStream(config);
                log.debug("created stream {} for {}", stream, subject);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != STREAM_NAME_IN_USE) { // another instance was quicker: fine
                    throw e;
                }
            }
        } catch (JetStreamApiException | IOException e) {
            throw new TransportException(ErrorCode.UNAVAILABLE, "cannot create JetStream stream " + stream + " for subject " + subject
                    + " on " + connection.getConnectedUrl() + ": " + e.getMessage(), e);
        }
    }

    private void ensureConsumer(Subscription s) {
        String stream = NatsWire.stream(s.channel());
        try {
            try {
                management.getConsumerInfo(stream, s.group());
                return;
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != CONSUMER_NOT_FOUND) {
                    throw e;
                }
            }
            ConsumerConfiguration.Builder config = ConsumerConfiguration.builder().durable(s.group()).filterSubject(s.channel())
                    .ackPolicy(AckPolicy.Explicit).ackWait(settings.ackWait()).maxDeliver(-1).maxAckPending(settings.maxAckPending())
                    .deliverPolicy(DeliverPolicy.New).description("Parley group " + s.group() + " of " + s.channel());
            if (!s.durable()) {
                config.inactiveThreshold(settings.inactiveThreshold());
            }
            management.addOrUpdateConsumer(stream, config.build());
            log.debug("created consumer {} on stream {}", s.group(), stream);
        } catch (JetStreamApiException | IOException e) {
            throw new TransportException(ErrorCode.UNAVAILABLE, "cannot create JetStream consumer " + s.group() + " on stream " + stream
                    + " (" + connection.getConnectedUrl() + "): " + e.getMessage(), e);
        }
    }

    private void deleteConsumer(Subscription s) {
        try {
            management.deleteConsumer(NatsWire.stream(s.channel()), s.group());
        } catch (JetStreamApiException | IOException | RuntimeException e) {
            // Not fatal: the server removes it after the inactivity threshold.
            log.info("could not delete consumer {} of {} (the server removes it after {}): {}", s.group(), s.channel(),
                    settings.inactiveThreshold(), e.toString());
        }
    }

    private Registration consumeCore(Subscription s, Inbound inbound) {
        Dispatcher dispatcher = connection.createDispatcher(message -> {
            RawMessage raw = new RawMessage(NatsWire.fromNats(message), message.getData() != null ? message.getData() : new byte[0], 1);
            inbound.accept(raw, new CoreDisposition(s, raw, inbound));
        });
        dispatcher.subscribe(s.channel());
        try {
            // Once the server has our SUB, whatever is published to the subject reaches us.
            connection.flush(settings.messaging().publishTimeout());
        } catch (Exception e) {
            connection.closeDispatcher(dispatcher);
            throw new TransportException(ErrorCode.UNAVAILABLE, "cannot subscribe to " + s.channel() + " on NATS: " + e, e);
        }
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true) && connection.getStatus() != Connection.Status.CLOSED) {
                connection.closeDispatcher(dispatcher);
            }
        };
    }

    private void extendAckWaits() {
        try {
            long now = System.nanoTime();
            long olderThan = now - settings.ackWait().toNanos() / 3;
            long givenUpBefore = now - MAX_PROCESSING.toNanos();
            for (PullConsumer p : pullers) {
                p.extendAckWait(olderThan, givenUpBefore);
            }
        } catch (RuntimeException e) {
            log.warn("extending the ack wait of unsettled messages failed", e);
        }
    }

    private static void closeConnection(Connection connection) {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A delivery on a core subject (a reply): nothing to acknowledge; a retry is a local redelivery. */
    private final class CoreDisposition implements Disposition {
        private final Subscription subscription;
        private final RawMessage raw;
        private final Inbound inbound;
        private final AtomicBoolean settled = new AtomicBoolean();

        CoreDisposition(Subscription subscription, RawMessage raw, Inbound inbound) {
            this.subscription = subscription;
            this.raw = raw;
            this.inbound = inbound;
        }

        @Override
        public void ack() {
            settled.set(true);
        }

        @Override
        public void retry(Duration delay, String reason) {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            RawMessage again = new RawMessage(raw.headers(), raw.body(), raw.deliveryAttempt() + 1);
            timer.schedule(() -> inbound.accept(again, new CoreDisposition(subscription, again, inbound)), delay.toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        @Override
        public void deadLetter(String reason) {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            sendDeadLetter(subscription, raw, reason, null).whenComplete((v, e) -> {
                if (e != null) {
                    log.error("dead letter of {} ({}) lost: {}", subscription.channel(), reason, e.toString());
                }
            });
        }
    }

    /** The settings every consumer of this transport shares. */
    record Settings(Duration ackWait, int maxAckPending, Duration maxAge, Duration deadLetterMaxAge, Duration duplicateWindow,
                    boolean deduplicate, Duration inactiveThreshold, MessagingOptions messaging) {}

    /**
     * Configures a {@link NatsTransport}. Everything has a default: {@code
     * NatsTransport.builder().build()} connects to {@code nats://127.0.0.1:4222}.
     */
    public static final class Builder {
        private String url = "nats://127.0.0.1:4222";
        private @Nullable Options natsOptions;
        private MessagingOptions options = MessagingOptions.ofDefaults();
        private @Nullable String clientId;
        private Clock clock = Clock.systemUTC();
        private Duration ackWait = Duration.ofSeconds(30);
        private int maxAckPending;
        private Duration maxAge = Duration.ofDays(7);
        private Duration deadLetterMaxAge = Duration.ofDays(30);
        private Duration duplicateWindow = Duration.ofMinutes(2);
        private boolean deduplicate = true;
        private Duration inactiveThreshold = Duration.ofMinutes(5);

        private Builder() {}

        /** The server(s), comma-separated, e.g. {@code nats://n1:4222,nats://n2:4222}. Default {@code nats://127.0.0.1:4222}. */
        public Builder url(String url) {
            if (url.isBlank()) {
                throw new IllegalArgumentException("url: '' (expected: nats://host:port)");
            }
            this.url = url;
            return this;
        }

        /**
         * Full jnats options (TLS, credentials, servers, reconnect policy), instead of {@link #url}.
         * Keep {@code maxReconnects} unlimited (-1), or the transport stops at the first long outage.
         */
        public Builder natsOptions(Options natsOptions) {
            this.natsOptions = Objects.requireNonNull(natsOptions, "natsOptions");
            return this;
        }

        public Builder options(MessagingOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** This instance's id, naming its reply subject {@code parley.replies.<clientId>}; random by default. */
        public Builder clientId(String clientId) {
            this.clientId = Objects.requireNonNull(clientId, "clientId");
            return this;
        }

        /** The wall clock that dates messages ({@code parley-sent-at}) and checks deadlines. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How long the server waits for a delivery's acknowledgement before it gives the message to
         * another member of the group (default 30 s). While a handler works the transport tells the
         * server it is still in progress, so this bounds the time to recover a crashed member's
         * messages, not the handlers' run time. Applies to consumers this transport creates.
         */
        public Builder ackWait(Duration ackWait) {
            if (ackWait.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("ackWait: " + ackWait + " (expected: >= 100 ms)");
            }
            this.ackWait = ackWait;
            return this;
        }

        /**
         * The consumer's {@code MaxAckPending}: unacknowledged messages of a whole group, all members
         * together (each member holds at most {@link MessagingOptions#prefetch()}). Default 16 x prefetch.
         */
        public Builder maxAckPending(int maxAckPending) {
            if (maxAckPending < 1) {
                throw new IllegalArgumentException("maxAckPending: " + maxAckPending + " (expected: >= 1)");
            }
            this.maxAckPending = maxAckPending;
            return this;
        }

        /** The longest a message waits in a channel's stream for its groups (default 7 days). */
        public Builder maxAge(Duration maxAge) {
            this.maxAge = positive("maxAge", maxAge);
            return this;
        }

        /** How long dead letters are kept (default 30 days). */
        public Builder deadLetterMaxAge(Duration deadLetterMaxAge) {
            this.deadLetterMaxAge = positive("deadLetterMaxAge", deadLetterMaxAge);
            return this;
        }

        /**
         * The stream's duplicate window: a message published again with the same
         * {@code parley-message-id} within it is stored once (default 2 minutes).
         */
        public Builder duplicateWindow(Duration duplicateWindow) {
            this.duplicateWindow = positive("duplicateWindow", duplicateWindow);
            return this;
        }

        /**
         * Whether publishes carry {@code Nats-Msg-Id} (= {@code parley-message-id}), so that the
         * stream stores a message published twice within the {@link #duplicateWindow} once: a
         * publish retried after a lost confirmation then makes no duplicate. On by default; off,
         * duplicates reach the consumers and Parley's idempotency store skips them.
         */
        public Builder deduplicate(boolean deduplicate) {
            this.deduplicate = deduplicate;
            return this;
        }

        /** After how long without a member the server removes a non-durable group (a gather responder); default 5 minutes. */
        public Builder inactiveThreshold(Duration inactiveThreshold) {
            this.inactiveThreshold = positive("inactiveThreshold", inactiveThreshold);
            return this;
        }

        /**
         * Connects. Fails with a {@link TransportException} when no server answers within the
         * connection timeout; after that, the connection is re-established as often as needed.
         */
        public NatsTransport build() {
            Options natsOpts = natsOptions != null ? natsOptions : new Options.Builder().server(url)
                    .connectionName("parley" + (clientId != null ? "-" + clientId : ""))
                    .maxReconnects(-1).reconnectWait(Duration.ofMillis(250)).connectionTimeout(Duration.ofSeconds(5))
                    .errorListener(new LoggingListener()).connectionListener(new LoggingListener()).build();
            Connection connection;
            try {
                connection = Nats.connect(natsOpts);
            } catch (IOException e) {
                throw new TransportException(ErrorCode.UNAVAILABLE, "cannot connect to NATS at " + String.join(",",
                        natsOpts.getServers().stream().map(Object::toString).toList()) + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransportException(ErrorCode.UNAVAILABLE, "interrupted while connecting to NATS", e);
            }
            return new NatsTransport(this, connection);
        }

        private static Duration positive(String name, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }
    }

    /** Logs what jnats reports: connection changes at info, errors at warn. */
    private static final class LoggingListener implements ErrorListener, ConnectionListener {
        @Override
        public void connectionEvent(Connection conn, Events type) {
            if (type == Events.DISCONNECTED || type == Events.RECONNECTED || type == Events.CLOSED) {
                log.info("NATS connection {}: {}", conn.getOptions().getConnectionName(), type);
            } else {
                log.debug("NATS connection {}: {}", conn.getOptions().getConnectionName(), type);
            }
        }

        @Override
        public void errorOccurred(Connection conn, String error) {
            log.warn("NATS error on {}: {}", conn.getOptions().getConnectionName(), error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            log.warn("NATS exception on {}: {}", conn.getOptions().getConnectionName(), exp.toString());
        }

        @Override
        public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
            log.warn("NATS slow consumer on {}: messages dropped", conn.getOptions().getConnectionName());
        }
    }
}
