package dev.parley.messaging.kafka;

import dev.parley.ErrorCode;
import dev.parley.TransportException;
import dev.parley.message.Envelope;
import dev.parley.message.StandardHeaders;
import dev.parley.messaging.BrokerTransport;
import dev.parley.messaging.ChannelNames;
import dev.parley.messaging.Inbound;
import dev.parley.messaging.MessagingOptions;
import dev.parley.messaging.Subscription;
import dev.parley.transport.Registration;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parley's messaging transport on Apache Kafka: every interaction style (request/response,
 * async responses, one-way commands, events, gather) over topics, with the semantics
 * {@link BrokerTransport} defines, built on the plain {@code kafka-clients} producer,
 * consumer and admin client.
 *
 * <pre>
 *  channel  ──▶ topic of the same name (created on first use, {@link Builder#partitions} partitions)
 *  group    ──▶ consumer group {@code <channel>.<group>} (so groups on different channels never share offsets)
 *  key      ──▶ record key: equal keys go to one partition and are processed in publish order
 *  headers  ──▶ record headers, UTF-8 strings; body ──▶ record value, as is
 *  dead letters ──▶ topic {@code <channel>.<group>.dead-letter}
 * </pre>
 *
 * <p>Publishing waits for {@code acks=all} from an idempotent producer and fails after
 * {@link MessagingOptions#publishTimeout()}. Consumers commit an offset only when every record
 * before it is settled; a failed record is retried in place (from memory, after its backoff)
 * while records with other keys go on; after {@link MessagingOptions#maxDeliveries()} it is
 * produced to the dead-letter topic and then committed past. Delivery is at least once: after
 * a crash or a rebalance, records not yet committed are delivered again (Parley's idempotency
 * store drops the duplicates). docs/brokers/kafka.md describes the mapping and the settings.
 *
 * <p>One instance holds one producer, one admin client and one consumer (with its poll thread)
 * per subscription; share it within a process, and close it when the process stops: closing
 * deletes this instance's reply topic. Building it does not connect: the clients connect when
 * first used (the first declaration or publish), and reconnect by themselves after an outage.
 */
public final class KafkaTransport extends BrokerTransport {

    private static final Logger log = LoggerFactory.getLogger(KafkaTransport.class);

    /** Room for the record's headers (at most 64 of 8 KiB) on top of the largest body. */
    static final int HEADER_ROOM = 600 * 1024;
    /** Settings Parley relies on; {@link Builder#clientProperty} may not change them. */
    private static final Set<String> RESERVED = Set.of(
            CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, ProducerConfig.ACKS_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, ConsumerConfig.GROUP_ID_CONFIG, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ProducerConfig.MAX_BLOCK_MS_CONFIG);

    /** Where publish futures complete: a virtual thread each, never the producer's I/O thread. */
    static final java.util.concurrent.Executor COMPLETIONS = task -> Thread.ofVirtual().name("parley-kafka-ack").start(task);

    private final String bootstrapServers;
    private final int partitions;
    private final Optional<Short> replicationFactor;
    private final Map<String, Object> extra;
    private final Duration adminTimeout;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Admin admin;
    /** Topics known to exist (or being created), by name. */
    private final Map<String, CompletableFuture<Void>> topics = new ConcurrentHashMap<>();
    private final Set<ConsumerLoop> loops = ConcurrentHashMap.newKeySet();
    private final AtomicInteger consumerCount = new AtomicInteger();

    private KafkaTransport(Builder b) {
        super("kafka", b.options, b.clientId, b.clock);
        this.bootstrapServers = b.bootstrapServers;
        this.partitions = b.partitions;
        this.replicationFactor = b.replicationFactor;
        this.extra = Map.copyOf(b.extra);
        MessagingOptions options = b.options;
        this.adminTimeout = options.publishTimeout().compareTo(Duration.ofSeconds(30)) > 0 ? options.publishTimeout() : Duration.ofSeconds(30);
        this.producer = new KafkaProducer<>(producerConfig(options), new ByteArraySerializer(), new ByteArraySerializer());
        try {
            this.admin = Admin.create(adminConfig());
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The consumer group of {@code subscription}: {@code <channel>.<group>}. */
    public static String groupId(Subscription subscription) {
        return subscription.channel() + "." + subscription.group();
    }

    // ---- the four broker operations ----------------------------------------------------------

    @Override
    protected void declare(Subscription subscription) {
        String channel = subscription.channel();
        try {
            if (ChannelNames.isReplies(channel) && !subscription.durable()) {
                // This instance's own reply topic: one partition is plenty for one consumer; it is
                // deleted when the transport closes, and old replies are worthless, so keep them briefly.
                await(ensureTopic(channel, 1, Map.of(org.apache.kafka.common.config.TopicConfig.RETENTION_MS_CONFIG, "3600000")),
                        "create reply topic " + channel);
                return;
            }
            if (!subscription.durable()) {
                await(ensureTopic(channel, partitions, Map.of()), "create topic " + channel);
                return;
            }
            boolean replies = ChannelNames.isReplies(channel);
            if (!replies && hasOffsets(subscription)) {
                // The group consumed this channel before, so its topics were declared then: one round
                // trip instead of four, while the first request's deadline is already running.
                topics.putIfAbsent(channel, CompletableFuture.completedFuture(null));
                return;
            }
            // A durable reply topic (MessagingOptions.durableReplies) is read by one instance: one partition.
            await(ensureTopic(channel, replies ? 1 : partitions, Map.of()), "create topic " + channel);
            String deadLetters = ChannelNames.deadLetter(channel, subscription.group());
            await(ensureTopic(deadLetters, 1, Map.of()), "create dead-letter topic " + deadLetters);
            if (!replies) {
                // (A durable reply topic is this instance's own: whatever waits there is for it.)
                startAtEnd(subscription);
            }
        } catch (TransportException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TransportException(ErrorCode.UNAVAILABLE, "kafka at " + bootstrapServers + ": cannot declare " + channel
                    + " for group " + subscription.group() + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected CompletableFuture<Void> send(String channel, Envelope message, @Nullable String key) {
        String recordKey = key != null ? key : message.headers().valueOrNull(StandardHeaders.MESSAGE_ID);
        return produce(channel, recordKey == null ? null : recordKey.getBytes(StandardCharsets.UTF_8), message);
    }

    @Override
    protected Registration consume(Subscription subscription, Inbound inbound) {
        ConsumerLoop loop = new ConsumerLoop(this, subscription, inbound, consumerConfig(subscription));
        loops.add(loop);
        try {
            loop.start(adminTimeout);
        } catch (RuntimeException e) {
            loops.remove(loop);
            loop.close();
            throw e;
        }
        return () -> {
            if (loops.remove(loop)) {
                loop.close();
            }
        };
    }

    @Override
    protected void closeBroker() {
        for (ConsumerLoop loop : new ArrayList<>(loops)) {
            loop.close();
        }
        loops.clear();
        String replies = ChannelNames.replies(clientId());
        if (topics.containsKey(replies) && !options().durableReplies()) {
            try {
                admin.deleteTopics(List.of(replies)).all().get(adminTimeout.toMillis(), TimeUnit.MILLISECONDS);
                log.debug("deleted reply topic {}", replies);
            } catch (Exception e) {
                log.warn("could not delete reply topic {} of closed transport {}: {}", replies, clientId(), e.toString());
            }
        }
        try {
            producer.close(Duration.ofSeconds(5));
        } finally {
            admin.close(Duration.ofSeconds(5));
        }
    }

    // ---- producing -----------------------------------------------------------------------------

    /**
     * Produces {@code message} to {@code topic} and completes when the broker acknowledged it
     * ({@code acks=all}). A reply topic must exist already; any other topic is created if missing.
     */
    CompletableFuture<Void> produce(String topic, byte @Nullable [] key, Envelope message) {
        try {
            CompletableFuture<Void> exists = ChannelNames.isReplies(topic) ? replyTopicExists(topic) : ensureTopic(topic, partitions, Map.of());
            if (!exists.isDone()) {
                // Wait here, on the caller's thread, so that messages from one thread keep their order.
                exists.get(options().publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
            exists.join();
        } catch (TimeoutException e) {
            return CompletableFuture.failedFuture(new TransportException(ErrorCode.UNAVAILABLE, "kafka at " + bootstrapServers
                    + ": topic " + topic + " not confirmed within " + options().publishTimeout().toMillis() + " ms", e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new TransportException("kafka: interrupted while publishing to " + topic, e));
        } catch (ExecutionException | RuntimeException e) {
            Throwable cause = e.getCause() != null && !(e instanceof TransportException) ? e.getCause() : e;
            return CompletableFuture.failedFuture(cause instanceof TransportException t ? t
                    : new TransportException(ErrorCode.UNAVAILABLE, "kafka at " + bootstrapServers + ": topic " + topic + ": " + cause, cause));
        }
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, key, message.body());
        message.headers().forEach((name, value) -> record.headers().add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8))));
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
                // Not on the producer's I/O thread: what the caller chains to the future (decoding,
                // its own code, even a blocking publish) must never stall every other publish.
                if (error == null) {
                    COMPLETIONS.execute(() -> acked.complete(null));
                } else {
                    TransportException failure = new TransportException(ErrorCode.UNAVAILABLE,
                            "kafka at " + bootstrapServers + " did not acknowledge the message to " + topic + ": " + error, error);
                    COMPLETIONS.execute(() -> acked.completeExceptionally(failure));
                }
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(new TransportException(ErrorCode.UNAVAILABLE,
                    "kafka at " + bootstrapServers + " refused the message to " + topic + ": " + e, e));
        }
        return acked;
    }

    private CompletableFuture<Void> replyTopicExists(String topic) {
        CompletableFuture<Void> known = topics.get(topic);
        if (known != null && !known.isCompletedExceptionally()) {
            return known;
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        admin.describeTopics(List.of(topic)).allTopicNames().whenComplete((d, e) -> {
            if (e == null) {
                topics.putIfAbsent(topic, CompletableFuture.completedFuture(null));
                result.complete(null);
            } else if (unwrap(e) instanceof UnknownTopicOrPartitionException) {
                result.completeExceptionally(new TransportException(ErrorCode.UNAVAILABLE,
                        "kafka: reply topic " + topic + " does not exist (its transport closed)", null));
            } else {
                result.completeExceptionally(unwrap(e));
            }
        });
        return result;
    }

    /** Creates {@code topic} unless it exists; completes when it does. Failed attempts are not remembered. */
    private CompletableFuture<Void> ensureTopic(String topic, int partitionCount, Map<String, String> configs) {
        CompletableFuture<Void> known = topics.get(topic);
        if (known != null) {
            return known;
        }
        CompletableFuture<Void> created = new CompletableFuture<>();
        CompletableFuture<Void> raced = topics.putIfAbsent(topic, created);
        if (raced != null) {
            return raced;
        }
        Map<String, String> all = new HashMap<>(configs);
        all.put(org.apache.kafka.common.config.TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                Integer.toString(options().maxMessageBytes() + HEADER_ROOM));
        NewTopic newTopic = new NewTopic(topic, Optional.of(partitionCount), replicationFactor).configs(all);
        admin.createTopics(List.of(newTopic)).all().whenComplete((v, e) -> {
            if (e == null) {
                log.debug("created topic {} ({} partitions)", topic, partitionCount);
                created.complete(null);
            } else if (unwrap(e) instanceof TopicExistsException) {
                created.complete(null);
            } else {
                topics.remove(topic, created);
                created.completeExceptionally(unwrap(e));
            }
        });
        return created;
    }

    /** Whether the group has committed offsets on its channel. */
    private boolean hasOffsets(Subscription subscription) {
        String group = groupId(subscription);
        try {
            return get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(), "read offsets of group " + group)
                    .keySet().stream().anyMatch(tp -> tp.topic().equals(subscription.channel()));
        } catch (TransportException e) {
            if (unwrap(e.getCause()) instanceof GroupIdNotFoundException) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Gives a new durable group committed offsets at the current end of its channel, the way a
     * new queue on another broker gets the messages published after it was declared, not the
     * channel's whole history. Called only for a group without offsets; if a member started
     * consuming meanwhile, its offsets rule.
     */
    private void startAtEnd(Subscription subscription) {
        String group = groupId(subscription);
        String channel = subscription.channel();
        TopicDescription description = get(admin.describeTopics(List.of(channel)).allTopicNames(), "describe " + channel).get(channel);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        description.partitions().forEach(p -> latest.put(new TopicPartition(channel, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = get(admin.listOffsets(latest).all(), "read end offsets of " + channel);
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        ends.forEach((tp, info) -> start.put(tp, new OffsetAndMetadata(info.offset())));
        try {
            get(admin.alterConsumerGroupOffsets(group, start).all(), "set the start offsets of group " + group);
            log.debug("new group {} starts at the end of {}: {}", group, channel, start);
        } catch (TransportException e) {
            Throwable cause = unwrap(e.getCause());
            if (!(cause instanceof GroupNotEmptyException || cause instanceof UnknownMemberIdException)) {
                throw e;
            }
            // Another member is consuming already: the group exists, and its offsets rule.
        }
    }

    private <T> T get(KafkaFuture<T> future, String what) {
        try {
            return future.get(adminTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("kafka: interrupted while trying to " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = unwrap(e);
            throw new TransportException(ErrorCode.UNAVAILABLE, "kafka at " + bootstrapServers + ": cannot " + what + ": " + cause, cause);
        }
    }

    private void await(CompletableFuture<Void> future, String what) {
        try {
            future.get(adminTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("kafka: interrupted while trying to " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = unwrap(e);
            throw new TransportException(ErrorCode.UNAVAILABLE, "kafka at " + bootstrapServers + ": cannot " + what + ": " + cause, cause);
        }
    }

    static Throwable unwrap(@Nullable Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t == null ? new IllegalStateException("no cause") : t;
    }

    // ---- client configuration ------------------------------------------------------------------

    private Map<String, Object> producerConfig(MessagingOptions options) {
        Map<String, Object> c = new LinkedHashMap<>();
        long timeout = options.publishTimeout().toMillis();
        long linger = Math.min(5, Math.max(0, timeout / 10));
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ProducerConfig.CLIENT_ID_CONFIG, "parley-" + clientId() + "-producer");
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.LINGER_MS_CONFIG, (int) linger);
        // A publish fails within publishTimeout, also while the broker is down: delivery.timeout.ms
        // bounds the wait for the acknowledgement, max.block.ms the wait for metadata and buffer space.
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1, Math.min(30_000, timeout - linger)));
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout));
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, options.maxMessageBytes() + HEADER_ROOM);
        c.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        extra.forEach((k, v) -> {
            if (ProducerConfig.configNames().contains(k)) {
                c.put(k, v);
            }
        });
        return c;
    }

    private Map<String, Object> adminConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(AdminClientConfig.CLIENT_ID_CONFIG, "parley-" + clientId() + "-admin");
        c.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) adminTimeout.toMillis());
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(adminTimeout.toMillis(), 30_000));
        extra.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                c.put(k, v);
            }
        });
        return c;
    }

    private Map<String, Object> consumerConfig(Subscription s) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "parley-" + clientId() + "-" + s.group() + "-" + consumerCount.incrementAndGet());
        if (s.durable()) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(s));
        }
        // else: a non-durable subscription (reply channel, gather responder) is its group's only
        // member and keeps no offsets: it reads every partition itself, with no group to join.
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A durable group without offsets (declare() gives a new one the channel's end; these are
        // partitions added later, or offsets the broker expired) reads from the start: at least once.
        // A non-durable group (reply channel, gather responder) only wants what comes after it.
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, s.durable() ? "earliest" : "latest");
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, List.of(CooperativeStickyAssignor.class.getName()));
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(1, Math.min(500, options().prefetch())));
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Math.max(1024 * 1024, options().maxMessageBytes() + HEADER_ROOM));
        c.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        // Members learn of a rebalance from their heartbeat: at the default 3 s a new member waits
        // seconds (twice, with cooperative rebalancing) before it gets partitions.
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        extra.forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(k)) {
                c.put(k, v);
            }
        });
        return c;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    // ---- builder -------------------------------------------------------------------------------

    /** Builds a {@link KafkaTransport}; only {@link #bootstrapServers} is required. */
    public static final class Builder {
        private @Nullable String bootstrapServers;
        private MessagingOptions options = MessagingOptions.ofDefaults();
        private @Nullable String clientId;
        private Clock clock = Clock.systemUTC();
        private int partitions = 3;
        private Optional<Short> replicationFactor = Optional.empty();
        private final Map<String, Object> extra = new LinkedHashMap<>();

        private Builder() {}

        /** {@code host:port[,host:port...]} of the cluster, e.g. {@code kafka-1:9092,kafka-2:9092}. */
        public Builder bootstrapServers(String value) {
            if (value.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers: '' (expected: host:port[,host:port...])");
            }
            bootstrapServers = value;
            return this;
        }

        public Builder options(MessagingOptions value) {
            options = Objects.requireNonNull(value, "options");
            return this;
        }

        /** This instance's id, naming its reply topic {@code parley.replies.<clientId>}; random by default. Unique per process. */
        public Builder clientId(String value) {
            clientId = Objects.requireNonNull(value, "clientId");
            return this;
        }

        /** The wall clock that dates messages ({@code parley-sent-at}) and measures their deadlines. */
        public Builder clock(Clock value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Partitions of the topics this transport creates (default 3): the most consumers of one
         * group that can work at once. Existing topics keep theirs.
         */
        public Builder partitions(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("partitions: " + value + " (expected: >= 1)");
            }
            partitions = value;
            return this;
        }

        /** Replication factor of the topics this transport creates; the broker's {@code default.replication.factor} by default. */
        public Builder replicationFactor(int value) {
            if (value < 1 || value > Short.MAX_VALUE) {
                throw new IllegalArgumentException("replicationFactor: " + value + " (expected: 1 to " + Short.MAX_VALUE + ")");
            }
            replicationFactor = Optional.of((short) value);
            return this;
        }

        /**
         * A {@code kafka-clients} setting passed to the producer, consumers and admin client that
         * know it, e.g. {@code security.protocol}, {@code sasl.jaas.config}, {@code compression.type}.
         * The settings Parley's guarantees depend on (acks, idempotence, offsets, serializers,
         * timeouts derived from {@link MessagingOptions}) cannot be changed.
         */
        public Builder clientProperty(String name, Object value) {
            if (RESERVED.contains(name)) {
                throw new IllegalArgumentException("clientProperty: '" + name + "' (expected: a setting Parley does not manage; "
                        + "Parley sets " + name + " itself)");
            }
            extra.put(name, Objects.requireNonNull(value, "value"));
            return this;
        }

        public KafkaTransport build() {
            if (bootstrapServers == null) {
                throw new IllegalStateException("KafkaTransport: bootstrapServers not set (expected: host:port[,host:port...])");
            }
            return new KafkaTransport(this);
        }
    }
}
