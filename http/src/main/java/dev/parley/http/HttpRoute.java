package dev.parley.http;

import dev.parley.contract.ContractException;
import dev.parley.contract.InteractionStyle;
import dev.parley.contract.http.Created;
import dev.parley.contract.http.Delete;
import dev.parley.contract.http.Get;
import dev.parley.contract.http.Link;
import dev.parley.contract.http.Patch;
import dev.parley.contract.http.Post;
import dev.parley.contract.http.Put;
import dev.parley.internal.ContractModel;
import dev.parley.internal.ContractModel.Operation;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * How one contract operation is served over HTTP: verb, path, where each request field comes
 * from, and the success status. Derived from the {@code dev.parley.contract.http} annotations,
 * or the convention {@code POST /v<major>/<contract>/<method>}; the server, the client and the
 * OpenAPI document all use the same routes.
 *
 * @param operation       the contract operation
 * @param verb            GET, POST, PUT, PATCH or DELETE
 * @param path            the full path template, version prefix included
 * @param queryFields     request fields read from the query string (GET and DELETE)
 * @param hasBody         whether the request record travels as the body
 * @param successStatus   200, 201 ({@link Created}), 202 (one-way) or 204 (no reply)
 * @param location        for 201: the {@code Location} template, filled from the reply
 * @param links           hypermedia links rendered in the reply
 */
public record HttpRoute(
        Operation operation,
        String verb,
        PathTemplate path,
        List<String> queryFields,
        boolean hasBody,
        int successStatus,
        Optional<PathTemplate> location,
        List<LinkTemplate> links) {

    /** A {@link Link} with its path template resolved to the full path. */
    public record LinkTemplate(String rel, String method, PathTemplate path) {}

    private static final Set<String> VERBS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    /**
     * The routes of a contract's one-to-one operations (events and gathers do not travel over
     * REST).
     *
     * @throws ContractException naming the method when an annotation cannot be honoured
     */
    public static List<HttpRoute> of(Class<?> contract) {
        ContractModel model = ContractModel.of(contract);
        String prefix = "/v" + model.version().major();
        List<HttpRoute> routes = new ArrayList<>();
        for (Operation op : model.operations()) {
            if (op.style().isOneToMany()) {
                continue;
            }
            routes.add(route(model, op, prefix));
        }
        return List.copyOf(routes);
    }

    private static HttpRoute route(ContractModel model, Operation op, String prefix) {
        Method m = op.method();
        String at = op.qualifiedName();
        String verb = "POST";
        String template = "/" + model.name() + "/" + op.name();
        int declared = 0;
        if (m.isAnnotationPresent(Get.class)) { verb = "GET"; template = m.getAnnotation(Get.class).value(); declared++; }
        if (m.isAnnotationPresent(Post.class)) { verb = "POST"; template = m.getAnnotation(Post.class).value(); declared++; }
        if (m.isAnnotationPresent(Put.class)) { verb = "PUT"; template = m.getAnnotation(Put.class).value(); declared++; }
        if (m.isAnnotationPresent(Patch.class)) { verb = "PATCH"; template = m.getAnnotation(Patch.class).value(); declared++; }
        if (m.isAnnotationPresent(Delete.class)) { verb = "DELETE"; template = m.getAnnotation(Delete.class).value(); declared++; }
        if (declared > 1) {
            throw new ContractException(at + ": more than one HTTP verb annotation");
        }
        PathTemplate path = parse(prefix + template, at);
        Class<?> request = op.requestType().orElse(null);
        List<String> fields = new ArrayList<>();
        if (request != null) {
            for (RecordComponent rc : request.getRecordComponents()) {
                fields.add(rc.getName());
            }
        }
        for (String variable : path.variableNames()) {
            if (!fields.contains(variable)) {
                throw new ContractException(at + ": path variable {" + variable + "} is not a field of "
                        + (request == null ? "the request (the method takes none)" : request.getSimpleName()));
            }
            if (!isScalar(component(request, variable).getGenericType())) {
                throw new ContractException(at + ": path variable {" + variable + "} must be a scalar field (string, number, boolean, uuid, ...)");
            }
        }
        boolean bodyless = verb.equals("GET") || verb.equals("DELETE");
        List<String> query = new ArrayList<>();
        if (bodyless && request != null) {
            for (RecordComponent rc : request.getRecordComponents()) {
                if (path.variableNames().contains(rc.getName())) {
                    continue;
                }
                if (!isScalar(rc.getGenericType()) && !isScalarList(rc.getGenericType())) {
                    throw new ContractException(at + ": " + verb + " reads field " + rc.getName() + " from the query string, so it must be "
                            + "a scalar or a list of scalars (use POST for structured requests)");
                }
                query.add(rc.getName());
            }
        }
        Optional<PathTemplate> location = Optional.ofNullable(m.getAnnotation(Created.class))
                .map(c -> parse(prefix + c.value(), at + " @Created"));
        List<LinkTemplate> links = new ArrayList<>();
        for (Link link : m.getAnnotationsByType(Link.class)) {
            String method = link.method().toUpperCase(java.util.Locale.ROOT);
            if (!VERBS.contains(method)) {
                throw new ContractException(at + ": @Link(rel = \"" + link.rel() + "\") method '" + link.method()
                        + "' (expected: GET, POST, PUT, PATCH or DELETE)");
            }
            links.add(new LinkTemplate(link.rel(), method, parse(prefix + link.path(), at + " @Link(" + link.rel() + ")")));
        }
        Class<?> reply = op.hasReplyBody() && op.replyType() instanceof Class<?> c ? c : null;
        for (PathTemplate t : location.map(List::of).orElse(List.of())) {
            requireReplyFields(t, reply, at + " @Created");
        }
        for (LinkTemplate link : links) {
            requireReplyFields(link.path(), reply, at + " @Link(" + link.rel() + ")");
        }
        int status;
        if (op.style() == InteractionStyle.ONE_WAY) {
            status = 202;
        } else if (location.isPresent()) {
            status = 201;
        } else if (!op.hasReplyBody()) {
            status = 204;
        } else {
            status = 200;
        }
        return new HttpRoute(op, verb, path, List.copyOf(query), !bodyless && request != null, status, location, List.copyOf(links));
    }

    private static void requireReplyFields(PathTemplate template, Class<?> reply, String at) {
        for (String variable : template.variableNames()) {
            if (reply == null || component(reply, variable) == null) {
                throw new ContractException(at + ": {" + variable + "} is not a field of the reply"
                        + (reply == null ? " (the method has none)" : " " + reply.getSimpleName()));
            }
        }
    }

    private static PathTemplate parse(String template, String at) {
        try {
            return PathTemplate.parse(template);
        } catch (IllegalArgumentException e) {
            throw new ContractException(at + ": " + e.getMessage());
        }
    }

    static RecordComponent component(Class<?> record, String name) {
        if (record == null) {
            return null;
        }
        for (RecordComponent rc : record.getRecordComponents()) {
            if (rc.getName().equals(name)) {
                return rc;
            }
        }
        return null;
    }

    static boolean isScalar(Type t) {
        if (t instanceof ParameterizedType p && p.getRawType() == Optional.class) {
            return isScalar(p.getActualTypeArguments()[0]);
        }
        if (!(t instanceof Class<?> c)) {
            return false;
        }
        return c.isPrimitive() || c == String.class || Number.class.isAssignableFrom(c) || c == Boolean.class
                || c == Character.class || c.isEnum() || c == UUID.class || c == Instant.class || c == LocalDate.class
                || c == Duration.class || c == BigDecimal.class || c == BigInteger.class;
    }

    private static boolean isScalarList(Type t) {
        return t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw && Collection.class.isAssignableFrom(raw)
                && isScalar(p.getActualTypeArguments()[0]);
    }

    /** {@code VERB /path}, e.g. {@code GET /v1/trips/{id}}. */
    @Override
    public String toString() {
        return verb + " " + path;
    }
}
