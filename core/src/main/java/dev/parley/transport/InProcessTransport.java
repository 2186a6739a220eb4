package dev.parley.transport;

import dev.parley.internal.Checks;
import dev.parley.ErrorCode;
import dev.parley.ErrorInfo;
import dev.parley.ParleyClock;
import dev.parley.TransportException;
import dev.parley.codec.Codec;
import dev.parley.contract.ContractDescriptor;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default transport: every interaction style inside one JVM, with the semantics
 * the network transports have. Requests are encoded and decoded as on the wire (unless
 * {@link Builder#passByReference} is set), deadlines and cancellation reach the handler, one-way
 * messages get no reply (they wait for a server, and are redelivered when the handler fails, like
 * events), messages over {@link Builder#maxMessageBytes} are refused, events fan out to every consumer group and are shared within a group,
 * failed events are redelivered with backoff and then dead-lettered, events published while a
 * group has no member wait for one, and gathers reach every responder.
 *
 * <p>Share one instance between the {@code Parley} runtimes of the services that should see
 * each other. Several instances serving one contract share its calls round-robin.
 *
 * <p>For tests, a {@link FaultPlan} injects latency, errors, dropped replies and disconnects.
 */
public final class InProcessTransport implements Transport, TopicTransport {

    private static final Logger log = LoggerFactory.getLogger(InProcessTransport.class);
    private static final String COMMANDS_GROUP = "servers";

    private final ParleyClock clock;
    private final boolean passByReference;
    private final int maxDeliveries;
    private final Duration redeliveryBackoff;
    private final int maxMessageBytes;
    private volatile FaultPlan faults;
    private final Map<String, Members> services = new ConcurrentHashMap<>();
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private InProcessTransport(Builder b) {
        this.clock = b.clock;
        this.passByReference = b.passByReference;
        this.maxDeliveries = b.maxDeliveries;
        this.redeliveryBackoff = b.redeliveryBackoff;
        this.maxMessageBytes = b.maxMessageBytes;
        this.faults = b.faults;
    }

    public static InProcessTransport create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "in-process";
    }

    /** Replaces the fault plan, e.g. to heal a dependency in the middle of a test. */
    public void faults(FaultPlan plan) {
        this.faults = plan;
    }

    /** Messages given up on, oldest first. */
    public List<DeadLetter> deadLetters() {
        return Collections.unmodifiableList(deadLetters);
    }

    /** Events waiting for a member of {@code group} on {@code topic}. */
    public int backlog(String topic, String group) {
        Topic t = topics.get(topic);
        if (t == null) {
            return 0;
        }
        Group g = t.groups.get(group);
        return g == null ? 0 : g.backlogSize();
    }

    @Override
    public ClientChannel connect(Class<?> contract) {
        String address = ContractDescriptor.of(contract).address();
        return new ClientChannel() {
            @Override
            public String target() {
                return "in-process:" + address;
            }

            @Override
            public boolean acceptsLocalMessages() {
                return passByReference;
            }

            @Override
            public CompletableFuture<Envelope> request(Envelope request) {
                return InProcessTransport.this.request(address, request);
            }

            @Override
            public CompletableFuture<Void> send(Envelope message) {
                return InProcessTransport.this.send(address, message);
            }

            @Override
            public String toString() {
                return target();
            }
        };
    }

    @Override
    public Registration serve(Class<?> contract, InboundHandler handler) {
        ensureOpen();
        String address = ContractDescriptor.of(contract).address();
        Members members = services.computeIfAbsent(address, a -> new Members());
        members.handlers.add(handler);
        Group commands = commands(address);
        commands.join(handler);
        return () -> {
            members.handlers.remove(handler);
            commands.leave(handler);
        };
    }

    /**
     * The one-way commands to {@code address}: a consumer group of the contract's servers, so
     * that commands sent while no server runs wait for one, and failed ones are redelivered and
     * dead-lettered, as on a broker.
     */
    private Group commands(String address) {
        String name = address + "#commands";
        Topic t = topics.computeIfAbsent(name, Topic::new);
        return t.groups.computeIfAbsent(COMMANDS_GROUP, g -> new Group(name, g));
    }

    private CompletableFuture<Envelope> request(String address, Envelope request) {
        TransportException tooLarge = checkSize(address, request);
        if (tooLarge != null) {
            return CompletableFuture.failedFuture(tooLarge);
        }
        InboundHandler handler = pick(address);
        if (handler == null) {
            return CompletableFuture.failedFuture(unavailable(address));
        }
        Fault fault = faults.decide(address, request);
        CompletableFuture<Envelope> reply = new CompletableFuture<>();
        switch (fault) {
            case Fault.None none -> dispatch(handler, request, reply, false);
            case Fault.Latency latency -> {
                ParleyClock.Cancellable delayed = clock.schedule(latency.delay(), () -> {
                    if (!reply.isDone()) {
                        dispatch(handler, request, reply, false);
                    }
                });
                reply.whenComplete((r, e) -> delayed.cancel());
            }
            case Fault.Error error -> reply.complete(errorReply(request, error.code(), error.message(), "in-process-fault"));
            case Fault.DropReply drop -> dispatch(handler, request, reply, true);
            case Fault.Disconnect disconnect -> reply.completeExceptionally(
                    new TransportException("in-process:" + address + ": connection lost (injected fault)", null));
        }
        return reply;
    }

    private void dispatch(InboundHandler handler, Envelope request, CompletableFuture<Envelope> reply, boolean dropReply) {
        ParleyClock.Cancellable work = handler.handle(request, dropReply ? ReplySink.IGNORE : reply::complete);
        // A caller that gives up (deadline, cancel) cancels the handler's work.
        reply.whenComplete((r, e) -> {
            if (reply.isCancelled()) {
                work.cancel();
            }
        });
    }

    private CompletableFuture<Void> send(String address, Envelope message) {
        ensureOpen();
        TransportException tooLarge = checkSize(address, message);
        if (tooLarge != null) {
            return CompletableFuture.failedFuture(tooLarge);
        }
        Fault fault = faults.decide(address, message);
        switch (fault) {
            case Fault.Disconnect d -> {
                return CompletableFuture.failedFuture(new TransportException("in-process:" + address + ": connection lost (injected fault)", null));
            }
            case Fault.Error e -> {
                // A one-way message that the "network" lost: the sender cannot tell.
                return CompletableFuture.completedFuture(null);
            }
            case Fault.Latency latency -> clock.schedule(latency.delay(), () -> commands(address).offer(new Delivery(message, 1)));
            default -> commands(address).offer(new Delivery(message, 1));
        }
        return CompletableFuture.completedFuture(null);
    }

    private @Nullable TransportException checkSize(String where, Envelope message) {
        if (!message.isLocal() && message.body().length > maxMessageBytes) {
            return new TransportException(ErrorCode.PAYLOAD_TOO_LARGE, "in-process:" + where + ": message has " + message.body().length
                    + " bytes, over the limit of " + maxMessageBytes + " bytes (maxMessageBytes)", null);
        }
        return null;
    }

    private InboundHandler pick(String address) {
        ensureOpen();
        Members members = services.get(address);
        if (members == null) {
            return null;
        }
        return members.next();
    }

    private static TransportException unavailable(String address) {
        return new TransportException("in-process:" + address + ": no service serves " + address + " in this process", null);
    }

    private static Envelope errorReply(Envelope request, ErrorCode code, String message, String source) {
        Headers.Builder h = Headers.builder().set(StandardHeaders.STATUS, code.name()).set(StandardHeaders.SOURCE, source);
        String id = request.headers().valueOrNull(StandardHeaders.MESSAGE_ID);
        if (id != null) {
            h.set(StandardHeaders.CORRELATION_ID, id);
        }
        ErrorInfo info = new ErrorInfo(code.name(), message, Map.of());
        if (request.isLocal()) {
            return Envelope.local(h.build(), info);
        }
        Codec json = Codec.json();
        h.set(StandardHeaders.CONTENT_TYPE, json.contentType());
        return Envelope.of(h.build(), json.forType(ErrorInfo.class).encode(info));
    }

    // ---- topics ------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> publish(String topic, Envelope message) {
        ensureOpen();
        TransportException tooLarge = checkSize(topic, message);
        if (tooLarge != null) {
            return CompletableFuture.failedFuture(tooLarge);
        }
        Fault fault = faults.decide(topic, message);
        if (fault instanceof Fault.Disconnect) {
            return CompletableFuture.failedFuture(new TransportException("in-process:" + topic + ": connection lost (injected fault)", null));
        }
        if (fault instanceof Fault.Error error) {
            return CompletableFuture.failedFuture(new TransportException(error.code(), "in-process:" + topic + ": " + error.message(), null));
        }
        Topic t = topics.computeIfAbsent(topic, Topic::new);
        for (Group group : t.groups.values()) {
            group.offer(new Delivery(message, 1));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Registration subscribe(String topic, String group, InboundHandler handler) {
        ensureOpen();
        Topic t = topics.computeIfAbsent(topic, Topic::new);
        Group g = t.groups.computeIfAbsent(group, name -> new Group(t.name, name));
        g.join(handler);
        return () -> g.leave(handler);
    }

    @Override
    public Registration respond(String topic, String responderId, InboundHandler handler) {
        ensureOpen();
        Topic t = topics.computeIfAbsent(topic, Topic::new);
        if (t.responders.putIfAbsent(responderId, handler) != null) {
            throw new IllegalStateException("responder " + responderId + " already answers on " + topic);
        }
        return () -> t.responders.remove(responderId, handler);
    }

    @Override
    public List<String> scatter(String topic, Envelope request, ReplySink replies) {
        ensureOpen();
        Topic t = topics.get(topic);
        if (t == null || t.responders.isEmpty()) {
            return List.of();
        }
        List<String> reached = new ArrayList<>();
        for (Map.Entry<String, InboundHandler> responder : new LinkedHashMap<>(t.responders).entrySet()) {
            Fault fault = faults.decide(topic, request);
            reached.add(responder.getKey());
            switch (fault) {
                case Fault.Disconnect d -> { }
                case Fault.Error e -> replies.reply(errorReply(request, e.code(), e.message(), responder.getKey()));
                case Fault.DropReply d -> responder.getValue().handle(request, ReplySink.IGNORE);
                case Fault.Latency l -> clock.schedule(l.delay(), () -> responder.getValue().handle(request, replies));
                case Fault.None n -> responder.getValue().handle(request, replies);
            }
        }
        return reached;
    }

    @Override
    public void close() {
        closed = true;
        services.clear();
        topics.clear();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("in-process transport is closed");
        }
    }

    private static final class Members {
        final List<InboundHandler> handlers = new CopyOnWriteArrayList<>();
        final AtomicInteger next = new AtomicInteger();

        InboundHandler next() {
            List<InboundHandler> snapshot = handlers;
            int size = snapshot.size();
            if (size == 0) {
                return null;
            }
            if (size == 1) {
                return snapshot.get(0);
            }
            try {
                return snapshot.get(Math.floorMod(next.getAndIncrement(), size));
            } catch (IndexOutOfBoundsException e) {
                return next(); // a member left between size() and get()
            }
        }
    }

    private static final class Topic {
        final String name;
        final Map<String, Group> groups = new ConcurrentHashMap<>();
        final Map<String, InboundHandler> responders = new ConcurrentHashMap<>();

        Topic(String name) {
            this.name = name;
        }
    }

    private record Delivery(Envelope message, int attempt) {}

    /** A consumer group: members share deliveries; with no member, deliveries wait in the backlog. */
    private final class Group {
        final String topic;
        final String name;
        final Members members = new Members();
        private final Queue<Delivery> backlog = new ArrayDeque<>();

        Group(String topic, String name) {
            this.topic = topic;
            this.name = name;
        }

        void join(InboundHandler handler) {
            List<Delivery> waiting;
            synchronized (this) {
                members.handlers.add(handler);
                waiting = new ArrayList<>(backlog);
                backlog.clear();
            }
            waiting.forEach(this::offer);
        }

        void leave(InboundHandler handler) {
            members.handlers.remove(handler);
        }

        synchronized int backlogSize() {
            return backlog.size();
        }

        void offer(Delivery delivery) {
            InboundHandler member;
            synchronized (this) {
                member = members.next();
                if (member == null) {
                    backlog.add(delivery);
                    return;
                }
            }
            // Acknowledging: one-way commands report their outcome too, to be redelivered when they fail.
            member.handle(delivery.message(), ReplySink.acknowledging(ack -> onAck(delivery, ack)));
        }

        private void onAck(Delivery delivery, Envelope ack) {
            String status = ack.headers().valueOrNull(StandardHeaders.STATUS);
            if (status == null || status.equals(StandardHeaders.STATUS_OK)) {
                return;
            }
            String reason = status + ": " + reasonOf(ack);
            boolean hopeless = status.equals(ErrorCode.INVALID_ARGUMENT.name()) || status.equals(ErrorCode.UNIMPLEMENTED.name())
                    || status.equals(ErrorCode.DEADLINE_EXCEEDED.name());
            if (hopeless || delivery.attempt() >= maxDeliveries) {
                log.warn("dead-lettering event on {} for group {} after {} attempt(s): {}", topic, name, delivery.attempt(), reason);
                deadLetters.add(new DeadLetter(topic, name, delivery.message(), reason, delivery.attempt(), clock.instant()));
                return;
            }
            long backoff = redeliveryBackoff.toNanos() << Math.min(delivery.attempt() - 1, 16);
            log.debug("redelivering event on {} to group {} in {} ms (attempt {} failed: {})", topic, name, backoff / 1_000_000,
                    delivery.attempt(), reason);
            clock.schedule(backoff, () -> offer(new Delivery(delivery.message(), delivery.attempt() + 1)));
        }

        private String reasonOf(Envelope ack) {
            Object local = ack.localMessage().orElse(null);
            if (local instanceof ErrorInfo info) {
                return info.message();
            }
            try {
                return Codec.json().forType(ErrorInfo.class).decode(ack.body()) instanceof ErrorInfo info ? info.message() : "";
            } catch (RuntimeException e) {
                return "(unreadable error body)";
            }
        }
    }

    /** Builds an {@link InProcessTransport}. */
    public static final class Builder {
        private ParleyClock clock = ParleyClock.system();
        private boolean passByReference;
        private int maxDeliveries = 5;
        private Duration redeliveryBackoff = Duration.ofMillis(100);
        private FaultPlan faults = FaultPlan.NONE;
        private int maxMessageBytes = Integer.MAX_VALUE;

        private Builder() {}

        /**
         * The largest encoded message body the transport accepts, as a broker would. No limit by
         * default: the codec's read limits (see {@code CodecLimits}) bound what a handler decodes.
         */
        public Builder maxMessageBytes(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxMessageBytes: " + value + " (expected: >= 1)");
            }
            maxMessageBytes = value;
            return this;
        }

        /** The clock for injected latency and redelivery backoff; use the runtime's clock. */
        public Builder clock(ParleyClock value) {
            clock = value;
            return this;
        }

        /**
         * Passes request and reply objects by reference instead of encoding them. Faster, but
         * codec behaviour (tolerant reading, decoding errors, size limits) is skipped, and
         * messages must be deeply immutable. Off by default.
         */
        public Builder passByReference(boolean value) {
            passByReference = value;
            return this;
        }

        /** Deliveries of one event to one group before it is dead-lettered (default 5). */
        public Builder maxDeliveries(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxDeliveries: " + value + " (expected: >= 1)");
            }
            maxDeliveries = value;
            return this;
        }

        /** The wait before the first redelivery, doubled for each further one (default 100 ms). */
        public Builder redeliveryBackoff(Duration value) {
            redeliveryBackoff = Checks.requirePositive("redeliveryBackoff", value);
            return this;
        }

        public Builder faults(FaultPlan value) {
            faults = value;
            return this;
        }

        public InProcessTransport build() {
            return new InProcessTransport(this);
        }
    }
}
