package dev.parley;

import dev.parley.internal.Checks;
import dev.parley.codec.Codec;
import dev.parley.codec.DecodingException;
import dev.parley.codec.EncodingException;
import dev.parley.codec.TypedCodec;
import dev.parley.contract.InteractionStyle;
import dev.parley.internal.ContractModel;
import dev.parley.internal.HeaderAccess;
import dev.parley.internal.ContractModel.Operation;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.InboundHandler;
import dev.parley.transport.ReplySink;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of every transport: takes an inbound {@link Envelope}, finds the operation,
 * checks version and deadline, decodes the request, runs the service method on a handler
 * thread with the call's {@link CallContext}, and replies with the result or a typed error.
 * A deadline that passes or a caller that cancels interrupts the handler.
 */
final class ServiceDispatcher implements InboundHandler {

    private static final Logger log = LoggerFactory.getLogger(ServiceDispatcher.class);
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    private static final HeaderAccess.Setter TRUSTED = HeaderAccess.setter();
    private static final ThreadFactory HANDLER_THREADS = Thread.ofVirtual().name("parley-handler-", 0).factory();

    private final ContractModel model;
    private final Object service;
    private final HandlerExecution execution;
    private final ParleyClock clock;
    private final Codec defaultCodec;
    private final Function<String, Codec> codecs;
    private final String source;
    private final CallListener listener;
    private final Authenticator authenticator;
    private final IdempotencyStore idempotency;
    private final String scope;
    private final Map<String, Binding> byWireName = new HashMap<>();
    /** Status OK, the default codec's content type and the source: the start of every successful reply's headers. */
    private final Headers okReplyHeaders;

    /** Per operation: the method to call and its codecs, resolved once. */
    private record Binding(Operation op, Method method, boolean implemented, TypedCodec<Object> request, TypedCodec<Object> reply) {}

    @SuppressWarnings("unchecked")
    ServiceDispatcher(ContractModel model, Object service, HandlerExecution execution, ParleyClock clock, Codec defaultCodec,
                      Function<String, Codec> codecs, String source, CallListener listener, Authenticator authenticator,
                      IdempotencyStore idempotency, String scope) {
        this.model = model;
        this.idempotency = idempotency;
        this.scope = scope;
        this.authenticator = authenticator;
        this.service = service;
        this.execution = execution;
        this.clock = clock;
        this.defaultCodec = defaultCodec;
        this.codecs = codecs;
        this.source = source;
        this.listener = listener;
        this.okReplyHeaders = Headers.builder().set(StandardHeaders.STATUS, StandardHeaders.STATUS_OK)
                .set(StandardHeaders.CONTENT_TYPE, defaultCodec.contentType()).set(StandardHeaders.SOURCE, source).build();
        for (Operation op : model.operations()) {
            if (!op.requiredScopes().isEmpty() && authenticator == null) {
                // Fail closed, at start-up: a method that needs scopes must never be served unchecked.
                throw new IllegalStateException(op.qualifiedName() + " requires scopes " + op.requiredScopes()
                        + " but no Authenticator is configured: set one with Parley.builder().authenticator(..)");
            }
            Method m = op.method();
            boolean implemented = true;
            if (m.isDefault()) {
                // An event handler that the subscriber did not override is not subscribed to.
                try {
                    Method impl = service.getClass().getMethod(m.getName(), m.getParameterTypes());
                    implemented = !impl.getDeclaringClass().isInterface();
                } catch (NoSuchMethodException e) {
                    implemented = false;
                }
            }
            if (!Modifier.isPublic(service.getClass().getModifiers())) {
                m.setAccessible(true);
            }
            TypedCodec<Object> request = op.requestType().isPresent() ? (TypedCodec<Object>) defaultCodec.forType(op.requestType().get()) : null;
            TypedCodec<Object> reply = op.hasReplyBody() && op.style() != InteractionStyle.PUBLISH_SUBSCRIBE
                    ? (TypedCodec<Object>) defaultCodec.forType(op.replyType()) : null;
            byWireName.put(op.wireName(), new Binding(op, m, implemented, request, reply));
        }
    }

    @Override
    public ParleyClock.Cancellable handle(Envelope message, ReplySink replies) {
        long received = clock.nanoTime();
        Headers h = message.headers();
        String wireName = h.valueOrNull(StandardHeaders.OPERATION);
        Binding binding = wireName == null ? null : byWireName.get(wireName);
        if (binding == null) {
            reject(message, replies, ErrorCode.UNIMPLEMENTED, model.descriptor().address() + " has no operation '"
                    + (wireName == null ? "" : Checks.abbreviate(wireName, 64)) + "'", null);
            return ParleyClock.Cancellable.NOOP;
        }
        Operation op = binding.op();
        String version = h.valueOrNull(StandardHeaders.CONTRACT_VERSION);
        if (version != null && !sameMajor(version)) {
            reject(message, replies, ErrorCode.UNIMPLEMENTED, model.name() + " version " + Checks.abbreviate(version, 64)
                    + " is not served here (serving " + model.version() + ")", op);
            return ParleyClock.Cancellable.NOOP;
        }
        long deadline = NO_DEADLINE;
        String remaining = h.valueOrNull(StandardHeaders.DEADLINE);
        if (remaining != null) {
            long millis;
            try {
                millis = Long.parseLong(remaining);
            } catch (NumberFormatException e) {
                millis = -1;
            }
            if (millis < 0) {
                reject(message, replies, ErrorCode.INVALID_ARGUMENT, StandardHeaders.DEADLINE + ": '" + Checks.abbreviate(remaining, 64)
                        + "' (expected: remaining milliseconds, >= 0)", op);
                return ParleyClock.Cancellable.NOOP;
            }
            if (millis == 0) {
                reject(message, replies, ErrorCode.DEADLINE_EXCEEDED, op.qualifiedName() + ": the deadline had passed on arrival", op);
                return ParleyClock.Cancellable.NOOP;
            }
            deadline = CallContext.saturatedAdd(received, millis * 1_000_000L);
        }
        if (!binding.implemented()) {
            replies.reply(Envelope.withoutBody(replyHeaders(message, StandardHeaders.STATUS_OK, defaultCodec)));
            return ParleyClock.Cancellable.NOOP;
        }
        Codec codec = defaultCodec;
        String contentType = h.valueOrNull(StandardHeaders.CONTENT_TYPE);
        if (contentType != null && !contentType.equals(defaultCodec.contentType())) {
            codec = codecs.apply(contentType);
            if (codec == null) {
                reject(message, replies, ErrorCode.INVALID_ARGUMENT, "content-type '" + Checks.abbreviate(contentType, 64)
                        + "' is not supported (expected: application/json or application/cbor)", op);
                return ParleyClock.Cancellable.NOOP;
            }
        }
        Object argument = null;
        if (op.requestType().isPresent()) {
            if (message.isLocal()) {
                argument = message.localMessage().orElseThrow();
            } else {
                try {
                    argument = requestCodec(binding, codec).decode(message.body());
                } catch (DecodingException e) {
                    Map<String, String> details = e.field().map(f -> Map.of("field", f)).orElse(Map.of());
                    reject(message, replies, ErrorCode.INVALID_ARGUMENT, op.qualifiedName() + ": " + e.getMessage(), op, details);
                    return ParleyClock.Cancellable.NOOP;
                }
            }
        }
        String claimed = null;
        if (op.style() == InteractionStyle.ONE_WAY || op.style() == InteractionStyle.PUBLISH_SUBSCRIBE) {
            String id = h.valueOrNull(StandardHeaders.MESSAGE_ID);
            if (id != null) {
                if (!idempotency.claim(scope, id)) {
                    // Processed before (or being processed): acknowledge the duplicate without running the handler.
                    log.debug("duplicate {} of {} skipped in {}", Checks.abbreviate(id, 64), op.qualifiedName(), scope);
                    if (op.style() == InteractionStyle.PUBLISH_SUBSCRIBE || replies.acknowledgesOneWay()) {
                        replies.reply(Envelope.withoutBody(replyHeaders(message, StandardHeaders.STATUS_OK, defaultCodec)));
                    }
                    return ParleyClock.Cancellable.NOOP;
                }
                claimed = id;
            }
        }
        Execution run = new Execution(binding, argument, message, replies, deadline, received, codec, claimed);
        if (execution == HandlerExecution.DIRECT) {
            run.run();
            return run;
        }
        Thread thread = HANDLER_THREADS.newThread(run);
        run.thread = thread;
        if (deadline != NO_DEADLINE) {
            // Armed before the handler starts, relative to now: the deadline is an instant, not a delay.
            run.timer = clock.schedule(deadline - clock.nanoTime(), run::expire);
        }
        thread.start();
        return run;
    }

    private boolean sameMajor(String version) {
        int dot = version.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? version : version.substring(0, dot)) == model.version().major();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    private TypedCodec<Object> requestCodec(Binding binding, Codec codec) {
        return codec == defaultCodec ? binding.request() : (TypedCodec<Object>) codec.forType(binding.op().requestType().orElseThrow());
    }

    private void reject(Envelope message, ReplySink replies, ErrorCode code, String text, Operation op) {
        reject(message, replies, code, text, op, Map.of());
    }

    private void reject(Envelope message, ReplySink replies, ErrorCode code, String text, Operation op, Map<String, String> details) {
        log.debug("rejected {} from {}: {} {}", model.descriptor().address(),
                message.headers().valueOrNull(StandardHeaders.SOURCE), code, text);
        if (op != null && op.style() == InteractionStyle.ONE_WAY && !replies.acknowledgesOneWay()) {
            log.warn("one-way message to {} dropped: {} {}", op.qualifiedName(), code, text);
            notifyListener(op, code, 0);
            return;
        }
        replies.reply(errorReply(message, new ErrorInfo(code.name(), text, details), code, message.isLocal(), defaultCodec));
        if (op != null) {
            notifyListener(op, code, 0);
        }
    }

    private Headers replyHeaders(Envelope request, String status, Codec codec) {
        // A successful reply in the default codec starts from headers checked once, at construction.
        Headers.Builder b = status.equals(StandardHeaders.STATUS_OK) && codec == defaultCodec ? okReplyHeaders.toBuilder()
                : Headers.builder().set(StandardHeaders.STATUS, status).set(StandardHeaders.CONTENT_TYPE, codec.contentType())
                        .set(StandardHeaders.SOURCE, source);
        String id = request.headers().valueOrNull(StandardHeaders.MESSAGE_ID);
        if (id != null) {
            // A value of a Headers instance, so a valid one: every Headers is built through the checks.
            TRUSTED.setTrusted(b, StandardHeaders.CORRELATION_ID, id);
        }
        return b.build();
    }

    private Envelope errorReply(Envelope request, ErrorInfo info, ErrorCode code, boolean local, Codec codec) {
        Headers headers = replyHeaders(request, code.name(), codec);
        return local ? Envelope.local(headers, info) : Envelope.of(headers, codec.forType(ErrorInfo.class).encode(info));
    }

    private void notifyListener(Operation op, ErrorCode error, long durationNanos) {
        if (listener != null) {
            listener.onCall(new CallEvent(CallEvent.Side.SERVER, model.descriptor().address(), op.wireName(), op.style(), source,
                    Optional.ofNullable(error), durationNanos, 1, false));
        }
    }

    /** One handled call: runs the method, replies once, and can be cancelled or expire. */
    private final class Execution implements Runnable, ParleyClock.Cancellable {
        final Binding binding;
        final Object argument;
        final Envelope message;
        final ReplySink replies;
        final long deadline;
        final long received;
        final Codec codec;
        final @Nullable String claimed;
        final AtomicBoolean done = new AtomicBoolean();
        volatile Thread thread;
        volatile ParleyClock.Cancellable timer;
        volatile CompletableFuture<?> pending;
        volatile CallContext context;

        Execution(Binding binding, Object argument, Envelope message, ReplySink replies, long deadline, long received, Codec codec,
                  @Nullable String claimed) {
            this.claimed = claimed;
            this.binding = binding;
            this.argument = argument;
            this.message = message;
            this.replies = replies;
            this.deadline = deadline;
            this.received = received;
            this.codec = codec;
        }

        @Override
        public void run() {
            if (done.get()) {
                return; // expired or cancelled before the handler thread got going
            }
            CallerIdentity identity;
            try {
                identity = authenticate(binding.op(), message.headers());
            } catch (ParleyException e) {
                complete(null, e);
                return;
            }
            CallContext ctx = new CallContext(clock, deadline, message.headers(), identity);
            context = ctx;
            try (CallContext.Scope ignored = CallContext.enter(ctx)) {
                Object result = binding.op().requestType().isPresent()
                        ? binding.method().invoke(service, argument)
                        : binding.method().invoke(service);
                if (binding.op().asyncReturn()) {
                    if (result == null) {
                        complete(null, new IllegalStateException(binding.op().qualifiedName() + " returned null instead of a CompletionStage"));
                        return;
                    }
                    CompletableFuture<?> future = ((CompletionStage<?>) result).toCompletableFuture();
                    pending = future;
                    if (done.get()) {
                        // Stopped (cancelled, expired) while the handler was producing the stage, before
                        // stop() could see it: cancel it here, or it would run on unobserved.
                        future.cancel(true);
                        return;
                    }
                    future.whenComplete(this::complete);
                } else {
                    complete(result, null);
                }
            } catch (InvocationTargetException e) {
                complete(null, e.getCause());
            } catch (IllegalAccessException | RuntimeException e) {
                complete(null, e);
            } finally {
                thread = null;
            }
        }

        private void complete(Object value, Throwable error) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            ParleyClock.Cancellable t = timer;
            if (t != null) {
                t.cancel();
            }
            Operation op = binding.op();
            if (error == null && deadline != NO_DEADLINE && clock.nanoTime() - deadline >= 0) {
                error = new DeadlineExceededException(op.qualifiedName() + ": finished after its deadline");
            }
            ErrorCode code = null;
            if (error != null) {
                ParleyException failure = toParleyException(op, error);
                code = failure.code();
                if (claimed != null) {
                    // Not processed after all: a redelivery must run the handler again.
                    idempotency.release(scope, claimed);
                }
                if (op.style() != InteractionStyle.ONE_WAY || replies.acknowledgesOneWay()) {
                    replies.reply(errorReply(message, failure.toErrorInfo(), code, message.isLocal(), codec));
                }
                if (op.style() == InteractionStyle.ONE_WAY) {
                    log.warn("one-way call {} failed: {}", op.qualifiedName(), failure.toString());
                }
            } else if (op.style() == InteractionStyle.ONE_WAY) {
                if (replies.acknowledgesOneWay()) {
                    replies.reply(Envelope.withoutBody(replyHeaders(message, StandardHeaders.STATUS_OK, codec)));
                }
            } else {
                Headers headers = replyHeaders(message, StandardHeaders.STATUS_OK, codec);
                Envelope reply;
                if (binding.reply() == null || value == null) {
                    reply = Envelope.withoutBody(headers);
                    if (binding.reply() != null) {
                        ParleyException failure = new ParleyException(ErrorCode.INTERNAL, op.qualifiedName() + " returned null",
                                Map.of(), null, false);
                        code = failure.code();
                        log.error("{} returned null; replying INTERNAL", op.qualifiedName());
                        reply = errorReply(message, failure.toErrorInfo(), code, message.isLocal(), codec);
                    }
                } else if (message.isLocal()) {
                    reply = Envelope.local(headers, value);
                } else {
                    try {
                        reply = Envelope.of(headers, replyCodec(codec).encode(value));
                    } catch (EncodingException e) {
                        log.error("cannot encode reply of {}", op.qualifiedName(), e);
                        code = ErrorCode.INTERNAL;
                        reply = errorReply(message, new ErrorInfo(code.name(), op.qualifiedName() + ": reply could not be encoded", Map.of()),
                                code, false, codec);
                    }
                }
                replies.reply(reply);
            }
            notifyListener(op, code, clock.nanoTime() - received);
        }

        @SuppressWarnings("unchecked")
        private TypedCodec<Object> replyCodec(Codec c) {
            return c == defaultCodec ? binding.reply() : (TypedCodec<Object>) c.forType(binding.op().replyType());
        }

        /** The deadline passed: answer DEADLINE_EXCEEDED and stop the handler. */
        void expire() {
            stop(new DeadlineExceededException(binding.op().qualifiedName() + ": deadline exceeded while handling"));
        }

        /** The caller cancelled. */
        @Override
        public boolean cancel() {
            return stop(ParleyException.of(ErrorCode.CANCELLED, binding.op().qualifiedName() + ": cancelled by the caller"));
        }

        private boolean stop(ParleyException reason) {
            if (done.get()) {
                return false;
            }
            CallContext ctx = context;
            if (ctx != null) {
                ctx.cancel();
            }
            complete(null, reason);
            Thread t = thread;
            if (t != null) {
                t.interrupt();
            }
            CompletableFuture<?> p = pending;
            if (p != null) {
                p.cancel(true);
            }
            return true;
        }
    }

    /**
     * The caller's identity: checked when the operation requires scopes or a token was sent
     * (an invalid token is refused even on a public method); null for anonymous calls.
     */
    private CallerIdentity authenticate(Operation op, Headers headers) {
        if (authenticator == null || (op.requiredScopes().isEmpty() && !headers.contains(StandardHeaders.AUTHORIZATION))) {
            return null;
        }
        CallerIdentity identity = authenticator.authenticate(headers);
        if (identity == null) {
            throw ParleyException.of(ErrorCode.UNAUTHENTICATED, "authentication required");
        }
        if (!identity.hasAllScopes(op.requiredScopes())) {
            throw ParleyException.of(ErrorCode.PERMISSION_DENIED, "permission denied");
        }
        return identity;
    }

    private ParleyException toParleyException(Operation op, Throwable error) {
        if (error instanceof ParleyException p) {
            return p;
        }
        if (error instanceof java.util.concurrent.CompletionException && error.getCause() != null) {
            return toParleyException(op, error.getCause());
        }
        String errorId = Ids.messageId().substring(0, 8);
        log.error("{} failed (error id {})", op.qualifiedName(), errorId, error);
        return new ParleyException(ErrorCode.INTERNAL, op.qualifiedName() + " failed (error id " + errorId + ")", Map.of("errorId", errorId),
                null, false);
    }
}
