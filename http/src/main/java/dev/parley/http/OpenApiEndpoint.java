package dev.parley.http;

import dev.parley.ErrorCode;
import dev.parley.contract.ContractDescriptor;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v<major>/openapi.json}: the {@link OpenApiDocument} of the contracts a server
 * serves under that major version, as {@code application/vnd.oai.openapi+json}, or {@code 404}
 * when it serves none. The document's title lists the contracts' names.
 *
 * <p>Each document is built once and kept per major version together with the set of contract
 * interfaces it describes; a request whose served set differs (a contract was served or stopped
 * since) rebuilds it, so the cache never answers with a stale document and costs one pass over
 * the route table per request.
 */
final class OpenApiEndpoint {

    /** The media type of an OpenAPI document in JSON. */
    static final String MEDIA_TYPE = "application/vnd.oai.openapi+json";
    /** {@code /v<major>/openapi.json}. */
    static final Pattern PATH = Pattern.compile("/v([0-9]{1,9})/openapi\\.json");

    private static final Logger log = LoggerFactory.getLogger(OpenApiEndpoint.class);
    // One endpoint per server, kept on its server channel: it lives and dies with the server.
    private static final AttributeKey<OpenApiEndpoint> ENDPOINT = AttributeKey.valueOf("parley-openapi-endpoint");

    private record Cached(Set<Class<?>> contracts, byte[] json) {}

    private final Map<Integer, Cached> byMajor = new ConcurrentHashMap<>();

    /** The endpoint of the server that accepted {@code channel} (a connection or an HTTP/2 stream), created on first use. */
    static OpenApiEndpoint of(Channel channel) {
        Attribute<OpenApiEndpoint> endpoint = AsyncOperations.serverChannel(channel).attr(ENDPOINT);
        OpenApiEndpoint existing = endpoint.get();
        if (existing != null) {
            return existing;
        }
        OpenApiEndpoint created = new OpenApiEndpoint();
        existing = endpoint.setIfAbsent(created);
        return existing == null ? created : existing;
    }

    /** Answers a request for the document of {@code major}, given the routes served right now. */
    FullHttpResponse respond(FullHttpRequest request, String method, int major, List<HttpRoute> routes) {
        if (!method.equals("GET")) {
            FullHttpResponse response = HttpServer.problemResponse(request.protocolVersion(), 405, ErrorCode.UNIMPLEMENTED,
                    method + " is not allowed on the OpenAPI document (allowed: GET)", Map.of());
            response.headers().set(HttpHeaderNames.ALLOW, "GET");
            return response;
        }
        byte[] json;
        try {
            json = document(major, routes);
        } catch (RuntimeException e) {
            log.error("cannot describe the contracts of major version {} in OpenAPI", major, e);
            return HttpServer.problemResponse(request.protocolVersion(), 500, ErrorCode.INTERNAL,
                    "the OpenAPI document of v" + major + " could not be built", Map.of());
        }
        if (json == null) {
            return HttpServer.problemResponse(request.protocolVersion(), 404, ErrorCode.NOT_FOUND,
                    "no contract of major version " + major + " is served here", Map.of());
        }
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK, Unpooled.wrappedBuffer(json));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, MEDIA_TYPE).set(HttpHeaderNames.CONTENT_LENGTH, json.length);
        return response;
    }

    /** The document's bytes, or null when no contract of that major is served. */
    byte @Nullable [] document(int major, List<HttpRoute> routes) {
        Set<Class<?>> contracts = new TreeSet<>(Comparator.comparing(Class::getName));
        for (HttpRoute route : routes) {
            if (route.operation().contract().version().major() == major) {
                contracts.add(route.operation().contract().type());
            }
        }
        if (contracts.isEmpty()) {
            byMajor.remove(major);
            return null;
        }
        Cached cached = byMajor.get(major);
        if (cached != null && cached.contracts().equals(contracts)) {
            return cached.json();
        }
        String title = contracts.stream().map(c -> ContractDescriptor.of(c).name()).distinct().collect(Collectors.joining(", "));
        byte[] json = OpenApiDocument.of(major, List.copyOf(contracts), title).toJson().getBytes(StandardCharsets.UTF_8);
        byMajor.put(major, new Cached(Set.copyOf(contracts), json));
        return json;
    }
}
