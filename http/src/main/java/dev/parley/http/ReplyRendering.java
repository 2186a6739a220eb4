package dev.parley.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.ErrorCode;
import dev.parley.ErrorInfo;
import dev.parley.message.Envelope;
import dev.parley.message.Headers;
import dev.parley.message.StandardHeaders;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;

/**
 * A dispatcher's reply envelope as an HTTP response: the route's success status with the body in
 * the accepted codec ({@code Location} and {@code _links} filled from the reply fields), or
 * the error code's status with an RFC 9457 problem body.
 */
final class ReplyRendering {

    /**
     * Without Netty's per-header validation: every name and value here is Parley's own (media
     * types, encoded paths) or comes from {@link Headers}, which refuses control characters.
     */
    private static final DefaultHttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final DefaultHttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private ReplyRendering() {}

    private static FullHttpResponse response(HttpVersion version, int status, byte[] body) {
        return new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body), HEADERS, TRAILERS);
    }

    static FullHttpResponse render(Envelope reply, HttpRoute route, String accept, HttpVersion version) {
        Headers h = reply.headers();
        String status = h.valueOrNull(StandardHeaders.STATUS);
        String declared = h.valueOrNull(StandardHeaders.CONTENT_TYPE);
        String contentType = declared == null ? WireMapping.JSON : WireMapping.mediaType(declared);
        byte[] body = reply.body();
        FullHttpResponse response;
        if (status == null || status.equals(StandardHeaders.STATUS_OK)) {
            int code = route.successStatus();
            String location = null;
            if (code == 202 || code == 204 || body.length == 0) {
                body = new byte[0];
            } else {
                boolean transcode = !contentType.equals(accept);
                boolean json = accept.equals(WireMapping.JSON);
                boolean links = json && !route.links().isEmpty();
                if (transcode || links || route.location().isPresent()) {
                    JsonNode tree = readTree(contentType, body);
                    if (route.location().isPresent()) {
                        location = route.location().get().expand(field -> WireMapping.text(tree, field));
                    }
                    if (links && tree instanceof ObjectNode object) {
                        WireMapping.addLinks(object, route.links(), "");
                    }
                    if (transcode || links) {
                        body = WireMapping.writeTree(accept, tree);
                    }
                }
                contentType = accept;
            }
            response = response(version, code, body);
            if (body.length > 0) {
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            }
            if (location != null) {
                response.headers().set(HttpHeaderNames.LOCATION, location);
            }
        } else {
            ErrorCode code = ErrorCode.parse(status).orElse(ErrorCode.INTERNAL);
            ErrorInfo info = body.length == 0 ? new ErrorInfo(code.name(), code.name(), null) : WireMapping.errorInfo(contentType, body, code);
            body = WireMapping.problem(code, code.httpStatus(), info.message(), info.details());
            response = response(version, code.httpStatus(), body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, WireMapping.PROBLEM_JSON);
            if (code == ErrorCode.UNAUTHENTICATED) {
                // RFC 6750, section 3: a 401 names the scheme the resource expects; no error code, so a refusal reveals nothing.
                response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"parley\"");
            }
        }
        h.forEach((name, value) -> {
            if (name.startsWith("parley-")) {
                response.headers().set(name, value);
            }
        });
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    private static JsonNode readTree(String contentType, byte[] body) {
        try {
            return WireMapping.readTree(contentType, body);
        } catch (IOException e) {
            throw new IllegalStateException("reply is not readable as " + contentType + ": " + e.getMessage(), e);
        }
    }
}
