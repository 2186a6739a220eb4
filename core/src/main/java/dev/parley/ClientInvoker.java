package dev.parley;

import dev.parley.codec.Codec;
import dev.parley.codec.DecodingException;
import dev.parley.codec.EncodingException;
import dev.parley.codec.TypedCodec;
import dev.parley.contract.InteractionStyle;
import dev.parley.internal.ContractModel.Operation;
import dev.parley.internal.HeaderAccess;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.resilience.Fallback;
import dev.parley.resilience.RetryPolicy;
import org.jspecify.annotations.Nullable;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The client pipeline for one operation: deadline, bulkhead, circuit breaker, retries with
 * budget, fallback, around one transport exchange.
 *
 * <pre>
 *  call ─► deadline ─► [attempt: bulkhead ─► breaker ─► exchange ─► classify] ─► retry? ─► fallback? ─► result
 * </pre>
 *
 * Everything that can be computed once per operation is computed here, at client creation.
 */
final class ClientInvoker {

    private static final HeaderAccess.Setter TRUSTED = HeaderAccess.setter();

    /** How one attempt reaches the other side: a request, a one-way send, or a publish. */
    @FunctionalInterface
    interface Exchange {
        CompletableFuture<Envelope> exchange(Envelope message);
    }

    private final Operation op;
    private final String contractAddress;
    private final ClientTarget target;
    private final Exchange exchange;
    private final boolean expectsReply;
    private final boolean local;
    private final Codec codec;
    private final TypedCodec<Object> requestCodec;
    private final TypedCodec<Object> replyCodec;
    private final long timeoutNanos;
    private final RetryPolicy retry;
    private final boolean retryable;
    private final Fallback fallback;
    private final ParleyClock clock;
    private final Headers fixedHeaders;
    private final CallListener listener;
    private final Function<String, Codec> codecs;
    private final Deadlines deadlines = new Deadlines();

    @SuppressWarnings("unchecked")
    ClientInvoker(Operation op, ClientTarget target, Exchange exchange, boolean expectsReply, boolean local,
                  Codec codec, Function<String, Codec> codecs, long timeoutNanos, RetryPolicy retry, boolean retryable,
                  Fallback fallback, ParleyClock clock, String source, CallListener listener) {
        this.op = op;
        this.contractAddress = op.contract().descriptor().address();
        this.target = target;
        this.exchange = exchange;
        this.expectsReply = expectsReply;
        this.local = local;
        this.codec = codec;
        this.codecs = codecs;
        this.requestCodec = op.requestType().isPresent() ? (TypedCodec<Object>) codec.forType(op.requestType().get()) : null;
        this.replyCodec = op.hasReplyBody() && op.style() != InteractionStyle.PUBLISH_SUBSCRIBE
                ? (TypedCodec<Object>) codec.forType(op.replyType()) : null;
        this.timeoutNanos = timeoutNanos;
        this.retry = retry;
        this.retryable = retryable && retry.maxAttempts() > 1;
        this.fallback = fallback;
        this.clock = clock;
        this.listener = listener;
        this.fixedHeaders = fixedHeaders(op, codec, source);
    }

    Operation operation() {
        return op;
    }

    /** Blocks for the result; used by request/response, one-way and publish proxies. */
    Object invokeBlocking(Object request) {
        Call call = start(request);
        try {
            return call.get();
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw ParleyException.of(ErrorCode.CANCELLED, op.qualifiedName() + ": interrupted while waiting for the reply");
        } catch (ExecutionException e) {
            throw asParleyException(e.getCause());
        }
    }

    /** Starts the call; the returned future can be cancelled, which cancels the remote work. */
    Call start(Object request) {
        long now = clock.nanoTime();
        CallContext context = CallContext.currentOrNull();
        long deadline = CallContext.saturatedAdd(now, timeoutNanos);
        if (context != null) {
            deadline = Math.min(deadline, context.deadlineOn(clock, now));
        }
        Call call = new Call(request, deadline, now);
        if (deadline - now <= 0) {
            finish(call, new DeadlineExceededException(op.qualifiedName() + ": the deadline had passed before the call started"));
            return call;
        }
        try {
            call.headers = outboundHeaders(fixedHeaders, context);
            if (requestCodec != null && !local) {
                call.body = requestCodec.encode(request);
            }
        } catch (EncodingException e) {
            finish(call, ParleyException.of(e.getMessage().contains("limit") ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.INVALID_ARGUMENT,
                    op.qualifiedName() + ": " + e.getMessage()));
            return call;
        }
        if (retryable) {
            target.retryBudget().recordCall();
        }
        attempt(call);
        return call;
    }

    /** The headers every message of {@code op} sent with {@code codec} carries. */
    static Headers fixedHeaders(Operation op, Codec codec, String source) {
        return Headers.builder()
                .set(StandardHeaders.CONTRACT, op.contract().name())
                .set(StandardHeaders.CONTRACT_VERSION, op.contract().version().toString())
                .set(StandardHeaders.OPERATION, op.wireName())
                .set(StandardHeaders.CONTENT_TYPE, codec.contentType())
                .set(StandardHeaders.SOURCE, source)
                .build();
    }

    /**
     * One outbound message's headers: the fixed ones, a new message id, a child traceparent, and
     * what the current context passes on: tracestate and token from the inbound call, then the
     * scope's custom headers (so an explicit {@code CallContext.withHeader} wins).
     */
    static Headers.Builder outboundHeaders(Headers fixed, @Nullable CallContext context) {
        Headers inbound = context == null ? Headers.empty() : context.headers();
        // The id and traceparent are generated here (hex digits and dashes; a traceparent keeps only
        // the trace id of an inbound one, whose value was checked on arrival): nothing to check.
        Headers.Builder h = fixed.toBuilder();
        TRUSTED.setTrusted(h, StandardHeaders.MESSAGE_ID, Ids.messageId());
        TRUSTED.setTrusted(h, StandardHeaders.TRACEPARENT, Ids.childTraceparent(inbound.valueOrNull(StandardHeaders.TRACEPARENT)));
        String state = inbound.valueOrNull(StandardHeaders.TRACESTATE);
        if (state != null) {
            h.set(StandardHeaders.TRACESTATE, state);
        }
        String token = inbound.valueOrNull(StandardHeaders.AUTHORIZATION);
        if (token != null) {
            h.set(StandardHeaders.AUTHORIZATION, token);
        }
        if (context != null && !context.outbound().isEmpty()) {
            h.setAll(context.outbound());
        }
        return h;
    }

    private void attempt(Call call) {
        long now = clock.nanoTime();
        long remaining = call.deadline - now;
        if (remaining <= 0) {
            finish(call, deadlineExceeded());
            return;
        }
        if (call.isDone()) {
            return; // cancelled by the caller between attempts
        }
        if (!target.tryAcquireBulkhead()) {
            finish(call, target.bulkheadFull());
            return;
        }
        CircuitBreaker breaker = target.breaker();
        if (breaker != null && !breaker.tryAcquirePermission()) {
            target.releaseBulkhead();
            finish(call, target.circuitOpen());
            return;
        }
        call.attempts++;
        call.attemptStart = now;
        // Events outlive their publish call (they wait in brokers for consumers), so they carry no deadline.
        // Attempts of one call follow each other, so they share its builder; set replaces the deadline.
        Headers headers = op.style() == InteractionStyle.PUBLISH_SUBSCRIBE ? call.headers.build() : TRUSTED
                .setTrusted(call.headers, StandardHeaders.DEADLINE, Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining))))
                .build();
        Envelope message = local ? Envelope.local(headers, call.request) : Envelope.of(headers, call.body);
        CompletableFuture<Envelope> reply;
        try {
            reply = exchange.exchange(message);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        call.inflight = reply;
        if (reply.isDone()) {
            onReply(call, reply);
            return;
        }
        if (!deadlines.add(call)) {
            CompletableFuture<Envelope> inflight = reply;
            call.timer = clock.schedule(call.deadline - clock.nanoTime(), () -> expire(call, inflight));
        }
        reply.whenComplete(call);
    }

    /** The attempt's reply arrived (or failed, or was cancelled): stop its deadline timer, then handle it. */
    private void attemptDone(Call call) {
        CompletableFuture<Envelope> reply = call.inflight;
        ParleyClock.Cancellable timer = call.timer;
        if (timer != null) {
            call.timer = null;
            timer.cancel();
        } else {
            deadlines.remove(call);
        }
        onReply(call, reply);
    }

    /** The deadline of {@code call} passed while {@code attempt} was in flight. */
    private static void expire(Call call, CompletableFuture<Envelope> attempt) {
        call.timedOut = true;
        attempt.cancel(true); // tells the transport to abort the remote work
    }

    /**
     * The deadline timers of this operation's attempts in flight. The calls of one operation share
     * one timeout, so their deadlines mostly come in order: such an attempt goes at the tail of a
     * linked list (no allocation, O(1) in and out), and ONE clock timer, set for the head's
     * deadline, expires the list's overdue heads and sets itself for the next head. An attempt
     * whose deadline is earlier than the tail's (a shorter deadline from the call context, a retry)
     * gets a clock timer of its own instead. The result is the same as a clock timer per attempt,
     * without scheduling and cancelling one on the shared timer for every call.
     */
    private final class Deadlines {
        private @Nullable Call head;
        private @Nullable Call tail;
        /** The list timer, set for the head's deadline (or earlier); null while the list is empty. */
        private @Nullable Timer current;

        /** Links {@code call} (its attempt in flight), or returns false when its deadline comes before the tail's. */
        boolean add(Call call) {
            long at = call.deadline;
            synchronized (this) {
                Call last = tail;
                if (last != null && at - last.deadline < 0) {
                    return false;
                }
                call.prev = last;
                call.next = null;
                if (last == null) {
                    head = call;
                } else {
                    last.next = call;
                }
                tail = call;
                call.linked = true;
                Timer t = current;
                if (t != null && t.at - at <= 0) {
                    return true; // the list timer fires no later than this deadline
                }
            }
            rearm(); // the list was empty: its timer is missing, or set for later than this deadline
            return true;
        }

        synchronized void remove(Call call) {
            if (!call.linked) {
                return;
            }
            Call p = call.prev;
            Call n = call.next;
            if (p == null) {
                head = n;
            } else {
                p.next = n;
            }
            if (n == null) {
                tail = p;
            } else {
                n.prev = p;
            }
            call.prev = null;
            call.next = null;
            call.linked = false;
        }

        /** Replaces the list timer by one for the head's deadline (none when the list is empty). */
        private void rearm() {
            Timer old;
            Timer next = null;
            synchronized (this) {
                old = current;
                if (head != null) {
                    next = new Timer(head.deadline);
                }
                current = next;
            }
            if (old != null) {
                old.cancel(); // a timer not yet scheduled fires later and finds itself replaced
            }
            if (next != null) {
                // Scheduled outside the lock: the clock may run it on another thread at once.
                next.handle = clock.schedule(next.at - clock.nanoTime(), next);
            }
        }

        /** A list timer fired: expire every attempt whose deadline passed, then set the timer for the next head. */
        private void fire(Timer timer) {
            java.util.ArrayList<Call> expired = new java.util.ArrayList<>();
            synchronized (this) {
                if (current != timer) {
                    return; // replaced meanwhile
                }
                long now = clock.nanoTime();
                Call c = head;
                while (c != null && c.deadline - now <= 0) {
                    Call n = c.next;
                    c.prev = null;
                    c.next = null;
                    c.linked = false;
                    expired.add(c);
                    c = n;
                }
                head = c;
                if (c == null) {
                    tail = null;
                } else {
                    c.prev = null;
                }
            }
            for (Call call : expired) {
                CompletableFuture<Envelope> attempt = call.inflight;
                if (attempt != null) {
                    expire(call, attempt);
                }
            }
            rearm();
        }

        private final class Timer implements Runnable {
            final long at;
            volatile ParleyClock.@Nullable Cancellable handle;

            Timer(long at) {
                this.at = at;
            }

            @Override
            public void run() {
                fire(this);
            }

            void cancel() {
                ParleyClock.Cancellable h = handle;
                if (h != null) {
                    h.cancel();
                }
            }
        }
    }

    private void onReply(Call call, CompletableFuture<Envelope> reply) {
        target.releaseBulkhead();
        long duration = clock.nanoTime() - call.attemptStart;
        Object value = null;
        ParleyException failure;
        try {
            Envelope envelope = reply.join();
            if (expectsReply) {
                value = decodeReply(envelope);
            }
            failure = null;
        } catch (CancellationException e) {
            failure = call.timedOut ? deadlineExceeded()
                    : ParleyException.of(ErrorCode.CANCELLED, op.qualifiedName() + ": cancelled by the caller");
        } catch (CompletionException e) {
            failure = asParleyException(e.getCause());
        } catch (ParleyException e) {
            failure = e;
        }
        CircuitBreaker breaker = target.breaker();
        if (breaker != null) {
            if (failure != null && ClientTarget.countsAsFailure(failure)) {
                breaker.onError(duration, TimeUnit.NANOSECONDS, failure);
            } else {
                breaker.onSuccess(duration, TimeUnit.NANOSECONDS);
            }
        }
        if (failure == null) {
            if (fallback != null) {
                fallback.onSuccess(call.request, value);
            }
            call.complete(value);
            notifyListener(call, null, false);
            return;
        }
        if (shouldRetry(call, failure)) {
            long backoff = retry.backoffNanos(call.attempts + 1, ThreadLocalRandom.current().nextDouble());
            if (clock.nanoTime() + backoff < call.deadline && target.retryBudget().tryRetry()) {
                if (backoff <= 0) {
                    attempt(call);
                } else {
                    clock.schedule(backoff, () -> attempt(call));
                }
                return;
            }
        }
        finish(call, failure);
    }

    private boolean shouldRetry(Call call, ParleyException failure) {
        return retryable && !call.isDone() && call.attempts < retry.maxAttempts() && failure.code().retryable()
                && !(failure instanceof CallRejectedException);
    }

    private Object decodeReply(Envelope envelope) {
        Headers h = envelope.headers();
        String status = h.valueOrNull(StandardHeaders.STATUS);
        if (status == null || status.equals(StandardHeaders.STATUS_OK)) {
            if (replyCodec == null) {
                return null;
            }
            if (envelope.isLocal()) {
                return envelope.localMessage().orElseThrow();
            }
            try {
                return replyCodecFor(h).decode(envelope.body());
            } catch (DecodingException e) {
                throw new TransportException(ErrorCode.INVALID_REPLY, op.qualifiedName() + ": cannot decode the reply from "
                        + target.name() + ": " + e.getMessage(), e);
            }
        }
        ErrorCode code = ErrorCode.parse(status).orElse(ErrorCode.INTERNAL);
        ErrorInfo info = errorInfo(envelope, code, codecFor(h));
        String message = info.message();
        if (code == ErrorCode.DEADLINE_EXCEEDED) {
            // Whichever side noticed first, the caller sees one kind of deadline failure.
            throw new DeadlineExceededException(message);
        }
        throw new RemoteException(code, message, info.details(), contractAddress + " " + op.name());
    }

    /** The body of an error reply; a stand-in naming the code when the body is missing or unreadable. */
    static ErrorInfo errorInfo(Envelope reply, ErrorCode code, Codec codec) {
        if (reply.localMessage().orElse(null) instanceof ErrorInfo local) {
            return local;
        }
        if (reply.body().length > 0) {
            try {
                TypedCodec<ErrorInfo> errors = codec.forType(ErrorInfo.class);
                return errors.decode(reply.body());
            } catch (DecodingException e) {
                return new ErrorInfo(code.name(), code.name() + " (error reply with an unreadable body: " + e.getMessage() + ")", Map.of());
            }
        }
        return new ErrorInfo(code.name(), code.name(), Map.of());
    }

    private TypedCodec<Object> replyCodecFor(Headers h) {
        String contentType = h.valueOrNull(StandardHeaders.CONTENT_TYPE);
        if (contentType == null || contentType.equals(codec.contentType())) {
            return replyCodec;
        }
        @SuppressWarnings("unchecked")
        TypedCodec<Object> other = (TypedCodec<Object>) codecFor(h).forType(op.replyType());
        return other;
    }

    private Codec codecFor(Headers h) {
        String contentType = h.valueOrNull(StandardHeaders.CONTENT_TYPE);
        if (contentType == null || contentType.equals(codec.contentType())) {
            return codec;
        }
        Codec other = codecs.apply(contentType);
        if (other == null) {
            throw new TransportException(ErrorCode.INVALID_REPLY, op.qualifiedName() + ": reply has unsupported content type '"
                    + contentType + "'", null);
        }
        return other;
    }

    private void finish(Call call, ParleyException failure) {
        if (fallback != null && fallback.appliesTo(failure)) {
            try {
                Object value = fallback.apply(call.request, failure);
                call.complete(value);
                notifyListener(call, failure, true);
                return;
            } catch (ParleyException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new TransportException(ErrorCode.INTERNAL, op.qualifiedName() + ": fallback failed: " + e, e);
            }
        }
        call.completeExceptionally(failure);
        notifyListener(call, failure, false);
    }

    private void notifyListener(Call call, ParleyException failure, boolean fallbackUsed) {
        if (listener != null) {
            listener.onCall(new CallEvent(CallEvent.Side.CLIENT, contractAddress, op.wireName(), op.style(), target.name(),
                    Optional.ofNullable(failure).map(ParleyException::code), clock.nanoTime() - call.startNanos, call.attempts,
                    fallbackUsed));
        }
    }

    private DeadlineExceededException deadlineExceeded() {
        return new DeadlineExceededException(op.qualifiedName() + ": deadline exceeded after "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms budget (target " + target.name() + ")");
    }

    static ParleyException asParleyException(Throwable t) {
        if (t instanceof CompletionException || t instanceof ExecutionException) {
            if (t.getCause() != null) {
                return asParleyException(t.getCause());
            }
        }
        if (t instanceof ParleyException p) {
            return p;
        }
        if (t instanceof CancellationException) {
            return ParleyException.of(ErrorCode.CANCELLED, "cancelled");
        }
        return new TransportException("transport failure: " + t, t);
    }

    /** One call in flight: the future the caller holds, plus the state of the current attempt. */
    final class Call extends CompletableFuture<Object> implements java.util.function.BiConsumer<Envelope, Throwable> {
        final Object request;
        final long deadline;
        final long startNanos;
        /** The headers of every attempt but the deadline, which each attempt sets. */
        Headers.Builder headers;
        byte[] body;
        int attempts;
        long attemptStart;
        volatile boolean timedOut;
        volatile CompletableFuture<Envelope> inflight;
        /** The attempt's own deadline timer, when it is not in the operation's {@link Deadlines} list. */
        ParleyClock.@Nullable Cancellable timer;
        // Links in Deadlines, guarded by it.
        @Nullable Call prev;
        @Nullable Call next;
        boolean linked;

        Call(Object request, long deadline, long startNanos) {
            this.request = request;
            this.deadline = deadline;
            this.startNanos = startNanos;
        }

        /** The current attempt completed: one callback object per call rather than a lambda per attempt. */
        @Override
        public void accept(Envelope reply, Throwable failure) {
            attemptDone(this);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            CompletableFuture<Envelope> f = inflight;
            if (cancelled && f != null) {
                f.cancel(true);
            }
            return cancelled;
        }
    }
}
