package dev.parley.http;

import dev.parley.internal.Checks;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.ErrorCode;
import dev.parley.ErrorInfo;
import dev.parley.ParleyClock;
import dev.parley.contract.InteractionStyle;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Turns one aggregated HTTP request into an {@link Envelope} for the contract's dispatcher and
 * its reply into an HTTP response. One instance per HTTP/1.1 connection (answering pipelined
 * requests in order) or per HTTP/2 stream. Nothing here blocks the event loop: dispatching runs
 * on a virtual thread, and replies are written back through the channel.
 *
 * <p>Besides the routes it answers {@code /health/*}, {@code /v<major>/openapi.json}
 * ({@link OpenApiEndpoint}) and the status resources of async operations,
 * {@code /v<major>/operations/<id>} ({@link AsyncOperations}). A request/async-response call
 * whose reply is not ready within its hold time (none with {@code Prefer: respond-async},
 * {@link AsyncOperations#GRACE} without) is detached: answered 202, and its reply goes to the
 * status resource instead of the connection. With a {@code parley-callback} URL (checked here,
 * see {@link CallbackSender}) it is detached at once, and the reply is also POSTed there.
 */
final class ServerRequestHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ServerRequestHandler.class);
    /** HTTP headers that describe the connection or the HTTP message, not the Parley call. */
    /** {@code /v<major>/operations/<id>}: the status resources of async operations. */
    private static final Pattern OPERATION_PATH = Pattern.compile("/v([0-9]{1,9})/operations/([A-Za-z0-9_-]{1,64})");
    private static final Set<String> NOT_CALL_HEADERS = Set.of("host", "connection", "keep-alive", "content-length",
            "transfer-encoding", "upgrade", "http2-settings", "te", "trailer", "expect", "accept", "accept-encoding",
            "accept-language", "user-agent", "proxy-connection", "content-type", "cookie", "prefer", CallbackSender.HEADER);

    private final HttpServer server;
    private final boolean http2;
    private final Set<Call> open = ConcurrentHashMap.newKeySet();
    // Event loop only: HTTP/1.1 responses leave in request order even when handlers finish out of order.
    private long nextSequence;
    private long nextToWrite;
    private final TreeMap<Long, Pending> ready = new TreeMap<>();
    // HTTP/1.1, event loop only: replies produced while a read batch is handled leave in one flush at its end.
    private boolean reading;
    private boolean needsFlush;
    private boolean upgradeChecked;
    private @Nullable AtomicInteger connectionCalls;
    private final ChannelFutureListener callWritten;

    /** A reply waiting for the replies to earlier requests; {@code endsCall}: the call counts as in flight until it is written. */
    private record Pending(FullHttpResponse response, boolean close, boolean endsCall) {}

    ServerRequestHandler(HttpServer server, boolean http2) {
        this.server = server;
        this.http2 = http2;
        this.callWritten = f -> server.callEnded(connectionCalls(f.channel()));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        reading = !http2;
        try {
            handle(ctx, request);
        } finally {
            request.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /** The in-flight counter of this request's connection (for HTTP/2, the parent of the stream). */
    private AtomicInteger connectionCalls(Channel ch) {
        AtomicInteger calls = connectionCalls;
        if (calls == null) {
            calls = connection(ch).attr(HttpServer.IN_FLIGHT).get();
            connectionCalls = calls;
        }
        return calls;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof CleartextHttp2ServerUpgradeHandler.PriorKnowledgeUpgradeEvent
                || evt instanceof HttpServerUpgradeHandler.UpgradeEvent) {
            // Each HTTP/2 stream has its own request timer; the connection's would cut every stream.
            if (ctx.pipeline().get(RequestReadTimeout.class) != null) {
                ctx.pipeline().remove(RequestReadTimeout.class);
            }
        } else if (evt instanceof IdleStateEvent) {
            if (connectionCalls(ctx.channel()).get() == 0) {
                log.debug("closing idle connection {}", ctx.channel().remoteAddress());
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        reading = false;
        // The client went away (closed the connection, or reset the h2 stream): stop its calls.
        for (Call call : open) {
            call.cancel();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("closing {} after {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    private static Channel connection(Channel ch) {
        return ch instanceof io.netty.handler.codec.http2.Http2StreamChannel ? ch.parent() : ch;
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!http2 && !upgradeChecked) {
            upgradeChecked = true;
            // An h2c upgrade comes with a connection's first request (it never reaches this handler
            // when taken); after it the upgrade handler would only pass every message through.
            ChannelHandlerContext upgrade = ctx.pipeline().context(HttpServerUpgradeHandler.class);
            if (upgrade != null) {
                ctx.pipeline().remove(upgrade.handler());
            }
        }
        // The connection's timer for HTTP/1.1, the stream's own for HTTP/2.
        RequestReadTimeout timeout = ctx.pipeline().get(RequestReadTimeout.class);
        if (timeout != null) {
            timeout.requestComplete();
        }
        long sequence = nextSequence++;
        DecoderResult decoded = request.decoderResult();
        if (!decoded.isSuccess()) {
            Throwable cause = decoded.cause();
            int status = cause instanceof TooLongHttpHeaderException ? 431
                    : cause instanceof TooLongHttpLineException ? 414
                    : cause instanceof TooLongFrameException ? 431 : 400;
            ErrorCode code = status == 400 ? ErrorCode.INVALID_ARGUMENT : ErrorCode.PAYLOAD_TOO_LARGE;
            respond(ctx, sequence, HttpServer.problemResponse(HttpVersion.HTTP_1_1, status, code,
                    "malformed request: " + cause.getMessage(), Map.of()), true);
            return;
        }
        boolean close = !http2 && !HttpUtil.isKeepAlive(request);
        // An HTTP/2 stream that got here was opened before the GOAWAY: it is served within the drain.
        if (server.draining() && !http2) {
            respond(ctx, sequence, HttpServer.problemResponse(request.protocolVersion(), 503, ErrorCode.UNAVAILABLE,
                    "the server is shutting down", Map.of()), true);
            return;
        }
        String uri = request.uri();
        QueryStringDecoder query;
        Map<String, List<String>> parameters;
        try {
            query = new QueryStringDecoder(uri);
            parameters = query.parameters();
        } catch (IllegalArgumentException e) {
            respond(ctx, sequence, problem(request, 400, ErrorCode.INVALID_ARGUMENT, "malformed request target: " + e.getMessage()), close);
            return;
        }
        String rawPath = query.rawPath();
        String method = request.method().name();
        if (rawPath.equals("/health/live") || rawPath.equals("/health/ready")) {
            respond(ctx, sequence, health(request, method, rawPath.endsWith("live") || server.ready()), close);
            return;
        }
        // The regular expressions only run on paths that can be built-in resources.
        Matcher builtIn = rawPath.contains("/operations/") ? OPERATION_PATH.matcher(rawPath) : null;
        if (builtIn != null && builtIn.matches()) {
            respond(ctx, sequence, operation(AsyncOperations.of(ctx.channel()), request, method, Integer.parseInt(builtIn.group(1)), builtIn.group(2)), close);
            return;
        }
        builtIn = rawPath.endsWith("/openapi.json") ? OpenApiEndpoint.PATH.matcher(rawPath) : null;
        if (builtIn != null && builtIn.matches()) {
            respond(ctx, sequence, OpenApiEndpoint.of(ctx.channel()).respond(request, method, Integer.parseInt(builtIn.group(1)), server.routes.routes()), close);
            return;
        }
        RouteTable.Lookup<HttpServer.ServedContract> lookup = server.routes.lookup(method, rawPath);
        switch (lookup) {
            case RouteTable.Lookup.NotFound<HttpServer.ServedContract> nf ->
                    respond(ctx, sequence, problem(request, 404, ErrorCode.NOT_FOUND, "no route for " + method + " " + Checks.abbreviate(rawPath, 100)), close);
            case RouteTable.Lookup.WrongMethod<HttpServer.ServedContract> wm -> {
                FullHttpResponse response = problem(request, 405, ErrorCode.UNIMPLEMENTED,
                        method + " is not allowed on " + Checks.abbreviate(rawPath, 100) + " (allowed: " + String.join(", ", wm.allowed()) + ")");
                response.headers().set(HttpHeaderNames.ALLOW, String.join(", ", wm.allowed()));
                respond(ctx, sequence, response, close);
            }
            case RouteTable.Lookup.Found<HttpServer.ServedContract> found -> dispatch(ctx, sequence, request, found.match(), parameters, close);
        }
    }

    private void dispatch(ChannelHandlerContext ctx, long sequence, FullHttpRequest request,
                          RouteTable.Match<HttpServer.ServedContract> match, Map<String, List<String>> query, boolean close) {
        HttpRoute route = match.route();
        String accept = WireMapping.negotiate(request.headers().get(HttpHeaderNames.ACCEPT)).orElse(null);
        if (accept == null) {
            respond(ctx, sequence, problem(request, 406, ErrorCode.INVALID_ARGUMENT, "accept '" + Checks.abbreviate(request.headers().get(HttpHeaderNames.ACCEPT), 100)
                    + "' (expected: application/json or application/cbor)"), close);
            return;
        }
        InteractionStyle style = route.operation().style();
        java.net.URI callback = null;
        List<String> callbacks = request.headers().getAll(CallbackSender.HEADER);
        if (!callbacks.isEmpty()) {
            String refused = callbacks.size() > 1 ? "more than one " + CallbackSender.HEADER + " header"
                    : style != InteractionStyle.REQUEST_ASYNC_RESPONSE ? route.operation().qualifiedName() + " is not a request/async-response operation"
                    : server.callbacks() == null ? "callbacks are not enabled on this server" : null;
            if (refused == null) {
                try {
                    callback = server.callbacks().check(callbacks.get(0));
                } catch (IllegalArgumentException e) {
                    refused = "'" + Checks.abbreviate(callbacks.get(0), 100) + "' refused: " + e.getMessage();
                }
            }
            if (refused != null) {
                respond(ctx, sequence, problem(request, 400, ErrorCode.INVALID_ARGUMENT, CallbackSender.HEADER + ": " + refused), close);
                return;
            }
        }
        Envelope envelope;
        try {
            envelope = envelope(request, match, query, accept);
        } catch (IllegalArgumentException e) {
            respond(ctx, sequence, problem(request, 400, ErrorCode.INVALID_ARGUMENT, e.getMessage()), close);
            return;
        }
        AsyncOperations.Preference preference = style == InteractionStyle.REQUEST_ASYNC_RESPONSE
                ? AsyncOperations.Preference.parse(request.headers().getAll("prefer").toArray(String[]::new))
                : null;
        Call call = new Call(ctx, sequence, route, accept, close, request.protocolVersion(), preference, callback);
        open.add(call);
        server.callStarted(connectionCalls(ctx.channel()));
        if (preference != null) {
            // With a callback the caller expects the result there: 202 at once, unless it asked to wait.
            long holdMillis = callback != null && !preference.respondAsync() ? 0 : preference.holdFor().toMillis();
            if (holdMillis == 0) {
                call.detach();
            } else {
                ctx.executor().schedule(call::detach, holdMillis, TimeUnit.MILLISECONDS);
            }
        }
        // Straight from the event loop: the dispatcher only decodes and hands the call to a handler
        // thread (or, for HandlerExecution.DIRECT, runs a handler its owner promised never blocks).
        try {
            call.started(match.target().handler().handle(envelope, call::reply));
            if (style == InteractionStyle.ONE_WAY) {
                call.accepted();
            }
        } catch (RuntimeException e) {
            log.error("dispatching {} failed", route, e);
            call.fail(ErrorCode.INTERNAL, route.operation().qualifiedName() + " could not be dispatched");
        }
    }

    /**
     * The status resource of an async operation: {@code GET} polls it (202 while running, the
     * rendered reply when done), {@code DELETE} cancels or forgets it.
     */
    private FullHttpResponse operation(AsyncOperations operations, FullHttpRequest request, String method, int major, String id) {
        if (!method.equals("GET") && !method.equals("DELETE")) {
            FullHttpResponse response = problem(request, 405, ErrorCode.UNIMPLEMENTED, method + " is not allowed on operations (allowed: DELETE, GET)");
            response.headers().set(HttpHeaderNames.ALLOW, "DELETE, GET");
            return response;
        }
        Optional<AsyncOperation> found = method.equals("GET") ? operations.find(major, id) : operations.remove(major, id);
        if (found.isEmpty()) {
            return problem(request, 404, ErrorCode.NOT_FOUND, "no operation " + Checks.abbreviate(id, 100) + " (unknown, expired or deleted)");
        }
        AsyncOperation op = found.get();
        Envelope reply = op.reply();
        if (method.equals("DELETE")) {
            if (reply == null) {
                op.cancel();
            }
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.NO_CONTENT);
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            return response;
        }
        if (reply == null) {
            return stillRunning(request.protocolVersion(), op, false);
        }
        return render(reply, op.route(), op.accept(), request.protocolVersion());
    }

    private static FullHttpResponse stillRunning(HttpVersion version, AsyncOperation op, boolean preferenceApplied) {
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.ACCEPTED);
        response.headers()
                .set(HttpHeaderNames.LOCATION, op.location())
                .set(HttpHeaderNames.RETRY_AFTER, AsyncOperations.RETRY_AFTER_SECONDS)
                .set(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (preferenceApplied) {
            response.headers().set("preference-applied", "respond-async");
        }
        return response;
    }

    private static FullHttpResponse render(Envelope reply, HttpRoute route, String accept, HttpVersion version) {
        try {
            return ReplyRendering.render(reply, route, accept, version);
        } catch (RuntimeException e) {
            log.error("cannot render the reply of {}", route, e);
            return HttpServer.problemResponse(version, 500, ErrorCode.INTERNAL,
                    route.operation().qualifiedName() + ": the reply could not be rendered", Map.of());
        }
    }

    private Envelope envelope(FullHttpRequest request, RouteTable.Match<HttpServer.ServedContract> match,
                              Map<String, List<String>> query, String accept) {
        HttpRoute route = match.route();
        Headers.Builder headers = Headers.builder();
        for (Map.Entry<String, String> h : request.headers()) {
            String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
            if (!NOT_CALL_HEADERS.contains(name) && !name.startsWith("x-http2-") && !name.startsWith(":")) {
                headers.set(name, h.getValue());
            }
        }
        headers.set(StandardHeaders.CONTRACT, match.target().contractName());
        headers.set(StandardHeaders.OPERATION, route.operation().wireName());
        Class<?> requestType = route.operation().requestType().orElse(null);
        byte[] body;
        String contentType;
        if (route.hasBody()) {
            String declared = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
            contentType = declared == null ? WireMapping.JSON : WireMapping.mediaType(declared);
            body = ByteBufUtil.getBytes(request.content());
            if (!match.pathVariables().isEmpty() && WireMapping.trees(contentType) != null) {
                body = withPathVariables(body, contentType, requestType, match.pathVariables());
            }
        } else {
            contentType = accept;
            body = requestType == null ? new byte[0] : WireMapping.writeTree(accept,
                    WireMapping.requestFromPathAndQuery(requestType, match.pathVariables(), query, route.queryFields()));
        }
        headers.set(StandardHeaders.CONTENT_TYPE, contentType);
        return Envelope.of(headers.build(), body);
    }

    /** Path variables fill or override fields of the body record. */
    private static byte[] withPathVariables(byte[] body, String contentType, Class<?> requestType, Map<String, String> variables) {
        JsonNode tree;
        try {
            tree = body.length == 0 ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                    : WireMapping.readTree(contentType, body);
        } catch (IOException e) {
            return body; // not readable: the dispatcher's decoder answers INVALID_ARGUMENT with the reason
        }
        if (!(tree instanceof ObjectNode object)) {
            return body;
        }
        variables.forEach((name, value) -> object.set(name, WireMapping.scalar(HttpRoute.component(requestType, name).getGenericType(), value)));
        return WireMapping.writeTree(contentType, object);
    }

    private static FullHttpResponse health(FullHttpRequest request, String method, boolean up) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            FullHttpResponse response = problem(request, 405, ErrorCode.UNIMPLEMENTED, method + " is not allowed on health endpoints");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return response;
        }
        byte[] body = ("{\"status\":\"" + (up ? "UP" : "DOWN") + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, WireMapping.JSON).set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    private static FullHttpResponse problem(FullHttpRequest request, int status, ErrorCode code, String detail) {
        return HttpServer.problemResponse(request.protocolVersion(), status, code, detail, Map.of());
    }

    /** Writes a response; for HTTP/1.1 in request order. Safe from any thread. */
    private void respond(ChannelHandlerContext ctx, long sequence, FullHttpResponse response, boolean close) {
        respond(ctx, sequence, response, close, false);
    }

    /** {@code endsCall}: the call is counted as in flight until the response is on the wire (or cannot be anymore). */
    private void respond(ChannelHandlerContext ctx, long sequence, FullHttpResponse response, boolean close, boolean endsCall) {
        if (ctx.executor().inEventLoop()) {
            write(ctx, sequence, response, close, endsCall);
        } else {
            ctx.executor().execute(() -> write(ctx, sequence, response, close, endsCall));
        }
    }

    private void write(ChannelHandlerContext ctx, long sequence, FullHttpResponse response, boolean close, boolean endsCall) {
        if (!ctx.channel().isActive()) {
            response.release();
            if (endsCall) {
                server.callEnded(connectionCalls(ctx.channel()));
            }
            return;
        }
        boolean closing = close || server.draining();
        if (sequence == nextToWrite && ready.isEmpty()) {
            nextToWrite++;
            send(ctx, response, closing, endsCall);
        } else {
            ready.put(sequence, new Pending(response, closing, endsCall));
            while (!ready.isEmpty() && ready.firstKey() == nextToWrite) {
                Pending next = ready.pollFirstEntry().getValue();
                nextToWrite++;
                send(ctx, next.response(), next.close(), next.endsCall());
            }
        }
        if (reading) {
            needsFlush = true; // flushed with the other replies of this read batch
        } else {
            ctx.flush();
        }
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean close, boolean endsCall) {
        if (close && !http2) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (!close && !endsCall) {
            ctx.write(response, ctx.voidPromise());
            return;
        }
        ChannelFuture future = ctx.write(response);
        if (endsCall) {
            future.addListener(callWritten);
        }
        if (close) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * One dispatched request: answered once, by the dispatcher's reply or by a failure. An async
     * operation's call may instead be detached: answered 202 with a status resource, which then
     * receives the reply, while the connection is free for other requests.
     */
    private final class Call {
        private static final int RUNNING = 0;
        private static final int ANSWERED = 1;
        private static final int DETACHED = 2;

        final ChannelHandlerContext ctx;
        final long sequence;
        final HttpRoute route;
        final String accept;
        final boolean close;
        final HttpVersion version;
        final AsyncOperations.@Nullable Preference preference;
        final @Nullable AsyncOperation operation;
        final AtomicInteger state = new AtomicInteger(RUNNING);
        volatile ParleyClock.@Nullable Cancellable work;
        volatile boolean workCancelled;

        Call(ChannelHandlerContext ctx, long sequence, HttpRoute route, String accept, boolean close, HttpVersion version,
             AsyncOperations.@Nullable Preference preference, java.net.@Nullable URI callback) {
            this.ctx = ctx;
            this.sequence = sequence;
            this.route = route;
            this.accept = accept;
            this.close = close;
            this.version = version;
            this.preference = preference;
            this.operation = preference == null ? null : new AsyncOperation(AsyncOperations.newId(),
                    route.operation().contract().version().major(), route, accept, this::cancelWork, callback, server.callbacks());
        }

        void started(ParleyClock.Cancellable handle) {
            work = handle;
            // Cancelled (DELETE, a closed connection) before the dispatcher handed out its handle.
            if (workCancelled) {
                handle.cancel();
            }
        }

        void cancelWork() {
            workCancelled = true;
            ParleyClock.Cancellable w = work;
            if (w != null) {
                w.cancel();
            }
        }

        void reply(Envelope reply) {
            if (state.compareAndSet(RUNNING, ANSWERED)) {
                finish(render(reply, route, accept, version));
            } else if (state.get() == DETACHED && operation != null) {
                operation.complete(reply);
            }
        }

        /** No reply yet: answer 202 and let the status resource take the reply. */
        void detach() {
            if (operation == null || !state.compareAndSet(RUNNING, DETACHED)) {
                return;
            }
            // The operation outlives this connection: closing it must not cancel the work.
            open.remove(this);
            AsyncOperations.of(ctx.channel()).register(operation);
            FullHttpResponse response = stillRunning(version, operation, preference != null && preference.respondAsync());
            respond(ctx, sequence, response, close, true);
        }

        void accepted() {
            if (!state.compareAndSet(RUNNING, ANSWERED)) {
                return;
            }
            FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.ACCEPTED);
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(StandardHeaders.STATUS, StandardHeaders.STATUS_OK);
            finish(response);
        }

        void fail(ErrorCode code, String message) {
            Headers headers = Headers.builder()
                    .set(StandardHeaders.STATUS, code.name())
                    .set(StandardHeaders.CONTENT_TYPE, WireMapping.JSON)
                    .build();
            reply(Envelope.of(headers, WireMapping.errorBody(new ErrorInfo(code.name(), message, Map.of()))));
        }

        /** The client went away before the reply: stop the work. A detached call is not the connection's anymore. */
        void cancel() {
            if (state.compareAndSet(RUNNING, ANSWERED)) {
                cancelWork();
                open.remove(this);
                server.callEnded(connectionCalls(ctx.channel()));
            }
        }

        private void finish(FullHttpResponse response) {
            open.remove(this);
            // Counted as in flight until written, so that a draining server does not close under the reply.
            respond(ctx, sequence, response, close, true);
        }
    }
}
