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

    private final long timeoutMillis;
    private @Nullable ScheduledFuture<?> timer; // event loop only

    RequestReadTimeout(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (timer == null) {
            arm(ctx);
        }
        ctx.fireChannelRead(msg);
    }

    /** A whole request has been read: stop counting until the next one starts. */
    void requestComplete() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        requestComplete();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        requestComplete();
    }

    private void arm(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> {
            log.debug("closing {}: request not read within {} ms", ctx.channel().remoteAddress(), timeoutMillis);
            ctx.close();
        }, timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
