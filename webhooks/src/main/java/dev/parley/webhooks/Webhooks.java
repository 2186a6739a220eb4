package dev.parley.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.ErrorCode;
import dev.parley.ParleyClock;
import dev.parley.contract.ContractDescriptor;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.net.GuardedHttpClient;
import dev.parley.net.HttpResult;
import dev.parley.net.SsrfPolicy;
import dev.parley.net.UnsafeTargetException;
import dev.parley.transport.InboundHandler;
import dev.parley.transport.Registration;
import dev.parley.transport.TopicNames;
import dev.parley.transport.TopicTransport;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher side of webhooks: endpoints registered by subscribers, and every event of the
 * chosen types POSTed to them following the Standard Webhooks specification.
 *
 * <pre>
 *  Parley topic ──► forward(..) ──► publish(type, data) ──► store: message + one delivery per
 *                                                           matching endpoint (one transaction)
 *                                                              │  then the event is acknowledged
 *   per endpoint: lane ◄───────────────────────────────────────┘
 *     due deliveries (≤ concurrency in flight) ──► sign (every valid secret) ──► GuardedHttpClient
 *     2xx ─► DELIVERED        410 ─► endpoint DISABLED        429/502/503/504, Retry-After ─► slow down
 *     other ─► retry on the schedule (same webhook-id) ─ last one failed ─► FAILED, endpoint DISABLED
 * </pre>
 *
 * <p>Delivery is at least once: a message is in the store before the event that caused it is
 * acknowledged, and a delivery is marked done only after a 2xx, so a crash between the two
 * sends it again, with the same {@code webhook-id} receivers de-duplicate by. Each endpoint has
 * its own lane: a concurrency limit, a circuit breaker after consecutive failures, and its own
 * timers on the {@link ParleyClock}; attempts run on virtual threads with a bounded request
 * timeout, so a slow or dead endpoint only ever holds its own slots and never delays others.
 *
 * <p>One instance per store; thread-safe. {@link #close()} stops dispatching (pending
 * deliveries stay in the store for the next start).
 */
public final class Webhooks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
    private static final String USER_AGENT = "Parley-Webhooks/0.1";
    private static final int PREFETCH = 32;
    private static final java.util.regex.Pattern WEBHOOK_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private final WebhookStore store;
    private final boolean ownsStore;
    private final ParleyClock clock;
    private final GuardedHttpClient http;
    private final RetrySchedule schedule;
    private final RandomGenerator random;
    private final int maxInFlight;
    private final int breakerThreshold;
    private final Duration breakerWait;
    private final Duration rotationOverlap;
    private final Duration maxRetryAfter;
    private final Consumer<WebhookNotice> notices;
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("parley-webhooks-", 0).factory());
    private final Map<String, WebhookStore.StoredEndpoint> endpoints = new ConcurrentHashMap<>();
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger busy = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;

    private Webhooks(Builder b) {
        this.ownsStore = b.store == null;
        this.store = b.store != null ? b.store : WebhookStore.h2File(Path.of("parley-webhooks", "webhooks"));
        this.clock = b.clock;
        this.http = b.http != null ? b.http : GuardedHttpClient.builder().build();
        this.schedule = b.schedule;
        this.random = b.random;
        this.maxInFlight = b.maxInFlight;
        this.breakerThreshold = b.breakerThreshold;
        this.breakerWait = b.breakerWait;
        this.rotationOverlap = b.rotationOverlap;
        this.maxRetryAfter = b.maxRetryAfter;
        this.notices = b.notices;
        for (WebhookStore.StoredEndpoint e : store.endpoints()) {
            endpoints.put(e.endpoint().id(), e);
        }
        // Resume what a previous run left pending: the reason the queue is durable.
        for (String id : store.endpointsWithPending()) {
            wake(id);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    // --- endpoints ---------------------------------------------------------------------------

    /**
     * Registers an endpoint for {@code eventTypes} ({@code *} for all). The URL is checked
     * against the client's {@link SsrfPolicy} now (and again on every attempt, since DNS
     * answers change). The returned secret is shown only here.
     */
    public NewSecret createEndpoint(URI url, Set<String> eventTypes, String description) {
        ensureOpen();
        http.policy().checkWithoutResolving(url); // names are resolved and checked on every attempt
        if (eventTypes.isEmpty()) {
            throw new IllegalArgumentException("eventTypes: none (expected: event types such as trips.tripCompleted, or *)");
        }
        for (String t : eventTypes) {
            if (!t.matches("\\*|[A-Za-z0-9_.-]{1,200}")) {
                throw new IllegalArgumentException("eventTypes: '" + t + "' (expected: letters, digits, _ . - or *)");
            }
        }
        WebhookSecret secret = WebhookSecret.generate();
        Endpoint endpoint = new Endpoint(WebhookStore.newId("ep_"), url, eventTypes, description, EndpointStatus.ACTIVE,
                Optional.empty(), clock.instant());
        WebhookStore.StoredEndpoint stored = new WebhookStore.StoredEndpoint(endpoint, secret, null, 0);
        store.insertEndpoint(stored);
        endpoints.put(endpoint.id(), stored);
        return new NewSecret(endpoint, secret, Optional.empty());
    }

    public List<Endpoint> endpoints() {
        return endpoints.values().stream().map(WebhookStore.StoredEndpoint::endpoint)
                .sorted(java.util.Comparator.comparing(Endpoint::createdAt).thenComparing(Endpoint::id)).toList();
    }

    public Optional<Endpoint> endpoint(String id) {
        return Optional.ofNullable(endpoints.get(id)).map(WebhookStore.StoredEndpoint::endpoint);
    }

    /** Stops sending to an endpoint; new events are still queued for it. */
    public Endpoint pause(String id) {
        ensureOpen();
        return setStatus(id, EndpointStatus.PAUSED, "paused by its owner");
    }

    /** Sends to a paused or disabled endpoint again, starting with what is pending. */
    public Endpoint resume(String id) {
        ensureOpen();
        Endpoint e = setStatus(id, EndpointStatus.ACTIVE, null);
        Lane lane = lane(id);
        synchronized (lane) {
            lane.consecutiveFailures = 0;
            lane.blockedUntilMillis = 0;
            lane.concurrency = maxInFlight;
        }
        wake(id);
        return e;
    }

    /** Removes an endpoint with its pending deliveries and log. */
    public boolean delete(String id) {
        ensureOpen();
        boolean existed = store.deleteEndpoint(id);
        endpoints.remove(id);
        Lane lane = lanes.remove(id);
        if (lane != null) {
            lane.disarm();
        }
        return existed;
    }

    /**
     * Gives an endpoint a new secret. For {@link Builder#rotationOverlap} (24 h by default)
     * webhooks carry signatures with both the new and the old secret, so the receiver can switch
     * at its own pace.
     */
    public NewSecret rotateSecret(String id) {
        ensureOpen();
        WebhookStore.StoredEndpoint current = require(id);
        WebhookSecret next = WebhookSecret.generate();
        Instant until = clock.instant().plus(rotationOverlap);
        store.rotateSecret(id, next, current.secret(), until);
        endpoints.put(id, new WebhookStore.StoredEndpoint(current.endpoint(), next, current.secret(), until.toEpochMilli()));
        return new NewSecret(current.endpoint(), next, Optional.of(until));
    }

    // --- publishing --------------------------------------------------------------------------

    /**
     * Queues an event for every active or paused endpoint subscribed to {@code eventType} and
     * returns its {@code webhook-id} once it is stored. {@code data} is the JSON of the event;
     * the webhook body is the Standard Webhooks payload {@code {"type", "timestamp", "data"}}.
     */
    public String publish(String eventType, byte[] jsonData) {
        return publish(WebhookStore.newId("msg_"), eventType, clock.instant(), jsonData);
    }

    /**
     * Queues an event with a caller-chosen id (letters, digits, {@code _} and {@code -}). Publishing
     * the same id again changes nothing, so a redelivered event is not sent twice.
     */
    public String publish(String webhookId, String eventType, Instant occurredAt, byte[] jsonData) {
        ensureOpen();
        WebhookStore.NewMessage m = message(webhookId, eventType, occurredAt, jsonData);
        if (store.enqueue(m.id(), m.eventType(), m.payload(), clock.instant(), m.endpointIds())) {
            m.endpointIds().forEach(this::wake);
        }
        return webhookId;
    }

    /** The most events {@link #publishAll} takes in one call. */
    public static final int MAX_BATCH = 1_000;

    /**
     * Queues several events in one transaction, which costs about as much as queueing one: the
     * way to publish a burst of events quickly. Returns their {@code webhook-id}s, in order, once
     * every one is stored. Every event is checked before anything is stored (ids, JSON); an
     * event whose id is already stored (or repeated in {@code events}) is queued once. If the
     * store fails, this throws and some of the events may be stored: publishing them again with
     * the same ids is safe.
     *
     * @throws IllegalArgumentException for more than {@link #MAX_BATCH} events, or an event
     *                                  {@link #publish(String, String, Instant, byte[])} would refuse
     */
    public List<String> publishAll(List<OutgoingEvent> events) {
        ensureOpen();
        if (events.size() > MAX_BATCH) {
            throw new IllegalArgumentException("events: " + events.size() + " (expected: at most " + MAX_BATCH + " per call)");
        }
        if (events.isEmpty()) {
            return List.of();
        }
        List<WebhookStore.NewMessage> messages = new ArrayList<>(events.size());
        List<String> ids = new ArrayList<>(events.size());
        for (OutgoingEvent e : events) {
            messages.add(message(e.webhookId(), e.type(), e.occurredAt(), e.data()));
            ids.add(e.webhookId());
        }
        boolean[] stored = store.enqueueAll(messages, clock.instant());
        Set<String> woken = new HashSet<>();
        for (int i = 0; i < stored.length; i++) {
            if (stored[i]) {
                for (String endpointId : messages.get(i).endpointIds()) {
                    if (woken.add(endpointId)) {
                        wake(endpointId);
                    }
                }
            }
        }
        return ids;
    }

    /** An event for {@link #publishAll} with a new {@code webhook-id}, happening now (by this instance's clock). */
    public OutgoingEvent event(String eventType, byte[] jsonData) {
        return new OutgoingEvent(WebhookStore.newId("msg_"), eventType, clock.instant(), jsonData);
    }

    /** Checks an event and makes its stored message: the payload and the endpoints it goes to. */
    private WebhookStore.NewMessage message(String webhookId, String eventType, Instant occurredAt, byte[] jsonData) {
        if (!WEBHOOK_ID.matcher(webhookId).matches()) {
            throw new IllegalArgumentException("webhookId: '" + webhookId + "' (expected: 1-100 of A-Z a-z 0-9 _ -; no '.')");
        }
        if (eventType.isEmpty() || eventType.length() > 300) {
            throw new IllegalArgumentException("eventType: " + eventType.length() + " characters (expected: 1-300)");
        }
        byte[] payload = payload(eventType, occurredAt, jsonData);
        List<String> targets = new ArrayList<>();
        for (WebhookStore.StoredEndpoint e : endpoints.values()) {
            if (e.endpoint().status() != EndpointStatus.DISABLED && e.endpoint().accepts(eventType)) {
                targets.add(e.endpoint().id());
            }
        }
        return new WebhookStore.NewMessage(webhookId, eventType, payload, targets);
    }

    /**
     * Forwards every event of a Parley contract's topic (consumer group {@code group}) as
     * webhooks of type {@code <contract>.<event method>}. An event is acknowledged to the
     * transport only after it is stored; if storing fails the transport redelivers it. The
     * {@code webhook-id} derives from the event's message id, so a redelivery is not sent twice.
     */
    public Registration forward(TopicTransport topics, Class<?> contract, String group) {
        ContractDescriptor descriptor = ContractDescriptor.of(contract);
        return forward(topics, TopicNames.events(descriptor), descriptor.name(), group);
    }

    /** Forwards the events of {@code topic} as webhooks of type {@code typePrefix.<operation>}. */
    public Registration forward(TopicTransport topics, String topic, String typePrefix, String group) {
        ensureOpen();
        InboundHandler handler = (message, replies) -> {
            try {
                executor.execute(() -> replies.reply(forwardOne(message, typePrefix)));
            } catch (RejectedExecutionException e) {
                replies.reply(reply(message, ErrorCode.UNAVAILABLE.name()));
            }
            return ParleyClock.Cancellable.NOOP;
        };
        return topics.subscribe(topic, group, handler);
    }

    private Envelope forwardOne(Envelope message, String typePrefix) {
        try {
            String operation = message.headers().get(StandardHeaders.OPERATION).orElse("event");
            String messageId = message.headers().get(StandardHeaders.MESSAGE_ID).orElse(null);
            String id = messageId != null ? "msg_" + messageId.replaceAll("[^A-Za-z0-9_-]", "") : WebhookStore.newId("msg_");
            publish(id, typePrefix + "." + operation, clock.instant(), json(message));
            return reply(message, StandardHeaders.STATUS_OK);
        } catch (RuntimeException e) {
            log.warn("webhooks: could not queue event {} for forwarding; the transport will redeliver it", message.headers(), e);
            return reply(message, ErrorCode.UNAVAILABLE.name());
        }
    }

    private static byte[] json(Envelope message) {
        if (message.isLocal()) {
            try {
                return Json.MAPPER.writeValueAsBytes(message.localMessage().orElseThrow());
            } catch (IOException e) {
                throw new WebhookException("event " + message + ": cannot be written as JSON", e);
            }
        }
        String type = message.headers().get(StandardHeaders.CONTENT_TYPE).orElse("application/json");
        if (type.startsWith("application/cbor")) {
            try {
                return Json.MAPPER.writeValueAsBytes(Json.CBOR.readTree(message.body()));
            } catch (IOException e) {
                throw new WebhookException("event " + message + ": CBOR body cannot be converted to JSON", e);
            }
        }
        return message.body();
    }

    private static Envelope reply(Envelope message, String status) {
        Headers.Builder h = Headers.builder().set(StandardHeaders.STATUS, status);
        message.headers().get(StandardHeaders.MESSAGE_ID).ifPresent(id -> h.set(StandardHeaders.CORRELATION_ID, id));
        return Envelope.withoutBody(h.build());
    }

    private static byte[] payload(String eventType, Instant occurredAt, byte[] jsonData) {
        JsonNode data;
        try {
            data = Json.MAPPER.readTree(jsonData);
        } catch (IOException e) {
            throw new IllegalArgumentException("data of " + eventType + ": not JSON (" + e.getMessage() + ")", e);
        }
        if (data == null) {
            throw new IllegalArgumentException("data of " + eventType + ": empty (expected: a JSON value)");
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("type", eventType);
        root.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(occurredAt));
        root.set("data", data);
        try {
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    // --- delivery log ------------------------------------------------------------------------

    /** The newest {@code limit} deliveries of an endpoint with their attempts. */
    public List<Delivery> deliveries(String endpointId, int limit) {
        return deliveries(endpointId, Optional.empty(), limit);
    }

    public List<Delivery> deliveries(String endpointId, Optional<DeliveryStatus> status, int limit) {
        require(endpointId);
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1..1000)");
        }
        return store.deliveries(endpointId, status, limit);
    }

    /** Sends one message to an endpoint again, with a fresh retry schedule and the same webhook-id. */
    public boolean replay(String endpointId, String messageId) {
        require(endpointId);
        forgetPrefetched(endpointId);
        int n = store.replay(endpointId, Optional.of(messageId), clock.instant());
        wake(endpointId);
        return n > 0;
    }

    /** Sends every failed message of an endpoint again; returns how many. */
    public int replayFailed(String endpointId) {
        require(endpointId);
        forgetPrefetched(endpointId);
        int n = store.replay(endpointId, Optional.empty(), clock.instant());
        wake(endpointId);
        return n;
    }

    private void forgetPrefetched(String endpointId) {
        Lane lane = lanes.get(endpointId);
        if (lane != null) {
            synchronized (lane) {
                lane.prefetched.clear();
            }
        }
    }

    // --- dispatching -------------------------------------------------------------------------

    /** Per-endpoint dispatch state; guarded by its own monitor. */
    private final class Lane {
        final String endpointId;
        /** Deliveries whose HTTP request is under way: what the concurrency limit counts. */
        final Set<String> inFlight = new HashSet<>();
        /** Deliveries started and not yet recorded in the store (a superset of inFlight): never fetched again. */
        final Set<String> claimed = new HashSet<>();
        /** Due deliveries fetched but not started yet (all still pending in the store). */
        final java.util.ArrayDeque<WebhookStore.Due> prefetched = new java.util.ArrayDeque<>();
        int concurrency = maxInFlight;
        /** A pump is scheduled and has not started yet: see {@link #wake}. */
        final java.util.concurrent.atomic.AtomicBoolean pumpQueued = new java.util.concurrent.atomic.AtomicBoolean();
        int consecutiveFailures;
        long blockedUntilMillis;
        ParleyClock.@Nullable Cancellable timer;
        long timerAtMillis = Long.MAX_VALUE;

        Lane(String endpointId) {
            this.endpointId = endpointId;
        }

        /** Runs {@link #pump} at {@code atMillis}, unless a wake-up is already set for earlier. */
        void arm(long atMillis) {
            if (timer != null && timerAtMillis <= atMillis) {
                return;
            }
            disarm();
            // Read the clock again right here: the delay must count from when the timer is set.
            long nowMillis = clock.instant().toEpochMilli();
            if (atMillis <= nowMillis) {
                wake(endpointId); // already due (time moved while this pump ran)
                return;
            }
            log.debug("webhooks: endpoint {} wakes at {} (now {})", endpointId, atMillis, nowMillis);
            timerAtMillis = atMillis;
            timer = clock.schedule(Duration.ofMillis(Math.max(0, atMillis - nowMillis)), () -> {
                synchronized (Lane.this) {
                    timer = null;
                    timerAtMillis = Long.MAX_VALUE;
                }
                wake(endpointId);
            });
        }

        void disarm() {
            if (timer != null) {
                timer.cancel();
                timer = null;
                timerAtMillis = Long.MAX_VALUE;
            }
        }
    }

    private Lane lane(String endpointId) {
        return lanes.computeIfAbsent(endpointId, Lane::new);
    }

    /**
     * Has {@link #pump} run for an endpoint soon. Wake-ups coalesce: while one pump waits to
     * start, further wake-ups are already covered by it (it reads the state when it runs), so a
     * burst of publishes starts one pump, not one per event contending for the lane.
     */
    private void wake(String endpointId) {
        if (closed || !endpoints.containsKey(endpointId)) {
            return;
        }
        Lane lane = lane(endpointId);
        if (lane.pumpQueued.getAndSet(true)) {
            return;
        }
        run(() -> {
            lane.pumpQueued.set(false);
            pump(endpointId);
        });
    }

    /** Runs dispatch work on a virtual thread, counted in {@link #busy}. */
    private void run(Runnable work) {
        busy.incrementAndGet();
        try {
            executor.execute(() -> {
                try {
                    work.run();
                } finally {
                    busy.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            busy.decrementAndGet(); // closing: the deliveries stay pending in the store for the next start
        }
    }

    /** True when no dispatch work is queued or running: every due attempt made, timers set (for tests). */
    boolean idle() {
        return busy.get() == 0;
    }

    /** A delivery claimed for an attempt, with its endpoint's lane. */
    private record Claimed(Lane lane, WebhookStore.StoredEndpoint endpoint, WebhookStore.Due due) {}

    /** Starts every due delivery of one endpoint that fits its concurrency, and sets a timer for the next. */
    private void pump(String endpointId) {
        Claimed first = claimDue(endpointId);
        if (first != null) {
            attempts(first);
        }
    }

    /**
     * Claims every due delivery of one endpoint that fits its concurrency and starts an attempt
     * for each on its own virtual thread, except the first: that one is returned for the calling
     * thread to attempt (a delivery thread that finished one attempt goes on with the next
     * instead of handing it to a new thread). Sets a timer when nothing is due yet.
     */
    private @Nullable Claimed claimDue(String endpointId) {
        WebhookStore.StoredEndpoint e = endpoints.get(endpointId);
        if (closed || e == null || e.endpoint().status() != EndpointStatus.ACTIVE) {
            return null;
        }
        Lane lane = lane(endpointId);
        Claimed kept = null;
        try {
            synchronized (lane) {
                long now = clock.instant().toEpochMilli();
                if (lane.blockedUntilMillis > now) {
                    lane.arm(lane.blockedUntilMillis);
                    return null;
                }
                boolean halfOpen = lane.consecutiveFailures >= breakerThreshold;
                int free = (halfOpen ? 1 : lane.concurrency) - lane.inFlight.size();
                if (free <= 0) {
                    return null; // a finishing attempt pumps again
                }
                int started = 0;
                while (started < free) {
                    if (lane.prefetched.isEmpty()) {
                        // Fetch more than fits now: under load most pumps then start work without a query.
                        List<WebhookStore.Due> due = store.due(endpointId, now, lane.claimed.size() + PREFETCH);
                        log.debug("webhooks: endpoint {} at {}: {} due, {} in flight", endpointId, now, due.size(), lane.inFlight.size());
                        for (WebhookStore.Due d : due) {
                            if (!lane.claimed.contains(d.id())) {
                                lane.prefetched.add(d);
                            }
                        }
                        if (lane.prefetched.isEmpty()) {
                            store.nextDueAfter(endpointId, now).ifPresent(lane::arm);
                            return kept;
                        }
                    }
                    WebhookStore.Due d = lane.prefetched.poll();
                    if (lane.claimed.add(d.id())) {
                        lane.inFlight.add(d.id());
                        started++;
                        Claimed c = new Claimed(lane, e, d);
                        if (kept == null) {
                            kept = c;
                        } else {
                            run(() -> attempts(c));
                        }
                    }
                }
            }
        } catch (RuntimeException ex) {
            if (closed) {
                return kept;
            }
            // The store failed (database down?): try again later rather than lose the lane.
            log.warn("webhooks: dispatching to endpoint {} failed; retrying in 5 s", endpointId, ex);
            synchronized (lane) {
                lane.arm(clock.instant().toEpochMilli() + 5_000);
            }
        }
        return kept;
    }

    /** Attempts {@code first}, then, while they succeed, the next due deliveries of the same endpoint, on this thread. */
    private void attempts(Claimed first) {
        for (Claimed c = first; c != null; ) {
            c = attempt(c.lane(), c.endpoint(), c.due());
        }
    }

    /** Makes one attempt and records it; returns the next delivery for this thread to attempt, if any. */
    private @Nullable Claimed attempt(Lane lane, WebhookStore.StoredEndpoint e, WebhookStore.Due d) {
        Instant start = clock.instant();
        int number = d.attemptSeq() + 1;
        AttemptOutcome outcome;
        int statusCode = 0;
        String response;
        Duration latency;
        Optional<Duration> retryAfter = Optional.empty();
        long t0 = System.nanoTime();
        try {
            long ts = start.getEpochSecond();
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(WebhookSignature.ID_HEADER, d.messageId());
            headers.put(WebhookSignature.TIMESTAMP_HEADER, Long.toString(ts));
            headers.put(WebhookSignature.SIGNATURE_HEADER,
                    WebhookSignature.header(e.signingSecrets(start), d.messageId(), ts, d.payload()));
            headers.put("content-type", "application/json");
            headers.put("user-agent", USER_AGENT);
            HttpResult result = http.post(e.endpoint().url(), headers, d.payload());
            statusCode = result.status();
            response = result.snippet();
            latency = result.latency();
            outcome = classify(statusCode);
            if (outcome == AttemptOutcome.THROTTLED || statusCode == 503) {
                retryAfter = result.header("retry-after").flatMap(v -> retryAfter(v, start));
            }
        } catch (UnsafeTargetException ex) {
            outcome = AttemptOutcome.REFUSED;
            response = ex.getMessage();
            latency = Duration.ofNanos(System.nanoTime() - t0);
        } catch (IOException | RuntimeException ex) {
            outcome = AttemptOutcome.NETWORK_ERROR;
            response = ex.getClass().getSimpleName() + ": " + ex.getMessage();
            latency = Duration.ofNanos(System.nanoTime() - t0);
        }
        return finish(lane, e, d, new DeliveryAttempt(number, start, outcome, statusCode, latency, response), retryAfter);
    }

    private static AttemptOutcome classify(int status) {
        if (status >= 200 && status < 300) {
            return AttemptOutcome.SUCCESS;
        }
        if (status >= 300 && status < 400) {
            return AttemptOutcome.REDIRECT;
        }
        return switch (status) {
            case 410 -> AttemptOutcome.GONE;
            case 429, 502, 503, 504 -> AttemptOutcome.THROTTLED;
            default -> AttemptOutcome.HTTP_ERROR;
        };
    }

    private @Nullable Claimed finish(Lane lane, WebhookStore.StoredEndpoint e, WebhookStore.Due d, DeliveryAttempt attempt,
                                     Optional<Duration> retryAfter) {
        Instant now = clock.instant();
        long nowMillis = now.toEpochMilli();
        int attempts = d.attempts() + 1;
        boolean success = attempt.outcome() == AttemptOutcome.SUCCESS;
        synchronized (lane) {
            // The endpoint is done with this request: its slot is free even before the store
            // write below (the delivery stays claimed, so it is not fetched again meanwhile).
            lane.inFlight.remove(d.id());
            if (success) {
                lane.consecutiveFailures = 0;
                lane.concurrency = Math.min(maxInFlight, lane.concurrency + 1);
            } else {
                lane.consecutiveFailures++;
                if (attempt.outcome() == AttemptOutcome.THROTTLED) {
                    lane.concurrency = Math.max(1, lane.concurrency / 2);
                }
                long blockedUntil = lane.blockedUntilMillis;
                if (retryAfter.isPresent()) {
                    blockedUntil = Math.max(blockedUntil, nowMillis + retryAfter.get().toMillis());
                }
                if (lane.consecutiveFailures >= breakerThreshold) {
                    blockedUntil = Math.max(blockedUntil, nowMillis + breakerWait.toMillis());
                }
                lane.blockedUntilMillis = blockedUntil;
            }
        }
        if (success) {
            // Written with the next group commit, without waiting: until then the delivery stays
            // claimed (not fetched again); if the process dies first, it is sent once more.
            busy.incrementAndGet(); // idle() waits for the write too
            store.recordAttemptLater(d.id(), attempt, DeliveryStatus.DELIVERED, attempts, nowMillis).whenComplete((v, ex) -> {
                if (ex != null) {
                    log.warn("webhooks: recording attempt {} of delivery {} failed; it stays pending", attempt.number(), d.id(), ex);
                }
                synchronized (lane) {
                    lane.claimed.remove(d.id());
                }
                if (ex != null) {
                    wake(e.endpoint().id());
                }
                busy.decrementAndGet();
            });
            // Keep a healthy endpoint busy: this thread goes on with the next due delivery (and
            // starts threads for any others that fit), rather than handing it to a new thread.
            return claimDue(e.endpoint().id());
        }
        List<WebhookNotice> toSend = new ArrayList<>();
        try {
            switch (attempt.outcome()) {
                case SUCCESS -> throw new AssertionError("recorded above");
                case GONE -> {
                    // Stays pending: if the owner resumes the endpoint, it is sent first.
                    store.recordAttempt(d.id(), attempt, DeliveryStatus.PENDING, attempts - 1, nowMillis);
                    disable(e.endpoint().id(), "the endpoint answered 410 Gone", toSend, now);
                }
                default -> {
                    Optional<Duration> delay;
                    synchronized (random) { // RandomGenerator implementations are rarely thread-safe
                        delay = schedule.delayAfter(attempts, random);
                    }
                    if (delay.isEmpty()) {
                        store.recordAttempt(d.id(), attempt, DeliveryStatus.FAILED, attempts, nowMillis);
                        toSend.add(new WebhookNotice.DeliveryFailed(e.endpoint().id(), d.messageId(), attempts, now));
                        disable(e.endpoint().id(), "message " + d.messageId() + " failed all " + attempts + " attempts", toSend, now);
                    } else {
                        long next = nowMillis + delay.get().toMillis();
                        if (retryAfter.isPresent()) {
                            next = Math.max(next, nowMillis + retryAfter.get().toMillis());
                        }
                        store.recordAttempt(d.id(), attempt, DeliveryStatus.PENDING, attempts, next);
                    }
                }
            }
        } catch (RuntimeException ex) {
            // Not recorded: the delivery stays pending and is attempted again (at least once).
            log.warn("webhooks: recording attempt {} of delivery {} failed", attempt.number(), d.id(), ex);
        }
        synchronized (lane) {
            lane.claimed.remove(d.id());
        }
        for (WebhookNotice n : toSend) {
            try {
                notices.accept(n);
            } catch (RuntimeException ex) {
                log.warn("webhooks: notice listener failed on {}", n, ex);
            }
        }
        // Pump again now that the store has the outcome: a retry needs its timer.
        wake(e.endpoint().id());
        return null;
    }

    private void disable(String endpointId, String reason, List<WebhookNotice> toSend, Instant now) {
        setStatus(endpointId, EndpointStatus.DISABLED, reason);
        toSend.add(new WebhookNotice.EndpointDisabled(endpointId, reason, now));
        log.warn("webhooks: endpoint {} disabled: {}", endpointId, reason);
    }

    private Optional<Duration> retryAfter(String value, Instant now) {
        Duration d;
        try {
            d = Duration.ofSeconds(Long.parseLong(value.trim()));
        } catch (NumberFormatException notSeconds) {
            try {
                d = Duration.between(now, ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
        if (d.isNegative()) {
            return Optional.empty();
        }
        return Optional.of(d.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : d);
    }

    private Endpoint setStatus(String id, EndpointStatus status, @Nullable String reason) {
        forgetPrefetched(id);
        synchronized (endpoints) {
            WebhookStore.StoredEndpoint current = require(id);
            Endpoint updated = new Endpoint(id, current.endpoint().url(), current.endpoint().eventTypes(),
                    current.endpoint().description(), status, Optional.ofNullable(reason), current.endpoint().createdAt());
            store.updateStatus(id, status, reason);
            endpoints.put(id, new WebhookStore.StoredEndpoint(updated, current.secret(), current.previous(), current.previousUntilMillis()));
            return updated;
        }
    }

    private WebhookStore.StoredEndpoint require(String id) {
        WebhookStore.StoredEndpoint e = endpoints.get(id);
        if (e == null) {
            throw new UnknownEndpointException(id);
        }
        return e;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("webhooks: closed");
        }
    }

    /**
     * Stops dispatching: timers are cancelled, no new attempt starts, and the attempts in flight
     * finish (each within the request timeout). Pending deliveries stay in the store and are
     * resumed by the next instance on the same store.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Lane lane : lanes.values()) {
            synchronized (lane) {
                lane.disarm();
            }
        }
        // Let attempts in flight finish and record their outcome (each is bounded by the request
        // timeout) rather than interrupt them: an interrupt during H2's file I/O closes the
        // database file under every other thread.
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
                log.warn("webhooks: attempts still running 30 s after close; interrupting them (they stay pending)");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (ownsStore) {
            store.close();
        }
    }

    @Override
    public String toString() {
        return "Webhooks{" + store + ", " + endpoints.size() + " endpoints}";
    }

    /** Settings of {@link Webhooks}; every one has a default. */
    public static final class Builder {
        private @Nullable WebhookStore store;
        private ParleyClock clock = ParleyClock.system();
        private @Nullable GuardedHttpClient http;
        private RetrySchedule schedule = RetrySchedule.standard();
        private RandomGenerator random = new java.util.SplittableRandom();
        private int maxInFlight = 4;
        private int breakerThreshold = 5;
        private Duration breakerWait = Duration.ofSeconds(30);
        private Duration rotationOverlap = Duration.ofHours(24);
        private Duration maxRetryAfter = Duration.ofHours(24);
        private Consumer<WebhookNotice> notices = n -> log.info("webhooks: {}", n);

        private Builder() {}

        /** Where the queue lives. Default: H2 in {@code ./parley-webhooks/webhooks.mv.db}, closed with this instance. */
        public Builder store(WebhookStore value) {
            this.store = value;
            return this;
        }

        /** The clock of retries, breaker waits and signatures' timestamps. */
        public Builder clock(ParleyClock value) {
            this.clock = value;
            return this;
        }

        /** The delivery client. Default: {@code GuardedHttpClient.builder().build()} (public addresses only, 15 s timeout). */
        public Builder httpClient(GuardedHttpClient value) {
            this.http = value;
            return this;
        }

        /** Default {@link RetrySchedule#standard()}. */
        public Builder retrySchedule(RetrySchedule value) {
            this.schedule = value;
            return this;
        }

        /** The source of retry jitter (tests pass a seeded one). */
        public Builder random(RandomGenerator value) {
            this.random = value;
            return this;
        }

        /** Attempts in flight per endpoint at most. Default 4; halved by 429/502/503/504, regained on success. */
        public Builder maxInFlightPerEndpoint(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxInFlightPerEndpoint: " + value + " (expected: >= 1)");
            }
            this.maxInFlight = value;
            return this;
        }

        /**
         * After {@code failures} consecutive failed attempts an endpoint's breaker opens: nothing
         * is sent for {@code wait}, then one attempt probes it. Defaults 5 and 30 s.
         */
        public Builder circuitBreaker(int failures, Duration wait) {
            if (failures < 1 || wait.isNegative()) {
                throw new IllegalArgumentException("circuitBreaker: " + failures + ", " + wait + " (expected: failures >= 1, wait >= 0)");
            }
            this.breakerThreshold = failures;
            this.breakerWait = wait;
            return this;
        }

        /** How long the old secret keeps signing after a rotation. Default 24 h. */
        public Builder rotationOverlap(Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("rotationOverlap: " + value + " (expected: >= 0)");
            }
            this.rotationOverlap = value;
            return this;
        }

        /** The longest {@code Retry-After} honoured. Default 24 h. */
        public Builder maxRetryAfter(Duration value) {
            this.maxRetryAfter = value;
            return this;
        }

        /** Who hears of disabled endpoints and failed deliveries. Default: logged. */
        public Builder notices(Consumer<WebhookNotice> value) {
            this.notices = value;
            return this;
        }

        /** Opens the store, loads the endpoints and resumes pending deliveries. */
        public Webhooks build() {
            return new Webhooks(this);
        }
    }
}
