package dev.parley;

import dev.parley.codec.Codec;
import dev.parley.contract.ContractDescriptor;
import dev.parley.contract.ContractException;
import dev.parley.contract.InteractionStyle;
import dev.parley.internal.ContractModel;
import dev.parley.internal.ContractModel.Operation;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.ClientChannel;
import dev.parley.transport.InProcessTransport;
import dev.parley.transport.Registration;
import dev.parley.transport.TopicNames;
import dev.parley.transport.TopicTransport;
import dev.parley.transport.Transport;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service instance's Parley runtime: it serves contract implementations, hands out client
 * proxies, publishes and subscribes to events, and gathers replies, over the transports it was
 * built with. Create one per service instance, share it, and close it on shutdown.
 *
 * <pre>{@code
 * InProcessTransport transport = InProcessTransport.create();      // the embedded default
 * Parley trips = Parley.builder().service("trip-management").transport(transport).build();
 * trips.serve(TripService.class, new TripManagement());
 *
 * Parley app = Parley.builder().service("passenger-app").transport(transport).build();
 * TripService client = app.client(TripService.class);
 * TripView trip = client.create(new CreateTrip("p-1", pickup));   // deadline, bulkhead, breaker, retries
 * }</pre>
 *
 * <p>Every outbound call runs through the same pipeline whatever the style and transport: a
 * deadline, a bulkhead and a circuit breaker per target, retries with a budget for idempotent
 * methods, and a fallback per method ({@link ClientOptions}). Handlers run on virtual threads
 * ({@link HandlerExecution}). Breakers and bulkheads are Resilience4j's and can be observed
 * through {@link #circuitBreakers()} and {@link #bulkheads()}; every call is reported to the
 * {@link CallListener}s.
 */
public final class Parley implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Parley.class);

    private final String service;
    private final String instanceId;
    private final Transport transport;
    private final TopicTransport topics;
    private final boolean ownsTransport;
    private final ParleyClock clock;
    private final Codec codec;
    private final Map<String, Codec> codecs;
    private final ClientOptions defaults;
    private final CallListener listener;
    private final Authenticator authenticator;
    private final IdempotencyStore idempotency;
    private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
    private final BulkheadRegistry bulkheads = BulkheadRegistry.ofDefaults();
    private final Map<String, ClientTarget> targets = new HashMap<>();
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private final List<ContractDescriptor> served = new CopyOnWriteArrayList<>();
    private final Map<String, LateHandler> lateHandlers = new ConcurrentHashMap<>();
    private Registration lateRegistration;
    private volatile boolean closed;

    private Parley(Builder b) {
        this.service = b.service;
        this.instanceId = b.instanceId != null ? b.instanceId : Ids.messageId().substring(0, 8);
        this.ownsTransport = b.transport == null;
        this.transport = b.transport != null ? b.transport : InProcessTransport.create();
        this.topics = b.topics != null ? b.topics : (transport instanceof TopicTransport t ? t : null);
        this.clock = b.clock;
        this.codec = b.codec != null ? b.codec : transport.preferredCodec().orElse(Codec.json());
        Map<String, Codec> known = new HashMap<>();
        known.put(Codec.json().contentType(), Codec.json());
        known.put(Codec.cbor().contentType(), Codec.cbor());
        known.put(codec.contentType(), codec);
        this.codecs = Map.copyOf(known);
        this.defaults = b.defaults;
        this.authenticator = b.authenticator;
        this.idempotency = b.idempotency;
        List<CallListener> ls = List.copyOf(b.listeners);
        this.listener = ls.isEmpty() ? null : ls.size() == 1 ? ls.get(0) : event -> ls.forEach(l -> l.onCall(event));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The service name; also the default consumer group of its subscriptions. */
    public String service() {
        return service;
    }

    /** {@code service/instanceId}, the {@code parley-source} of everything this instance sends. */
    public String source() {
        return service + "/" + instanceId;
    }

    public ParleyClock clock() {
        return clock;
    }

    /** The store that skips duplicate events and one-way messages (see {@link Builder#idempotency}). */
    public IdempotencyStore idempotency() {
        return idempotency;
    }

    public Transport transport() {
        return transport;
    }

    /** Circuit breakers by target name, e.g. {@code in-process:trips/v1}. */
    public CircuitBreakerRegistry circuitBreakers() {
        return breakers;
    }

    /** Bulkheads by target name. */
    public BulkheadRegistry bulkheads() {
        return bulkheads;
    }

    /** A client proxy for {@code contract} with the runtime's default {@link ClientOptions}. */
    public <T> T client(Class<T> contract) {
        return client(contract, defaults);
    }

    /**
     * A client proxy for {@code contract}. Calls block (request/response, one-way) or return a
     * {@code CompletionStage} (request/async response); {@code @Gather} methods are called
     * through {@link #gather} instead. Create clients once and share them: they are thread-safe.
     *
     * @throws ContractException if the contract is misdeclared, or options name an unknown method
     */
    public <T> T client(Class<T> contract, ClientOptions options) {
        ensureOpen();
        ContractModel model = ContractModel.of(contract);
        for (String method : options.methods().keySet()) {
            if (model.operation(method).isEmpty()) {
                throw new ContractException("client options for " + model.descriptor().address() + " name method '" + method
                        + "', which the contract does not have");
            }
        }
        ClientChannel channel = transport.connect(contract);
        ClientTarget target = target(channel.target(), options);
        Codec requestCodec = options.codec().orElse(codec);
        Map<Method, ClientInvoker> invokers = new HashMap<>();
        for (Operation op : model.operations()) {
            ClientInvoker.Exchange exchange = switch (op.style()) {
                case REQUEST_RESPONSE, REQUEST_ASYNC_RESPONSE -> channel::request;
                case ONE_WAY -> m -> {
                    CompletableFuture<Void> sent = channel.send(m);
                    CompletableFuture<Envelope> accepted = sent.thenApply(v -> null);
                    // The pipeline cancels what it holds; pass that on so the transport can abort the send.
                    accepted.whenComplete((v, e) -> {
                        if (accepted.isCancelled()) {
                            sent.cancel(true);
                        }
                    });
                    return accepted;
                };
                case PUBLISH_SUBSCRIBE, PUBLISH_ASYNC_RESPONSES -> null;
            };
            if (exchange == null) {
                continue;
            }
            invokers.put(op.method(), invoker(op, target, exchange, op.style().expectsReply(),
                    channel.acceptsLocalMessages(), requestCodec, options));
        }
        return proxy(contract, model, invokers);
    }

    /**
     * A proxy whose {@code @Event} methods publish to the contract's topic. The call returns
     * once the transport accepted the event (or, for {@code CompletionStage<Void>} methods,
     * the stage completes then). Publishing has the same deadline, breaker and bulkhead as calls,
     * and retries (events carry a message id, so subscribers drop duplicates).
     */
    public <T> T publisher(Class<T> contract) {
        return publisher(contract, defaults);
    }

    public <T> T publisher(Class<T> contract, ClientOptions options) {
        ensureOpen();
        TopicTransport t = requireTopics("publish");
        ContractModel model = ContractModel.of(contract);
        ClientTarget target = target(transport.name() + ":" + TopicNames.events(model.descriptor()), options);
        Map<Method, ClientInvoker> invokers = new HashMap<>();
        for (Operation op : model.operations()) {
            if (op.style() == InteractionStyle.PUBLISH_SUBSCRIBE) {
                String topic = TopicNames.events(model.descriptor());
                invokers.put(op.method(), invoker(op, target, m -> t.publish(topic, m).thenApply(v -> null), false, false,
                        options.codec().orElse(codec), options));
            }
        }
        if (invokers.isEmpty()) {
            throw new ContractException(model.descriptor().address() + " declares no @Event methods to publish");
        }
        return proxy(contract, model, invokers);
    }

    private ClientInvoker invoker(Operation op, ClientTarget target, ClientInvoker.Exchange exchange, boolean expectsReply,
                                  boolean local, Codec requestCodec, ClientOptions options) {
        ClientOptions.MethodOptions m = options.methods().get(op.name());
        Duration deadline = m != null && m.deadline().isPresent() ? m.deadline().get()
                : options.deadline().or(() -> op.descriptor().deadline()).or(() -> op.contract().deadline()).orElse(ClientOptions.DEFAULT_DEADLINE);
        var retry = m != null && m.retry().isPresent() ? m.retry().get() : options.retry();
        boolean idempotent = op.descriptor().idempotent() || op.style() == InteractionStyle.PUBLISH_SUBSCRIBE;
        return new ClientInvoker(op, target, exchange, expectsReply, local, requestCodec, codecs::get, deadline.toNanos(), retry,
                idempotent, m != null ? m.fallback().orElse(null) : null, clock, source(), listener);
    }

    private synchronized ClientTarget target(String name, ClientOptions options) {
        return targets.computeIfAbsent(name, n -> ClientTarget.create(n, options, clock, breakers, bulkheads));
    }

    /** The method a proxy was last called with and its invoker; immutable, so a racy read sees a consistent pair. */
    private record LastInvoker(@Nullable Method method, @Nullable ClientInvoker invoker) {}

    private <T> T proxy(Class<T> contract, ContractModel model, Map<Method, ClientInvoker> invokers) {
        Map<Method, ClientInvoker> byMethod = Map.copyOf(invokers);
        String description = "Parley client of " + model.descriptor().address() + " (" + transport.name() + ")";
        // The proxy class passes the same Method object on every call of a method (its own copy, not
        // the contract model's), so the last one looked up is remembered: an identity check instead
        // of a map lookup whose equals compares parameter types.
        LastInvoker[] last = {new LastInvoker(null, null)};
        InvocationHandler handler = (proxy, method, args) -> {
            LastInvoker hit = last[0];
            ClientInvoker invoker;
            if (hit.method == method) {
                invoker = hit.invoker;
            } else {
                invoker = byMethod.get(method);
                if (invoker != null) {
                    last[0] = new LastInvoker(method, invoker);
                }
            }
            if (invoker != null) {
                Object request = args == null ? null : args[0];
                return invoker.operation().asyncReturn() ? invoker.start(request) : invoker.invokeBlocking(request);
            }
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "toString" -> description;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                };
            }
            Operation op = model.operation(method);
            throw new IllegalStateException(op.qualifiedName() + " is " + op.style()
                    + (op.style() == InteractionStyle.PUBLISH_ASYNC_RESPONSES ? ": call it through Parley.gather(..)"
                    : op.style() == InteractionStyle.PUBLISH_SUBSCRIBE ? ": publish it through Parley.publisher(..)"
                    : ": it is not available on this proxy"));
        };
        return contract.cast(Proxy.newProxyInstance(contract.getClassLoader(), new Class<?>[] {contract}, handler));
    }

    /** Serves {@code implementation} for {@code contract}, with handlers on virtual threads. */
    public <T> Registration serve(Class<T> contract, T implementation) {
        return serve(contract, implementation, HandlerExecution.VIRTUAL_THREAD);
    }

    /**
     * Serves {@code implementation}: its one-to-one methods through the transport, and its
     * {@code @Gather} methods as a responder on the contract's gather topic.
     */
    public <T> Registration serve(Class<T> contract, T implementation, HandlerExecution execution) {
        ensureOpen();
        ContractModel model = ContractModel.of(contract);
        ServiceDispatcher dispatcher = dispatcher(model, implementation, execution, model.descriptor().address());
        List<Registration> parts = new ArrayList<>();
        boolean oneToOne = model.operations().stream().anyMatch(op -> !op.style().isOneToMany());
        boolean gather = model.operations().stream().anyMatch(op -> op.style() == InteractionStyle.PUBLISH_ASYNC_RESPONSES);
        if (!oneToOne && !gather) {
            throw new ContractException(model.descriptor().address()
                    + " has only @Event methods: subscribe to it with Parley.subscribe(..) instead of serving it");
        }
        if (oneToOne) {
            parts.add(transport.serve(contract, dispatcher));
        }
        if (gather) {
            parts.add(requireTopics("serve @Gather methods").respond(TopicNames.gather(model.descriptor()), source(), dispatcher));
        }
        ContractDescriptor descriptor = model.descriptor();
        served.add(descriptor);
        parts.add(() -> served.remove(descriptor));
        return register(parts);
    }

    /**
     * The contracts this runtime serves now (one entry per {@link #serve} registration still
     * open), for service discovery to announce and for operations consoles to show.
     */
    public List<ContractDescriptor> served() {
        return List.copyOf(served);
    }

    /** Subscribes {@code handler} to the contract's events, in the consumer group named after this service. */
    public <T> Registration subscribe(Class<T> contract, T handler) {
        return subscribe(contract, handler, service);
    }

    /**
     * Subscribes {@code handler} to the contract's events in consumer {@code group}: every group
     * gets every event once, and the members of a group share them. Only the {@code @Event}
     * methods the handler overrides are delivered; others are acknowledged and skipped. A
     * handler that throws gets the event again later; after the transport's attempts it is
     * dead-lettered.
     */
    public <T> Registration subscribe(Class<T> contract, T handler, String group) {
        ensureOpen();
        if (group.isBlank()) {
            throw new IllegalArgumentException("group: '" + group + "' (expected: a non-blank consumer group name)");
        }
        ContractModel model = ContractModel.of(contract);
        if (model.operations().stream().noneMatch(op -> op.style() == InteractionStyle.PUBLISH_SUBSCRIBE)) {
            throw new ContractException(model.descriptor().address() + " declares no @Event methods to subscribe to");
        }
        ServiceDispatcher dispatcher = dispatcher(model, handler, HandlerExecution.VIRTUAL_THREAD,
                model.descriptor().address() + "#" + group);
        return register(List.of(requireTopics("subscribe").subscribe(TopicNames.events(model.descriptor()), group, dispatcher)));
    }

    /**
     * Publish/async responses: sends {@code request} to every responder of {@code method} and
     * waits for their replies until the deadline, the wanted count, or everyone answered.
     * Blocks; see {@link #gatherAsync} for the non-blocking form.
     *
     * <pre>{@code
     * Gathered<DriverOffer> offers = parley.gather(Drivers.class, Drivers::offer, request,
     *         GatherOptions.within(Duration.ofSeconds(2)).wanted(3));
     * }</pre>
     */
    public <T, Q, R> Gathered<R> gather(Class<T> contract, BiFunction<T, Q, R> method, Q request, GatherOptions options) {
        CompletableFuture<Gathered<R>> f = gatherAsync(contract, method, request, options);
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw ParleyException.of(ErrorCode.CANCELLED, "interrupted while gathering");
        } catch (ExecutionException e) {
            throw ClientInvoker.asParleyException(e.getCause());
        }
    }

    public <T, Q, R> CompletableFuture<Gathered<R>> gatherAsync(Class<T> contract, BiFunction<T, Q, R> method, Q request,
                                                                 GatherOptions options) {
        ensureOpen();
        ContractModel model = ContractModel.of(contract);
        Operation op = model.operation(MethodRecorder.record(contract, method));
        if (op.style() != InteractionStyle.PUBLISH_ASYNC_RESPONSES) {
            throw new IllegalArgumentException(op.qualifiedName() + " is " + op.style() + ", not a @Gather method");
        }
        return new GatherCall<R>(op, requireTopics("gather"), codec, clock, source(), listener).start(request, options);
    }

    private ServiceDispatcher dispatcher(ContractModel model, Object implementation, HandlerExecution execution, String scope) {
        if (!model.type().isInstance(implementation)) {
            throw new IllegalArgumentException(implementation.getClass().getName() + " does not implement " + model.type().getName());
        }
        return new ServiceDispatcher(model, implementation, execution, clock, codec, codecs::get, source(), listener, authenticator,
                idempotency, scope);
    }

    private Registration register(List<Registration> parts) {
        Registration registration = new Registration() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    parts.forEach(Registration::close);
                    registrations.remove(this);
                }
            }
        };
        registrations.add(registration);
        return registration;
    }

    /**
     * Receives the replies to {@code contract}'s {@link dev.parley.contract.DurableReply} methods
     * that arrive after the call that sent the request is gone, e.g. when this service
     * restarted while a payment was being authorized. It needs a transport whose reply channel
     * survives restarts (a broker transport with {@code durableReplies} and a stable client id);
     * on other transports it receives nothing. The handler runs on the transport's consumer
     * thread; if it throws, the reply is delivered again later.
     */
    public <T> Registration lateReplies(Class<T> contract, Consumer<LateReply> handler) {
        ensureOpen();
        ContractModel model = ContractModel.of(contract);
        if (model.operations().stream().noneMatch(Operation::durableReply)) {
            throw new ContractException(model.descriptor().address() + " declares no @DurableReply methods");
        }
        synchronized (lateHandlers) {
            if (lateHandlers.putIfAbsent(model.name(), new LateHandler(model, handler)) != null) {
                throw new IllegalStateException("late replies of " + model.descriptor().address() + " already have a handler");
            }
            if (lateRegistration == null) {
                lateRegistration = transport.lateReplies(this::onLateReply);
                registrations.add(lateRegistration);
            }
        }
        return () -> lateHandlers.remove(model.name());
    }

    private record LateHandler(ContractModel model, Consumer<LateReply> handler) {}

    private void onLateReply(Envelope reply) {
        Headers h = reply.headers();
        String contractName = h.valueOrNull(StandardHeaders.CONTRACT);
        String method = h.valueOrNull(StandardHeaders.OPERATION);
        LateHandler late = contractName == null ? null : lateHandlers.get(contractName);
        Operation op = late == null || method == null ? null : late.model().operation(method).orElse(null);
        if (op == null || !op.durableReply()) {
            log.debug("late reply to {} {} dropped: no @DurableReply method with a late-reply handler", contractName, method);
            return;
        }
        String status = h.valueOrNull(StandardHeaders.STATUS);
        String type = h.valueOrNull(StandardHeaders.CONTENT_TYPE);
        Codec c = type == null ? codec : codecs.getOrDefault(type, codec);
        String correlationId = Objects.requireNonNullElse(h.valueOrNull(StandardHeaders.CORRELATION_ID), "");
        String address = late.model().descriptor().address();
        LateReply result;
        if (status == null || status.equals(StandardHeaders.STATUS_OK)) {
            Object value = op.hasReplyBody() ? c.forType(op.replyType()).decode(reply.body()) : null;
            result = new LateReply(address, op.name(), correlationId, Optional.ofNullable(value), Optional.empty());
        } else {
            ErrorCode code = ErrorCode.parse(status).orElse(ErrorCode.INTERNAL);
            ErrorInfo info = ClientInvoker.errorInfo(reply, code, c);
            result = new LateReply(address, op.name(), correlationId, Optional.empty(),
                    Optional.of(new RemoteException(code, info.message(), info.details(), address + " " + op.name())));
        }
        late.handler().accept(result);
    }

    private TopicTransport requireTopics(String what) {
        if (topics == null) {
            throw new IllegalStateException("cannot " + what + ": transport " + transport.name()
                    + " carries no topics; configure one with Parley.builder().topics(..)");
        }
        return topics;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Parley runtime of " + source() + " is closed");
        }
    }

    /** Stops serving and subscriptions; closes the transport if this runtime created it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Registration r : List.copyOf(registrations)) {
            r.close();
        }
        if (ownsTransport) {
            transport.close();
        }
    }

    @Override
    public String toString() {
        return "Parley(" + source() + ", " + transport.name() + ")";
    }

    /** Builds a {@link Parley} runtime. */
    public static final class Builder {
        private String service = "parley-app";
        private String instanceId;
        private Transport transport;
        private TopicTransport topics;
        private ParleyClock clock = ParleyClock.system();
        private Codec codec;
        private ClientOptions defaults = ClientOptions.ofDefaults();
        private Authenticator authenticator;
        private final List<CallListener> listeners = new ArrayList<>();
        private IdempotencyStore idempotency = IdempotencyStore.inMemory(Duration.ofMinutes(10), 100_000);

        private Builder() {}

        /** The service's name, e.g. {@code dispatcher}: letters, digits, '-' and '.'. */
        public Builder service(String name) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                throw new IllegalArgumentException("service: '" + name + "' (expected: 1-64 letters, digits, '.', '_' or '-')");
            }
            this.service = name;
            return this;
        }

        /** This instance's id; a random one by default. */
        public Builder instanceId(String id) {
            if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("instanceId: '" + id + "' (expected: 1-64 letters, digits, '.', '_' or '-')");
            }
            this.instanceId = id;
            return this;
        }

        /** The transport for one-to-one calls (and topics, if it carries them). Default: a private in-process transport. */
        public Builder transport(Transport value) {
            this.transport = value;
            return this;
        }

        /** The transport for events and gathers, when it differs from {@link #transport}. */
        public Builder topics(TopicTransport value) {
            this.topics = value;
            return this;
        }

        public Builder clock(ParleyClock value) {
            this.clock = value;
            return this;
        }

        /**
         * The codec for outbound messages; inbound messages are read in whatever codec they declare.
         * Default: the transport's preferred codec (CBOR on binary RPC), else JSON.
         */
        public Builder codec(Codec value) {
            this.codec = value;
            return this;
        }

        /** The options of clients created without explicit options. */
        public Builder clientDefaults(ClientOptions value) {
            this.defaults = value;
            return this;
        }

        /**
         * Checks the callers of this service's handlers, on every transport; required when a
         * served contract declares {@link dev.parley.contract.RequiresScopes}.
         */
        public Builder authenticator(Authenticator value) {
            this.authenticator = value;
            return this;
        }

        /**
         * Where this runtime remembers the events and one-way messages it processed, to skip
         * duplicates that at-least-once delivery brings. Default: in memory, for 10 minutes and
         * at most 100,000 ids; a durable store survives restarts ({@code JdbcIdempotencyStore}
         * in {@code parley-messaging}); {@link IdempotencyStore#none()} turns it off.
         */
        public Builder idempotency(IdempotencyStore value) {
            this.idempotency = Objects.requireNonNull(value, "idempotency");
            return this;
        }

        public Builder listener(CallListener value) {
            listeners.add(value);
            return this;
        }

        public Parley build() {
            return new Parley(this);
        }
    }

    /** Finds the contract method a method reference such as {@code Drivers::offer} points to. */
    static final class MethodRecorder {
        private MethodRecorder() {}

        static <T, Q, R> Method record(Class<T> contract, BiFunction<T, Q, R> reference) {
            Method[] seen = new Method[1];
            T recorder = contract.cast(Proxy.newProxyInstance(contract.getClassLoader(), new Class<?>[] {contract}, (p, m, a) -> {
                seen[0] = m;
                return defaultValue(m.getReturnType());
            }));
            reference.apply(recorder, null);
            if (seen[0] == null) {
                throw new IllegalArgumentException("the gather method reference did not call a method of " + contract.getName());
            }
            return seen[0];
        }

        private static Object defaultValue(Class<?> type) {
            if (!type.isPrimitive() || type == void.class) {
                return null;
            }
            if (type == boolean.class) {
                return false;
            }
            if (type == char.class) {
                return '\0';
            }
            return type == long.class ? 0L : type == double.class ? 0d : type == float.class ? 0f : (Object) 0;
        }
    }
}
