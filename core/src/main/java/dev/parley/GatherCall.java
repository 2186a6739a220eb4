package dev.parley;

import dev.parley.codec.Codec;
import dev.parley.codec.DecodingException;
import dev.parley.codec.EncodingException;
import dev.parley.codec.TypedCodec;
import dev.parley.internal.ContractModel.Operation;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.TopicNames;
import dev.parley.transport.TopicTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One publish/async responses call: scatters the request on the gather topic, collects
 * replies as they come, and completes with a {@link Gathered} at the deadline, at the wanted
 * count, or when every reached responder answered.
 */
final class GatherCall<R> {

    private final Operation op;
    private final TopicTransport topics;
    private final Codec codec;
    private final ParleyClock clock;
    private final String source;
    private final CallListener listener;

    private final List<Gathered.Reply<R>> replies = new ArrayList<>();
    private final Map<String, ParleyException> failures = new LinkedHashMap<>();
    private final Set<String> answered = new HashSet<>();
    private Set<String> reached = Set.of();
    private int wanted;
    private long started;
    private boolean reachedKnown;
    private ParleyClock.Cancellable timer = ParleyClock.Cancellable.NOOP;
    private final CompletableFuture<Gathered<R>> result = new CompletableFuture<>();

    GatherCall(Operation op, TopicTransport topics, Codec codec, ParleyClock clock, String source, CallListener listener) {
        this.op = op;
        this.topics = topics;
        this.codec = codec;
        this.clock = clock;
        this.source = source;
        this.listener = listener;
    }

    CompletableFuture<Gathered<R>> start(Object request, GatherOptions options) {
        started = clock.nanoTime();
        long deadline = CallContext.saturatedAdd(started, options.deadline().toNanos());
        CallContext ctx = CallContext.currentOrNull();
        if (ctx != null) {
            deadline = Math.min(deadline, ctx.deadlineOn(clock, started));
        }
        long remaining = deadline - started;
        if (remaining <= 0) {
            result.completeExceptionally(new DeadlineExceededException(op.qualifiedName() + ": the deadline had passed before the gather started"));
            return result;
        }
        wanted = options.wanted();
        Headers headers = ClientInvoker.outboundHeaders(ClientInvoker.fixedHeaders(op, codec, source), ctx)
                .set(StandardHeaders.DEADLINE, Long.toString(Math.max(1, remaining / 1_000_000L)))
                .build();
        @SuppressWarnings("unchecked")
        TypedCodec<Object> requestCodec = (TypedCodec<Object>) codec.forType(op.requestType().orElseThrow());
        @SuppressWarnings("unchecked")
        TypedCodec<R> replyCodec = (TypedCodec<R>) codec.forType(op.replyType());
        byte[] body;
        try {
            body = requestCodec.encode(request);
        } catch (EncodingException e) {
            result.completeExceptionally(ParleyException.of(ErrorCode.INVALID_ARGUMENT, op.qualifiedName() + ": " + e.getMessage()));
            return result;
        }
        synchronized (this) {
            timer = clock.schedule(remaining, () -> finish(Gathered.Ending.DEADLINE));
        }
        List<String> recipients = topics.scatter(TopicNames.gather(op.contract().descriptor()), Envelope.of(headers, body),
                reply -> onReply(reply, replyCodec));
        synchronized (this) {
            reachedKnown = !recipients.isEmpty();
            reached = new LinkedHashSet<>(recipients);
            checkDone();
        }
        return result;
    }

    private void onReply(Envelope reply, TypedCodec<R> replyCodec) {
        Headers h = reply.headers();
        String responder = Optional.ofNullable(h.valueOrNull(StandardHeaders.SOURCE)).orElse("unknown");
        String status = h.valueOrNull(StandardHeaders.STATUS);
        R value = null;
        ParleyException failure = null;
        if (status == null || status.equals(StandardHeaders.STATUS_OK)) {
            try {
                value = replyCodec.decode(reply.body());
            } catch (DecodingException e) {
                failure = new TransportException(ErrorCode.INVALID_REPLY, "undecodable reply from " + responder + ": " + e.getMessage(), e);
            }
        } else {
            ErrorCode code = ErrorCode.parse(status).orElse(ErrorCode.INTERNAL);
            ErrorInfo info = ClientInvoker.errorInfo(reply, code, codec);
            failure = new RemoteException(code, info.message(), info.details(),
                    op.contract().descriptor().address() + " " + op.name() + " @ " + responder);
        }
        synchronized (this) {
            if (result.isDone() || !answered.add(responder)) {
                return;
            }
            if (failure == null) {
                replies.add(new Gathered.Reply<>(responder, value));
            } else {
                failures.put(responder, failure);
            }
            checkDone();
        }
    }

    private void checkDone() {
        if (replies.size() >= wanted) {
            finish(Gathered.Ending.WANTED_REACHED);
        } else if (reachedKnown && answered.containsAll(reached)) {
            finish(Gathered.Ending.ALL_ANSWERED);
        }
    }

    private synchronized void finish(Gathered.Ending ending) {
        if (result.isDone()) {
            return;
        }
        timer.cancel();
        Set<String> silent = new LinkedHashSet<>(reached);
        silent.removeAll(answered);
        long elapsed = clock.nanoTime() - started;
        Gathered<R> gathered = new Gathered<>(replies, failures, silent, ending, Duration.ofNanos(elapsed));
        result.complete(gathered);
        if (listener != null) {
            listener.onCall(new CallEvent(CallEvent.Side.CLIENT, op.contract().descriptor().address(), op.wireName(), op.style(),
                    TopicNames.gather(op.contract().descriptor()), Optional.empty(), elapsed, 1, false));
        }
    }
}
