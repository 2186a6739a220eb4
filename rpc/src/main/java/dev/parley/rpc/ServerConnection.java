package dev.parley.rpc;

import dev.parley.ErrorCode;
import dev.parley.ParleyClock;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.InboundHandler;
import dev.parley.transport.ReplySink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection on the server: the handshake, then every call on it. Calls are handed
 * to the contract's {@link InboundHandler} (Parley's dispatcher, which runs the handler on a
 * virtual thread) and answered through a {@link Call}, from whatever thread the handler
 * finishes on. All state lives on the connection's event loop; nothing here blocks.
 *
 * <p>Backpressure: when the socket cannot take more replies the connection stops reading
 * requests until it can; at most {@code maxConcurrentCalls} calls run per connection, further
 * ones are refused with {@code RESOURCE_EXHAUSTED}.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

    private final RpcServer server;
    private final IntObjectHashMap<Call> calls = new IntObjectHashMap<>();
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable ScheduledFuture<?> handshakeTimer;
    private boolean handshaken;
    private boolean goingAway;
    private boolean reading;
    private boolean needsFlush;
    private boolean flushScheduled;
    /** Replies written since the last flush. */
    private int unflushed;
    private final Runnable flushTask = this::flushNow;
    private int lastStreamId;
    private volatile int peerMaxFrameBytes = Integer.MAX_VALUE;
    // The last route (event loop only).
    private @Nullable String routedContract;
    private @Nullable String routedVersion;
    private @Nullable InboundHandler routedHandler;
    private int routedGeneration;

    ServerConnection(RpcServer server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        long timeout = server.limits.handshakeTimeout().toMillis();
        handshakeTimer = ctx.executor().schedule(() -> {
            if (!handshaken && ctx.channel().isActive()) {
                log.info("RPC: closing connection from {}: no HELLO within {} ms", ctx.channel().remoteAddress(), timeout);
                ctx.close();
            }
        }, timeout, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        if (msg instanceof FrameException bad) {
            onBadFrame(bad);
            return;
        }
        switch ((Frame) msg) {
            case Frame.Hello hello -> onHello(hello);
            case Frame.Request request -> onRequest(request);
            case Frame.OneWay oneWay -> onOneWay(oneWay);
            case Frame.Cancel cancel -> onCancel(cancel.streamId());
            case Frame.Ping ping -> write(new Frame.Pong(ping.payload()));
            case Frame.Pong pong -> { }
            case Frame.GoAway away -> {
                log.debug("RPC: client {} is going away: {}", ctx.channel().remoteAddress(), away.message());
                goingAway = true;
                if (calls.isEmpty()) {
                    ctx.close();
                }
            }
            case Frame.Error error -> {
                if (error.streamId() == 0) {
                    log.info("RPC: client {} closes the connection: {} {}", ctx.channel().remoteAddress(),
                            RpcErrorCodes.name(error.code()), error.message());
                    ctx.close();
                }
            }
            case Frame.HelloAck ack -> protocolError("HELLO_ACK from a client");
            case Frame.Reply reply -> protocolError("REPLY from a client (stream " + reply.streamId() + ")");
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (needsFlush) {
            unflushed = 0;
            needsFlush = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    private void onHello(Frame.Hello hello) {
        if (handshaken) {
            protocolError("second HELLO on one connection");
            return;
        }
        int version = Math.min(hello.maxVersion(), Frame.MAX_VERSION);
        if (version < Math.max(hello.minVersion(), Frame.MIN_VERSION)) {
            String message = "protocol versions " + hello.minVersion() + " to " + hello.maxVersion() + " not supported (server speaks "
                    + Frame.MIN_VERSION + " to " + Frame.MAX_VERSION + ")";
            log.warn("RPC: closing connection from {}: {}", ctx().channel().remoteAddress(), message);
            ctx().writeAndFlush(FrameCodec.encode(new Frame.Error(0, RpcErrorCodes.number(ErrorCode.UNIMPLEMENTED), message), ctx().alloc()))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        handshaken = true;
        peerMaxFrameBytes = Math.max(Frame.HEADER_BYTES, hello.maxFrameBytes());
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        write(new Frame.HelloAck(version, server.limits.maxFrameBytes(), server.limits.maxConcurrentCalls(), Headers.empty()));
        server.handshaken(ctx().pipeline());
        if (server.draining()) {
            goAway();
        }
    }

    private void onRequest(Frame.Request request) {
        int id = request.streamId();
        // Draining refuses new calls at once, even before this connection's GOAWAY has been written.
        if (goingAway || server.draining()) {
            write(new Frame.Error(id, RpcErrorCodes.number(ErrorCode.UNAVAILABLE), "the server is shutting down (GOAWAY sent)"));
            return;
        }
        if (calls.containsKey(id)) {
            protocolError("REQUEST on stream " + id + ", which is still in flight");
            return;
        }
        if (calls.size() >= server.limits.maxConcurrentCalls()) {
            write(new Frame.Error(id, RpcErrorCodes.number(ErrorCode.RESOURCE_EXHAUSTED), "more than "
                    + server.limits.maxConcurrentCalls() + " calls in flight on this connection (maxConcurrentCalls)"));
            return;
        }
        InboundHandler handler = route(request.message(), id, true);
        if (handler == null) {
            return;
        }
        lastStreamId = Math.max(lastStreamId, id);
        Call call = new Call(id);
        calls.put(id, call);
        server.callStarted();
        try {
            call.work = handler.handle(request.message(), call);
        } catch (RuntimeException e) {
            log.error("RPC: handler failed on stream {} from {}", id, ctx().channel().remoteAddress(), e);
            if (calls.remove(id) != null) {
                server.callEnded();
                write(new Frame.Error(id, RpcErrorCodes.number(ErrorCode.INTERNAL), "the server failed to start the call"));
            }
        }
    }

    private void onOneWay(Frame.OneWay oneWay) {
        if (goingAway || server.draining()) {
            log.warn("RPC: one-way message on stream {} from {} dropped: the server is shutting down", oneWay.streamId(),
                    ctx().channel().remoteAddress());
            return;
        }
        InboundHandler handler = route(oneWay.message(), oneWay.streamId(), false);
        if (handler == null) {
            return;
        }
        try {
            handler.handle(oneWay.message(), ReplySink.IGNORE);
        } catch (RuntimeException e) {
            log.error("RPC: one-way handler failed on stream {} from {}", oneWay.streamId(), ctx().channel().remoteAddress(), e);
        }
    }

    /** The handler of the message's contract and major version; or null after refusing the call (requests) or logging (one-way). */
    private @Nullable InboundHandler route(Envelope message, int id, boolean answer) {
        Headers h = message.headers();
        String contract = h.valueOrNull(StandardHeaders.CONTRACT);
        String version = h.valueOrNull(StandardHeaders.CONTRACT_VERSION);
        if (version == null) {
            version = "1";
        }
        // A connection's calls nearly always name the same contract: the last route is remembered
        // for as long as the server serves the same contracts.
        int generation = server.servedGeneration();
        if (contract != null && generation == routedGeneration && contract.equals(routedContract) && version.equals(routedVersion)) {
            return routedHandler;
        }
        InboundHandler handler = contract == null ? null : server.handler(contract, version);
        if (handler != null) {
            routedContract = contract;
            routedVersion = version;
            routedHandler = handler;
            routedGeneration = generation;
            return handler;
        }
        String reason = contract == null ? "no " + StandardHeaders.CONTRACT + " header"
                : "contract " + dev.parley.internal.Checks.abbreviate(contract, 64) + " version "
                        + dev.parley.internal.Checks.abbreviate(version, 16) + " is not served here (serving " + server.served() + ")";
        log.info("RPC: {} on stream {} from {} refused: {}", answer ? "call" : "one-way message", id, ctx().channel().remoteAddress(), reason);
        if (answer) {
            write(new Frame.Error(id, RpcErrorCodes.number(contract == null ? ErrorCode.INVALID_ARGUMENT : ErrorCode.UNIMPLEMENTED), reason));
        }
        return null;
    }

    private void onCancel(int id) {
        Call call = calls.remove(id);
        if (call == null) {
            return; // answered already: the CANCEL crossed the REPLY
        }
        server.callEnded();
        call.cancelled = true;
        ParleyClock.Cancellable work = call.work;
        if (work != null) {
            work.cancel();
        }
        maybeClose();
    }

    private void onBadFrame(FrameException bad) {
        if (bad.fatal) {
            log.warn("RPC: closing connection from {}: {}: {}", ctx().channel().remoteAddress(), RpcErrorCodes.name(bad.code), bad.getMessage());
            ctx().writeAndFlush(FrameCodec.encode(new Frame.Error(0, bad.code, bad.getMessage()), ctx().alloc()))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        log.info("RPC: {} on stream {} from {} refused: {}", FrameCodec.typeName(bad.type), bad.streamId, ctx().channel().remoteAddress(),
                bad.getMessage());
        if (bad.type == Frame.REQUEST && !goingAway && !calls.containsKey(bad.streamId)) {
            write(new Frame.Error(bad.streamId, bad.code, bad.getMessage()));
        }
    }

    private void protocolError(String message) {
        onBadFrame(FrameException.fatal(RpcErrorCodes.PROTOCOL_ERROR, message));
    }

    /** Sends GOAWAY: calls already received finish, new ones are refused. On the event loop. */
    void goAway() {
        if (goingAway || !handshaken) {
            goingAway = true;
            return;
        }
        goingAway = true;
        ctx().writeAndFlush(FrameCodec.encode(new Frame.GoAway(lastStreamId, RpcErrorCodes.NO_ERROR, "server shutting down"), ctx().alloc()));
    }

    private void maybeClose() {
        // A client that said GOAWAY is closed once its last call is answered.
        if (goingAway && calls.isEmpty() && !server.draining()) {
            ctx().close();
        }
    }

    private void write(Frame frame) {
        ByteBuf buf = FrameCodec.encode(frame, ctx().alloc());
        writeOnLoop(buf);
    }

    /**
     * Writes now and flushes once per batch: at the end of the read batch, or, for replies from
     * handler threads (each a task on the event loop), in a task queued behind the replies that
     * arrived meanwhile. One system call for many replies; and one more every
     * {@link Frame#FLUSH_EVERY_FRAMES} replies of a long batch, so that the client works on the
     * first replies while the rest are made here (the two ends overlap instead of taking turns).
     */
    private void writeOnLoop(ByteBuf buf) {
        ChannelHandlerContext c = ctx();
        c.write(buf, c.voidPromise());
        needsFlush = true;
        if (++unflushed >= Frame.FLUSH_EVERY_FRAMES) {
            flushNow(); // a long batch: the client starts on these replies while the rest are made
        } else if (server.draining()) {
            flushNow(); // the connection may be closed right after this reply
        } else if (!reading && !flushScheduled) {
            flushScheduled = true;
            try {
                c.executor().execute(flushTask);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                flushNow(); // the event loop is shutting down: no later turn to flush in
            }
        }
    }

    private void flushNow() {
        flushScheduled = false;
        unflushed = 0;
        if (needsFlush) {
            needsFlush = false;
            ctx().flush();
        }
    }

    private void answered(Call call, ByteBuf reply) {
        if (calls.get(call.streamId) != call) {
            reply.release(); // cancelled, or the connection closed
            return;
        }
        calls.remove(call.streamId);
        // Written (and its flush queued) before the call stops counting: a draining server closes
        // the connection once nothing is in flight, and that close must come after the flush.
        writeOnLoop(reply);
        server.callEnded();
        maybeClose();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Replies pile up in the outbound buffer: stop taking requests until the client reads them.
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            log.info("RPC: closing connection from {}: nothing received for {}", ctx.channel().remoteAddress(), server.limits.idleTimeout());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        if (!calls.isEmpty()) {
            // Nobody waits for these answers any more: stop the handlers.
            for (Call call : new ArrayList<>(calls.values())) {
                server.callEnded();
                call.cancelled = true;
                if (call.work != null) {
                    call.work.cancel();
                }
            }
            log.debug("RPC: connection from {} closed with {} calls in flight; cancelled them", ctx.channel().remoteAddress(), calls.size());
            calls.clear();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("RPC: connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("RPC: closing connection from {} after an error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    private ChannelHandlerContext ctx() {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            throw new IllegalStateException("not added to a pipeline");
        }
        return c;
    }

    /** One call in flight, and where its handler's reply goes. */
    private final class Call implements ReplySink {
        final int streamId;
        volatile ParleyClock.@Nullable Cancellable work;
        volatile boolean cancelled;

        Call(int streamId) {
            this.streamId = streamId;
        }

        @Override
        public void reply(Envelope reply) {
            if (cancelled) {
                return; // the caller is gone; its CANCEL made the dispatcher answer CANCELLED
            }
            ChannelHandlerContext c = ctx();
            ByteBuf buf;
            try {
                // Encoded once; a reply over the client's limit (checked from the body alone first, so that a
                // huge one is not copied) is answered with PAYLOAD_TOO_LARGE instead.
                ByteBuf encoded = reply.body().length + Frame.HEADER_BYTES <= peerMaxFrameBytes
                        ? FrameCodec.message(Frame.REPLY, streamId, reply, c.alloc()) : null;
                if (encoded == null || encoded.readableBytes() > peerMaxFrameBytes) {
                    int size = encoded == null ? FrameCodec.messageFrameSize(reply) : encoded.readableBytes();
                    if (encoded != null) {
                        encoded.release();
                    }
                    encoded = FrameCodec.encode(new Frame.Error(streamId, RpcErrorCodes.number(ErrorCode.PAYLOAD_TOO_LARGE), "reply of " + size
                            + " bytes over the client's limit of " + peerMaxFrameBytes + " bytes"), c.alloc());
                }
                buf = encoded;
            } catch (RuntimeException e) {
                log.error("RPC: cannot encode the reply on stream {}", streamId, e);
                buf = FrameCodec.encode(new Frame.Error(streamId, RpcErrorCodes.number(ErrorCode.INTERNAL), "the reply could not be encoded"),
                        c.alloc());
            }
            ByteBuf frame = buf;
            if (c.executor().inEventLoop()) {
                answered(this, frame);
                return;
            }
            try {
                c.executor().execute(() -> answered(this, frame));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                frame.release(); // the transport closed while the handler ran: nobody to answer
                log.debug("RPC: reply on stream {} dropped: the transport is closed", streamId);
            }
        }
    }
}
