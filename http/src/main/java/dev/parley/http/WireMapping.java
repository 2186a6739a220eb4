package dev.parley.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.parley.ErrorCode;
import dev.parley.ErrorInfo;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP side of the REST mapping that is not about sockets: media types, request records
 * built from path and query, path and query filled from request records, links, Location,
 * transcoding between JSON and CBOR, and RFC 9457 problem bodies.
 */
final class WireMapping {

    static final String JSON = "application/json";
    static final String CBOR = "application/cbor";
    static final String PROBLEM_JSON = "application/problem+json";

    private static final ObjectMapper JSON_TREES = JsonMapper.builder().build();
    private static final ObjectMapper CBOR_TREES = CBORMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Optional<String> ACCEPT_JSON = Optional.of(JSON);
    private static final Optional<String> ACCEPT_CBOR = Optional.of(CBOR);

    private WireMapping() {}

    /** The media type without parameters, lower-cased: {@code application/json; charset=utf-8} gives {@code application/json}. */
    static String mediaType(String headerValue) {
        if (headerValue.equals(JSON)) {
            return JSON; // the common case, without a copy
        }
        int semicolon = headerValue.indexOf(';');
        return (semicolon < 0 ? headerValue : headerValue.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** The tree mapper for a supported media type, or null. */
    static @Nullable ObjectMapper trees(String mediaType) {
        return switch (mediaType) {
            case JSON, PROBLEM_JSON -> JSON_TREES;
            case CBOR -> CBOR_TREES;
            default -> null;
        };
    }

    /**
     * The reply codec an {@code Accept} header asks for: JSON when absent or a wildcard, CBOR
     * when asked for; empty when nothing acceptable is supported (406).
     */
    static Optional<String> negotiate(@Nullable String accept) {
        // The common headers first, without splitting.
        if (accept == null || accept.equals(JSON) || accept.equals("*/*") || accept.isBlank()) {
            return ACCEPT_JSON;
        }
        if (accept.equals(CBOR)) {
            return ACCEPT_CBOR;
        }
        for (String part : accept.split(",")) {
            String type = mediaType(part);
            switch (type) {
                case JSON, "*/*", "application/*", PROBLEM_JSON:
                    return ACCEPT_JSON;
                case CBOR:
                    return ACCEPT_CBOR;
                default:
                    break;
            }
        }
        return Optional.empty();
    }

    static JsonNode readTree(String mediaType, byte[] body) throws IOException {
        ObjectMapper mapper = trees(mediaType);
        if (mapper == null) {
            throw new IOException("unsupported media type '" + mediaType + "'");
        }
        JsonNode node = mapper.readTree(body);
        return node == null ? NODES.missingNode() : node;
    }

    static byte[] writeTree(String mediaType, JsonNode tree) {
        try {
            ObjectMapper mapper = trees(mediaType);
            if (mapper == null) {
                throw new IllegalArgumentException("unsupported media type '" + mediaType + "'");
            }
            return mapper.writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a " + mediaType + " tree: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The request record as a JSON object built from path variables and query parameters, each
     * string converted to the scalar type of the record component it fills. A value that does
     * not convert stays a string, so that the codec rejects it naming the field.
     */
    static ObjectNode requestFromPathAndQuery(Class<?> requestType, Map<String, String> pathVariables,
                                              Map<String, List<String>> query, List<String> queryFields) {
        ObjectNode node = NODES.objectNode();
        for (String field : queryFields) {
            List<String> values = query.get(field);
            if (values == null || values.isEmpty()) {
                continue;
            }
            RecordComponent rc = HttpRoute.component(requestType, field);
            Type type = rc.getGenericType();
            if (isCollection(type)) {
                ArrayNode array = node.putArray(field);
                Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
                for (String v : values) {
                    array.add(scalar(element, v));
                }
            } else {
                node.set(field, scalar(type, values.get(values.size() - 1)));
            }
        }
        pathVariables.forEach((name, value) -> node.set(name, scalar(HttpRoute.component(requestType, name).getGenericType(), value)));
        return node;
    }

    private static boolean isCollection(Type t) {
        return t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw && Collection.class.isAssignableFrom(raw);
    }

    static JsonNode scalar(Type type, String text) {
        if (type instanceof ParameterizedType p && p.getRawType() == Optional.class) {
            return scalar(p.getActualTypeArguments()[0], text);
        }
        if (!(type instanceof Class<?> c)) {
            return NODES.textNode(text);
        }
        try {
            if (c == int.class || c == Integer.class || c == long.class || c == Long.class || c == short.class || c == Short.class
                    || c == byte.class || c == Byte.class) {
                return NODES.numberNode(Long.parseLong(text));
            }
            if (c == BigInteger.class) {
                return NODES.numberNode(new BigInteger(text));
            }
            if (c == double.class || c == Double.class || c == float.class || c == Float.class || c == BigDecimal.class) {
                return NODES.numberNode(new BigDecimal(text));
            }
        } catch (NumberFormatException e) {
            return NODES.textNode(text); // the codec names the field in its INVALID_ARGUMENT
        }
        if (c == boolean.class || c == Boolean.class) {
            return switch (text) {
                case "true" -> NODES.booleanNode(true);
                case "false" -> NODES.booleanNode(false);
                default -> NODES.textNode(text);
            };
        }
        return NODES.textNode(text);
    }

    /** The text of a scalar field for a path segment or query value, or null when absent. */
    static @Nullable String text(JsonNode tree, String field) {
        JsonNode value = tree.get(field);
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        return value.isValueNode() ? value.asText() : null;
    }

    /** Adds {@code _links} to a JSON reply object. */
    static void addLinks(ObjectNode reply, List<HttpRoute.LinkTemplate> links, String basePath) {
        ObjectNode rendered = NODES.objectNode();
        for (HttpRoute.LinkTemplate link : links) {
            ObjectNode entry = rendered.putObject(link.rel());
            entry.put("href", basePath + link.path().expand(field -> text(reply, field)));
            entry.put("method", link.method());
        }
        reply.set("_links", rendered);
    }

    // ---- problems (RFC 9457) ----

    static byte[] problem(ErrorCode code, int status, String detail, Map<String, String> details) {
        ObjectNode p = NODES.objectNode();
        p.put("type", "https://parley.dev/errors/" + code.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        p.put("title", title(code));
        p.put("status", status);
        p.put("detail", detail);
        p.put("code", code.name());
        if (!details.isEmpty()) {
            ObjectNode d = p.putObject("details");
            details.forEach(d::put);
        }
        return writeTree(JSON, p);
    }

    /** {@code NOT_FOUND} as {@code Not found}. */
    static String title(ErrorCode code) {
        String words = code.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    /** Reads a problem body back into the error a Parley caller sees; falls back to the status. */
    static ErrorInfo problemToError(int status, byte[] body) {
        ErrorCode byStatus = codeForStatus(status);
        try {
            JsonNode p = JSON_TREES.readTree(body);
            if (p == null || !p.isObject()) {
                return new ErrorInfo(byStatus.name(), "HTTP " + status, Map.of());
            }
            ErrorCode code = Optional.ofNullable(p.get("code")).map(JsonNode::asText).flatMap(ErrorCode::parse).orElse(byStatus);
            String message = p.hasNonNull("detail") ? p.get("detail").asText()
                    : p.hasNonNull("title") ? p.get("title").asText() : "HTTP " + status;
            Map<String, String> details = new LinkedHashMap<>();
            JsonNode d = p.get("details");
            if (d != null && d.isObject()) {
                d.properties().forEach(e -> details.put(e.getKey(), e.getValue().asText()));
            }
            return new ErrorInfo(code.name(), message, details);
        } catch (IOException e) {
            return new ErrorInfo(byStatus.name(), "HTTP " + status + " with an unreadable problem body", Map.of());
        }
    }

    /** The Parley error for an HTTP error status that came without a problem body. */
    static ErrorCode codeForStatus(int status) {
        return switch (status) {
            case 400, 406, 415, 422 -> ErrorCode.INVALID_ARGUMENT;
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.PERMISSION_DENIED;
            case 404, 410 -> ErrorCode.NOT_FOUND;
            case 405, 501 -> ErrorCode.UNIMPLEMENTED;
            case 408, 504 -> ErrorCode.DEADLINE_EXCEEDED;
            case 409 -> ErrorCode.CONFLICT;
            case 412 -> ErrorCode.FAILED_PRECONDITION;
            case 413, 414, 431 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 429 -> ErrorCode.RESOURCE_EXHAUSTED;
            case 499 -> ErrorCode.CANCELLED;
            case 502, 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL : status >= 400 ? ErrorCode.INVALID_ARGUMENT : ErrorCode.INVALID_REPLY;
        };
    }

    /** The error body of a Parley error reply, read as a tree in its own codec. */
    static ErrorInfo errorInfo(String mediaType, byte[] body, ErrorCode code) {
        try {
            JsonNode tree = readTree(mediaType, body);
            Map<String, String> details = new LinkedHashMap<>();
            JsonNode d = tree.get("details");
            if (d != null && d.isObject()) {
                d.properties().forEach(e -> details.put(e.getKey(), e.getValue().asText()));
            }
            return new ErrorInfo(code.name(), tree.hasNonNull("message") ? tree.get("message").asText() : code.name(), details);
        } catch (IOException e) {
            return new ErrorInfo(code.name(), code.name(), Map.of());
        }
    }

    static byte[] errorBody(ErrorInfo info) {
        ObjectNode node = NODES.objectNode();
        node.put("code", info.code());
        node.put("message", info.message());
        ObjectNode d = node.putObject("details");
        info.details().forEach(d::put);
        return writeTree(JSON, node);
    }
}
