package dev.parley.rpc;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A call on its way: its encoded frame (stream id filled in when a connection takes it) and the
 * caller's future. Owned by one connection's event loop once submitted.
 */
final class ClientCall {

    final CompletableFuture<?> future;
    /** Set when a connection takes the call: where a cancellation goes. */
    volatile @Nullable ClientConnection connection;
    final boolean oneWay;
    final int size;
    int streamId;
    boolean queued;
    @Nullable ByteBuf frame;

    ClientCall(ByteBuf frame, CompletableFuture<?> future, boolean oneWay) {
        this.frame = frame;
        this.future = future;
        this.oneWay = oneWay;
        this.size = frame.readableBytes();
    }

    /** Hands the frame to the channel, which releases it once written. */
    ByteBuf takeFrame() {
        ByteBuf f = frame;
        if (f == null) {
            throw new IllegalStateException("frame of stream " + streamId + " already sent");
        }
        frame = null;
        return f;
    }

    void release() {
        ByteBuf f = frame;
        frame = null;
        if (f != null) {
            f.release();
        }
    }

    @SuppressWarnings("unchecked")
    void complete(@Nullable Object value) {
        release();
        ((CompletableFuture<Object>) future).complete(value);
    }

    void fail(Throwable failure) {
        release();
        future.completeExceptionally(failure);
    }

    /**
     * The future a caller gets: cancelling it tells the connection that took the call, which
     * sends CANCEL (or drops the call from its send queue). Cheaper than a callback per call.
     */
    static final class CallFuture<T> extends CompletableFuture<T> {
        @Nullable ClientCall call;

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            ClientCall c = call;
            ClientConnection connection = c == null ? null : c.connection;
            if (cancelled && connection != null) {
                connection.cancelled(c);
            }
            return cancelled;
        }
    }
}
