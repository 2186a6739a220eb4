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
}
