package dev.parley.rpc;

import dev.parley.ErrorCode;
import dev.parley.ErrorInfo;
import dev.parley.TransportException;
import dev.parley.codec.Codec;
import dev.parley.codec.TypedCodec;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.collection.IntObjectHashMap;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the handshake, then any number of calls multiplexed on it, correlated
 * by stream id. All state lives on the connection's event loop; callers hand their encoded
 * frames over with {@link #submit}.
 *
 * <pre>
 *  submit ─► writable and under the server's maxConcurrentCalls? ─yes─► write (flushes coalesced) ─► pending[id]
 *               │no                                                                                   │
 *               └─► send queue (bounded in bytes; full ─► RESOURCE_EXHAUSTED) ─► sent when writable ────┘
 *  REPLY/ERROR[id] ─► pending.remove(id).complete      cancel(true) ─► CANCEL[id]     GOAWAY ─► no new calls
 * </pre>
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    private static final TypedCodec<ErrorInfo> ERROR_INFO = Codec.json().forType(ErrorInfo.class);

    final Endpoint endpoint;
    final CompletableFuture<ClientConnection> ready = new CompletableFuture<>();
    private final boolean tls;
    private final IntObjectHashMap<ClientCall> pending = new IntObjectHashMap<>();
    private final ArrayDeque<ClientCall> queued = new ArrayDeque<>();
    private long queuedBytes;
    private int nextStreamId = 1;
    private int peerMaxFrameBytes = Frame.HEADER_BYTES;
    private int peerMaxConcurrentCalls = 1;
    private boolean pingOutstanding;
    private boolean flushScheduled;
    /** Frames written since the last flush. */
    private int unflushed;
    private final Runnable flushTask = () -> {
        flushScheduled = false;
        if (unflushed > 0) {
            unflushed = 0;
            channel().flush();
        }
    };
    private volatile boolean goingAway;
    private volatile boolean closed;
    private @Nullable String closeReason;
    private @Nullable Channel channel;

    ClientConnection(Endpoint endpoint, boolean tls) {
        this.endpoint = endpoint;
        this.tls = tls;
    }

    /** Whether new calls may go on this connection. */
    boolean usable() {
        return !closed && !goingAway && ready.isDone() && !ready.isCompletedExceptionally();
    }

    Channel channel() {
        Channel c = channel;
        if (c == null) {
            throw new IllegalStateException("not connected");
        }
        return c;
    }

    // ---- sending (any thread in, event loop inside) --------------------------------------------

    void submit(ClientCall call) {
        Channel c = channel();
        if (c.eventLoop().inEventLoop()) {
            doSubmit(call);
            return;
        }
        try {
            c.eventLoop().execute(() -> doSubmit(call));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            call.fail(unavailable("the transport is closed"));
        }
    }

    private void doSubmit(ClientCall call) {
        // Set before looking at the future: a cancellation either sees the connection or is seen here.
        call.connection = this;
        if (call.future.isDone()) {
            call.release();
            return;
        }
        if (closed || goingAway) {
            call.fail(unavailable(goingAway ? "the server is shutting down (GOAWAY)" : "connection closed"));
            return;
        }
        if (call.size > peerMaxFrameBytes) {
            call.fail(new TransportException(ErrorCode.PAYLOAD_TOO_LARGE, target() + ": frame of " + call.size
                    + " bytes over the server's limit of " + peerMaxFrameBytes + " bytes", null));
            return;
        }
        if (nextStreamId < 0) {
            // 2^31 calls on one connection: retire it; the endpoint opens a fresh one.
            goingAway = true;
            call.fail(unavailable("stream ids exhausted on this connection"));
            close();
            return;
        }
        call.streamId = nextStreamId++;
        call.frame.setInt(6, call.streamId);
        if (queued.isEmpty() && canSend()) {
            send(call);
        } else if (queuedBytes + call.size > endpoint.settings.maxQueuedBytes()) {
            call.fail(new TransportException(ErrorCode.RESOURCE_EXHAUSTED, target() + ": send queue full (" + queuedBytes
                    + " bytes waiting, limit " + endpoint.settings.maxQueuedBytes() + "): the server takes calls slower than they are made",
                    null));
            return;
        } else {
            call.queued = true;
            queued.add(call);
            queuedBytes += call.size;
        }
    }

    /** The caller cancelled a call this connection took (any thread). */
    void cancelled(ClientCall call) {
        if (!closed) {
            try {
                channel().eventLoop().execute(() -> onCancelled(call));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the transport is closed: nothing left to tell the server
            }
        }
    }

    private boolean canSend() {
        return channel().isWritable() && pending.size() < peerMaxConcurrentCalls;
    }

    private void send(ClientCall call) {
        ByteBuf frame = call.takeFrame();
        if (call.oneWay) {
            channel().write(frame).addListener(f -> {
                if (f.isSuccess()) {
                    call.complete(null);
                } else {
                    call.fail(unavailable("write failed: " + f.cause()));
                }
            });
        } else {
            pending.put(call.streamId, call);
            // No promise per call: a failed write fails the channel (exceptionCaught closes it), and
            // closing fails every pending call with the reason.
            channel().write(frame, channel().voidPromise());
        }
        scheduleFlush();
    }

    /**
     * Calls handed over in one burst leave in few flushes: far fewer system calls under load. But
     * not all in one: a burst (the calls started by one batch of replies) is flushed every
     * {@link Frame#FLUSH_EVERY_FRAMES} frames, so the server works on its start while this loop
     * still makes the rest, instead of the two event loops taking turns with whole batches.
     */
    private void scheduleFlush() {
        if (++unflushed >= Frame.FLUSH_EVERY_FRAMES) {
            unflushed = 0;
            channel().flush();
        }
        if (!flushScheduled) {
            flushScheduled = true;
            channel().eventLoop().execute(flushTask);
        }
    }

    private void drainQueue() {
        while (!queued.isEmpty() && canSend()) {
            ClientCall call = queued.poll();
            call.queued = false;
            queuedBytes -= call.size;
            if (call.future.isDone()) {
                call.release();
                continue;
            }
            send(call);
        }
    }

    private void onCancelled(ClientCall call) {
        if (call.queued) {
            queued.remove(call);
            call.queued = false;
            queuedBytes -= call.size;
            call.release();
            return;
        }
        if (pending.remove(call.streamId) == call && !closed) {
            channel().write(FrameCodec.encode(new Frame.Cancel(call.streamId), channel().alloc()), channel().voidPromise());
            scheduleFlush();
            drainQueue();
            closeIfDrained();
        }
    }

    // ---- receiving (event loop) ----------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        if (!tls) {
            sendHello(ctx);
        }
        super.channelActive(ctx);
    }

    void attach(Channel ch) {
        channel = ch;
    }

    private void sendHello(ChannelHandlerContext ctx) {
        Frame.Hello hello = new Frame.Hello(Frame.MIN_VERSION, Frame.MAX_VERSION, endpoint.settings.maxFrameBytes(), Headers.empty());
        ctx.writeAndFlush(FrameCodec.encode(hello, ctx.alloc()));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        pingOutstanding = false;
        if (msg instanceof FrameException bad) {
            onBadFrame(bad);
            return;
        }
        switch ((Frame) msg) {
            case Frame.HelloAck ack -> onHelloAck(ack);
            case Frame.Reply reply -> {
                ClientCall call = pending.remove(reply.streamId());
                if (call != null) {
                    call.complete(reply.message());
                    drainQueue();
                    closeIfDrained();
                }
            }
            case Frame.Error error -> onError(error);
            case Frame.Ping ping -> {
                ctx.write(FrameCodec.encode(new Frame.Pong(ping.payload()), ctx.alloc()), ctx.voidPromise());
                scheduleFlush();
            }
            case Frame.Pong pong -> { }
            case Frame.GoAway away -> onGoAway(away);
            case Frame.Hello hello -> protocolError("HELLO from the server");
            case Frame.Request request -> protocolError("REQUEST from the server");
            case Frame.OneWay oneWay -> protocolError("ONE_WAY from the server");
            case Frame.Cancel cancel -> protocolError("CANCEL from the server");
        }
    }

    private void onHelloAck(Frame.HelloAck ack) {
        if (ready.isDone()) {
            protocolError("second HELLO_ACK");
            return;
        }
        if (ack.version() < Frame.MIN_VERSION || ack.version() > Frame.MAX_VERSION) {
            protocolError("server chose protocol version " + ack.version() + " (offered " + Frame.MIN_VERSION + " to " + Frame.MAX_VERSION + ")");
            return;
        }
        peerMaxFrameBytes = Math.max(Frame.HEADER_BYTES, ack.maxFrameBytes());
        peerMaxConcurrentCalls = Math.max(1, ack.maxConcurrentCalls());
        log.debug("RPC: connected to {} (protocol version {}, server limits: {} bytes per frame, {} calls)", target(), ack.version(),
                peerMaxFrameBytes, peerMaxConcurrentCalls);
        ready.complete(this);
    }

    private void onError(Frame.Error error) {
        if (error.streamId() == 0) {
            closeReason = "server error " + RpcErrorCodes.name(error.code()) + ": " + error.message();
            log.warn("RPC: {} closes the connection: {}", target(), closeReason);
            ErrorCode code = RpcErrorCodes.code(error.code()).orElse(ErrorCode.UNAVAILABLE);
            ready.completeExceptionally(new TransportException(code, target() + ": " + closeReason, null));
            close();
            return;
        }
        ClientCall call = pending.remove(error.streamId());
        if (call == null) {
            return;
        }
        ErrorCode code = RpcErrorCodes.code(error.code()).orElse(ErrorCode.INTERNAL);
        // The server could not deliver the call: answered as the dispatcher would, so the caller gets a typed RemoteException.
        Headers h = Headers.builder().set(StandardHeaders.STATUS, code.name()).set(StandardHeaders.CONTENT_TYPE, Codec.json().contentType())
                .set(StandardHeaders.SOURCE, "rpc:" + endpoint.address()).build();
        call.complete(Envelope.of(h, ERROR_INFO.encode(new ErrorInfo(code.name(), error.message(), Map.of()))));
        drainQueue();
        closeIfDrained();
    }

    private void onGoAway(Frame.GoAway away) {
        goingAway = true;
        log.info("RPC: {} is going away ({}: {}); new calls go to a new connection", target(), RpcErrorCodes.name(away.code()), away.message());
        endpoint.retire(this);
        List<ClientCall> unprocessed = new ArrayList<>();
        for (ClientCall call : pending.values()) {
            if (call.streamId > away.lastStreamId()) {
                unprocessed.add(call);
            }
        }
        for (ClientCall call : unprocessed) {
            pending.remove(call.streamId);
            call.fail(unavailable("the server is shutting down and did not take this call"));
        }
        failQueued("the server is shutting down (GOAWAY)");
        closeIfDrained();
    }

    private void onBadFrame(FrameException bad) {
        if (bad.fatal) {
            protocolError(bad.getMessage());
            return;
        }
        ClientCall call = pending.remove(bad.streamId);
        if (call != null) {
            call.fail(new TransportException(ErrorCode.INVALID_REPLY, target() + ": " + bad.getMessage(), null));
        }
    }

    private void protocolError(String message) {
        closeReason = "protocol error: " + message;
        log.warn("RPC: closing connection to {}: {}", target(), closeReason);
        Channel c = channel();
        c.writeAndFlush(FrameCodec.encode(new Frame.Error(0, RpcErrorCodes.PROTOCOL_ERROR, message), c.alloc()))
                .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    }

    private void closeIfDrained() {
        if (goingAway && pending.isEmpty()) {
            close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        drainQueue();
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (pingOutstanding) {
                closeReason = "no answer to a keepalive ping within " + endpoint.settings.keepaliveInterval();
                log.warn("RPC: closing connection to {}: {}", target(), closeReason);
                ctx.close();
            } else {
                pingOutstanding = true;
                ctx.writeAndFlush(FrameCodec.encode(new Frame.Ping(System.nanoTime()), ctx.alloc()), ctx.voidPromise());
            }
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                sendHello(ctx);
            } else {
                closeReason = "TLS handshake failed: " + done.cause().getMessage();
                ready.completeExceptionally(new TransportException(target() + ": " + closeReason, done.cause()));
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        String reason = closeReason != null ? closeReason : "connection closed";
        ready.completeExceptionally(unavailable(reason));
        List<ClientCall> lost = new ArrayList<>(pending.values());
        pending.clear();
        for (ClientCall call : lost) {
            call.fail(unavailable(reason));
        }
        failQueued(reason);
        endpoint.retire(this);
        super.channelInactive(ctx);
    }

    private void failQueued(String reason) {
        ClientCall call;
        while ((call = queued.poll()) != null) {
            call.queued = false;
            call.fail(unavailable(reason));
        }
        queuedBytes = 0;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closeReason = cause instanceof IOException ? cause.toString() : "unexpected error: " + cause;
        if (cause instanceof IOException || cause.getCause() instanceof javax.net.ssl.SSLException) {
            log.debug("RPC: connection to {} failed: {}", target(), cause.toString());
        } else {
            log.warn("RPC: closing connection to {} after an error", target(), cause);
        }
        if (!ready.isDone()) {
            ready.completeExceptionally(new TransportException(target() + ": " + closeReason, cause));
        }
        ctx.close();
    }

    /** Closes the connection (from any thread); calls in flight fail as UNAVAILABLE. */
    ChannelFuture close() {
        return channel().close();
    }

    /** Tells the server no more calls come, then closes once the calls in flight are answered. */
    void goAway() {
        Channel c = channel();
        c.eventLoop().execute(() -> {
            if (closed) {
                return;
            }
            goingAway = true;
            c.writeAndFlush(FrameCodec.encode(new Frame.GoAway(nextStreamId - 1, RpcErrorCodes.NO_ERROR, "client closing"), c.alloc()));
            failQueued("the transport is closing");
            closeIfDrained();
        });
    }

    private TransportException unavailable(String reason) {
        return new TransportException(ErrorCode.UNAVAILABLE, target() + ": " + reason, null);
    }

    private String target() {
        return "rpc://" + endpoint.address();
    }
}
