package dev.parley.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Closes an HTTP/1.1 connection whose request does not arrive in full within the read timeout,
 * counted from its first byte (or from the connection opening): a client that trickles its
 * headers (slowloris) cannot hold a connection forever. Removed once a connection speaks
 * HTTP/2, whose streams are limited by the idle timeout instead.
 */
final class RequestReadTimeout extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RequestReadTimeout.class);

    private final long timeoutNanos;
    // Event loop only. One timer per connection at most, re-armed lazily: a request that completes
    // in time costs two field writes, not a scheduled task and its cancellation.
    private @Nullable ScheduledFuture<?> timer;
    private boolean reading;
    private long startedNanos;

    RequestReadTimeout(long timeoutMillis) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!reading) {
            start(ctx);
        }
        ctx.fireChannelRead(msg);
    }

    /** A whole request has been read: stop counting until the next one starts. */
    void requestComplete() {
        reading = false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void stop() {
        reading = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void start(ChannelHandlerContext ctx) {
        reading = true;
        startedNanos = System.nanoTime();
        if (timer == null) {
            arm(ctx, timeoutNanos);
        }
    }

    private void arm(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> expired(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The timer fired: close if the request in progress is overdue, else wait for its own deadline (or stop when idle). */
    private void expired(ChannelHandlerContext ctx) {
        timer = null;
        if (!reading || !ctx.channel().isActive()) {
            return;
        }
        long left = startedNanos + timeoutNanos - System.nanoTime();
        if (left > 0) {
            arm(ctx, left);
            return;
        }
        log.debug("closing {}: request not read within {} ms", ctx.channel().remoteAddress(), TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        ctx.close();
    }
}
