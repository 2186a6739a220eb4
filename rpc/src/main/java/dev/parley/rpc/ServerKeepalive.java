package dev.parley.rpc;

import dev.parley.ErrorCode;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of keepalive: pings a connection on which nothing arrived for
 * {@code interval}, and closes it when nothing (a PONG or any other byte) arrives within
 * {@code timeout} of the ping. That finds dead peers (a crashed host, a dropped NAT mapping)
 * long before TCP would, and frees their calls.
 *
 * <pre>
 *  [tls] -> keepalive (sees every byte read, before framing) -> idle timeout -> FrameDecoder -> ServerConnection
 * </pre>
 *
 * <p>Added to a connection's pipeline once the server has answered HELLO (a peer may not be sent
 * anything but HELLO_ACK first); the handshake timeout covers the time before. Any byte read
 * counts as a sign of life, even a partial frame, so a client slowly sending a large request is
 * not mistaken for a dead one; PONG payloads are not matched against the PING (an unsolicited
 * or stale PONG is just traffic). While the server does not read the connection because its
 * replies cannot be written (backpressure), silence proves nothing and no PING is sent.
 *
 * <p>Everything runs on the connection's event loop; the cost on the read path is a field
 * test per read and a clock read per read batch.
 */
final class ServerKeepalive extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(ServerKeepalive.class);

    static final String NAME = "keepalive";

    private final long intervalNanos;
    private final long timeoutNanos;
    private final Duration timeout;
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable ScheduledFuture<?> timer;
    private long lastReadNanos;
    private long pingSentNanos;
    private boolean pingOutstanding;
    private volatile long pingsSent; // written on the event loop only

    ServerKeepalive(Duration interval, Duration timeout) {
        this.intervalNanos = interval.toNanos();
        this.timeoutNanos = timeout.toNanos();
        this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        lastReadNanos = System.nanoTime();
        if (ctx.channel().isActive()) {
            schedule(intervalNanos);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (pingOutstanding) {
            // The answer (or any sign of life): the next check is an interval from now, not at the ping's deadline.
            pingOutstanding = false;
            cancel();
            schedule(intervalNanos);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastReadNanos = System.nanoTime();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    /** PINGs sent on this connection (for tests). */
    long pingsSent() {
        return pingsSent;
    }

    private void schedule(long delayNanos) {
        ChannelHandlerContext c = this.ctx;
        if (c != null) {
            timer = c.executor().schedule(this::check, Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
            timer = null;
        }
    }

    private void check() {
        ChannelHandlerContext c = this.ctx;
        if (c == null || !c.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (!c.channel().config().isAutoRead()) {
            // The server itself stopped reading (backpressure): the peer's silence proves nothing.
            pingOutstanding = false;
            lastReadNanos = now;
            schedule(intervalNanos);
            return;
        }
        if (pingOutstanding) {
            long waited = now - pingSentNanos;
            if (waited >= timeoutNanos) {
                String reason = "no answer to a keepalive ping within " + timeout;
                log.warn("RPC: closing connection from {}: {}", c.channel().remoteAddress(), reason);
                // Best effort: a peer that is still there learns why; the close does not wait for it.
                c.writeAndFlush(FrameCodec.encode(new Frame.Error(0, RpcErrorCodes.number(ErrorCode.UNAVAILABLE), reason), c.alloc()),
                        c.voidPromise());
                c.close();
                return;
            } else {
                schedule(timeoutNanos - waited);
                return;
            }
        }
        long idle = now - lastReadNanos;
        if (idle < intervalNanos) {
            schedule(intervalNanos - idle);
            return;
        }
        pingOutstanding = true;
        pingSentNanos = now;
        pingsSent = pingsSent + 1;
        c.writeAndFlush(FrameCodec.encode(new Frame.Ping(now), c.alloc()), c.voidPromise());
        schedule(timeoutNanos);
    }
}
