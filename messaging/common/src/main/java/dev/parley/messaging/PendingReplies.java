package dev.parley.messaging;

import dev.parley.ErrorCode;
import dev.parley.TransportException;
import dev.parley.message.Envelope;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.ReplySink;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests of one transport that wait for replies on its reply channel, by correlation id:
 * a request waits for one reply until its deadline, a gather takes every reply until its own.
 */
final class PendingReplies {

    private static final Logger log = LoggerFactory.getLogger(PendingReplies.class);

    private sealed interface Waiter permits One, Many {}

    private record One(CompletableFuture<Envelope> reply) implements Waiter {}

    private record Many(ReplySink sink) implements Waiter {}

    private final ScheduledExecutorService timer;
    private final Map<String, Waiter> waiting = new ConcurrentHashMap<>();

    PendingReplies(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** The reply to request {@code id}; fails with DEADLINE_EXCEEDED after {@code timeoutMillis}, and forgets it when cancelled. */
    CompletableFuture<Envelope> expect(String id, long timeoutMillis, String target) {
        CompletableFuture<Envelope> reply = new CompletableFuture<>();
        One waiter = new One(reply);
        waiting.put(id, waiter);
        ScheduledFuture<?> timeout = timer.schedule(() -> {
            if (waiting.remove(id, waiter)) {
                reply.completeExceptionally(new TransportException(ErrorCode.DEADLINE_EXCEEDED,
                        "no reply from " + target + " within " + timeoutMillis + " ms", null));
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        reply.whenComplete((v, e) -> {
            waiting.remove(id, waiter);
            timeout.cancel(false);
        });
        return reply;
    }

    /** Passes every reply to gather {@code id} to {@code sink} for {@code windowMillis}. */
    void expectMany(String id, ReplySink sink, long windowMillis) {
        Many waiter = new Many(sink);
        waiting.put(id, waiter);
        timer.schedule(() -> waiting.remove(id, waiter), windowMillis, TimeUnit.MILLISECONDS);
    }

    void forget(String id) {
        waiting.remove(id);
    }

    /** Hands a reply to whoever waits for it; false when nobody does (it came too late). */
    boolean deliver(Envelope reply) {
        String id = reply.headers().valueOrNull(StandardHeaders.CORRELATION_ID);
        Waiter waiter = id == null ? null : waiting.get(id);
        switch (waiter) {
            case null -> {
                return false;
            }
            case One one -> {
                if (!waiting.remove(id, one)) {
                    return false; // timed out or cancelled meanwhile
                }
                // Off the broker client's delivery thread: a caller's blocking continuation must not stall it.
                Thread.startVirtualThread(() -> one.reply().complete(reply));
                return true;
            }
            case Many many -> {
                try {
                    many.sink().reply(reply);
                } catch (RuntimeException e) {
                    log.error("gather reply sink failed", e);
                }
                return true;
            }
        }
    }

    int size() {
        return waiting.size();
    }

    void failAll(String why) {
        for (Map.Entry<String, Waiter> e : waiting.entrySet()) {
            if (waiting.remove(e.getKey(), e.getValue()) && e.getValue() instanceof One one) {
                one.reply().completeExceptionally(new TransportException(ErrorCode.UNAVAILABLE, why, null));
            }
        }
    }
}
