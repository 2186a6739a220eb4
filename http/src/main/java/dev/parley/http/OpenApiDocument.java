package dev.parley.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.ErrorCode;
import dev.parley.contract.ContractDescriptor;
import dev.parley.contract.FieldDescriptor;
import dev.parley.contract.InteractionStyle;
import dev.parley.contract.MessageDescriptor;
import dev.parley.contract.Version;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An OpenAPI 3.1 description of the REST routes that one major version of a set of contracts
 * is served at: what a server built on {@link HttpRoute} answers, so that any OpenAPI tooling
 * (client generators, gateways, API explorers) can call a Parley service without Parley.
 *
 * <pre>{@code
 * String json = OpenApiDocument.of(1, List.of(TripService.class, BillingService.class), "Taxi API").toJson();
 * }</pre>
 *
 * <p>What the document says, and why:
 * <ul>
 *   <li>{@code info.version} is the highest contract version of that major among the contracts,
 *       e.g. {@code 1.2}: every contract of one major evolves compatibly, so the newest minor
 *       names the document.</li>
 *   <li>Paths, verbs, parameters and success statuses come from {@link HttpRoute#of(Class)}; each
 *       operation is {@code <contract>.<method>}, tagged with the contract's name. Bodies are
 *       offered as {@code application/json} and {@code application/cbor}.</li>
 *   <li>Message schemas are JSON Schema 2020-12 and describe what {@code Codec.json()} writes:
 *       times, dates, durations and UUIDs as strings with a {@code format}, bytes as base64
 *       strings, decimals and big integers as JSON numbers, an empty {@code Optional} or a
 *       {@code null} field as an absent member. A field is {@code required} exactly when its
 *       {@link FieldDescriptor#required()} is; {@code @Default} values are given as
 *       {@code default}. Schemas never forbid additional properties: readers are tolerant.</li>
 *   <li>Errors are {@code application/problem+json} (RFC 9457) with the shared {@code Problem}
 *       schema and the Parley members {@code code} and {@code details}. Each operation lists the
 *       statuses Parley itself produces for it plus the common application ones: 400, 429, 500
 *       and 503 always; 401 and 403 when it requires scopes; 413 when it takes a body; and,
 *       except for one-way operations (answered 202 before the handler runs), 504, 404 when the
 *       path addresses a resource and 409 when it may change state (any verb but GET). Every
 *       other code falls under {@code default}.</li>
 *   <li>An operation that requires scopes declares the {@code bearer} (JWT) security scheme with
 *       its scopes; the others declare no security.</li>
 *   <li>A route with {@link dev.parley.contract.http.Link} links describes the JSON reply's
 *       {@code _links} member, one {@code HypermediaLink} per rel (CBOR replies carry no links).</li>
 * </ul>
 *
 * <p>Component schemas are named after their messages; a name that two contracts use for
 * different types, or that clashes with {@code Problem} or {@code HypermediaLink}, is qualified
 * with the contract's name ({@code trips.Money}).
 *
 * <p>Instances are immutable and thread-safe; the JSON is built once, in {@link #of}, and is
 * byte-for-byte the same for the same contracts, so it can be cached, served with an ETag and
 * compared in tests.
 */
public final class OpenApiDocument {

    /** The JSON Schema dialect of the component schemas: OpenAPI 3.1's default. */
    public static final String SCHEMA_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base";

    private static final String PROBLEM = "Problem";
    private static final String LINK = "HypermediaLink";
    private static final String BEARER = "bearer";
    private static final String SCHEMAS = "#/components/schemas/";
    private static final List<String> VERB_ORDER = List.of("GET", "PUT", "POST", "DELETE", "PATCH");
    private static final List<String> BODY_TYPES = List.of("application/json", "application/cbor");
    private static final Set<String> STRING_TYPES = Set.of("string", "bytes", "timestamp", "date", "duration", "uuid");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper STRICT_JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private final int majorVersion;
    private final String json;

    private OpenApiDocument(int majorVersion, String json) {
        this.majorVersion = majorVersion;
        this.json = json;
    }

    /**
     * Describes the contracts of one major version; contracts of other majors in the list are
     * left out, so a server can pass all the contracts it serves once per major.
     *
     * @param majorVersion the major version, the {@code /v<major>} prefix of every path
     * @param contracts    contract interfaces (annotated with {@code @Contract})
     * @param title        {@code info.title}
     * @throws IllegalArgumentException when no contract has that major, when two contracts of
     *                                  that major share a name, or when two routes clash
     * @throws dev.parley.contract.ContractException when a contract is invalid
     */
    public static OpenApiDocument of(int majorVersion, List<Class<?>> contracts, String title) {
        Objects.requireNonNull(contracts, "contracts");
        Objects.requireNonNull(title, "title");
        if (title.isBlank()) {
            throw new IllegalArgumentException("title: '" + title + "' (expected: a non-blank title) for OpenAPI v" + majorVersion);
        }
        Map<String, Class<?>> byName = new TreeMap<>();
        Map<String, ContractDescriptor> descriptors = new TreeMap<>();
        List<String> found = new ArrayList<>();
        for (Class<?> contract : contracts) {
            ContractDescriptor d = ContractDescriptor.of(Objects.requireNonNull(contract, "contracts contains null"));
            found.add(d.name() + " " + d.version());
            if (d.version().major() != majorVersion) {
                continue;
            }
            Class<?> previous = byName.putIfAbsent(d.name(), contract);
            if (previous != null && previous != contract) {
                throw new IllegalArgumentException("contract " + d.name() + " v" + majorVersion + " appears twice ("
                        + previous.getName() + " and " + contract.getName() + "); pass one interface per contract and major version");
            }
            descriptors.put(d.name(), d);
        }
        if (byName.isEmpty()) {
            throw new IllegalArgumentException("no contract has major version " + majorVersion + " (found: "
                    + (found.isEmpty() ? "none" : String.join(", ", found)) + ")");
        }
        ObjectNode root = new Builder(majorVersion, title, byName, descriptors).build();
        return new OpenApiDocument(majorVersion, write(root));
    }

    /** The major version this document describes: every path starts with {@code /v<major>}. */
    public int majorVersion() {
        return majorVersion;
    }

    /** The document as pretty-printed JSON with {@code \n} line ends, the same on every call and every platform. */
    public String toJson() {
        return json;
    }

    @Override
    public String toString() {
        return "OpenApiDocument(v" + majorVersion + ")";
    }

    private static String write(ObjectNode root) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return STRICT_JSON.writer(printer).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write OpenAPI document", e);
        }
    }

    /** Builds the tree of one document; used once. */
    private static final class Builder {
        private final int major;
        private final String title;
        private final Map<String, Class<?>> contracts;
        private final Map<String, ContractDescriptor> descriptors;
        /** Per contract: message name to component name. */
        private final Map<String, Map<String, String>> componentNames = new HashMap<>();
        private final Map<String, ObjectNode> componentSchemas = new TreeMap<>();
        private boolean securityUsed;
        private boolean linksUsed;
        private final Set<ErrorCode> errorsUsed = new TreeSet<>();

        Builder(int major, String title, Map<String, Class<?>> contracts, Map<String, ContractDescriptor> descriptors) {
            this.major = major;
            this.title = title;
            this.contracts = contracts;
            this.descriptors = descriptors;
        }

        ObjectNode build() {
            Map<String, List<HttpRoute>> routes = new TreeMap<>();
            contracts.forEach((name, type) -> routes.put(name, HttpRoute.of(type)));
            nameComponents(routes);

            ObjectNode root = NODES.objectNode();
            root.put("openapi", "3.1.0");
            root.set("info", info());
            root.put("jsonSchemaDialect", SCHEMA_DIALECT);
            ArrayNode tags = root.putArray("tags");
            routes.forEach((name, list) -> {
                if (!list.isEmpty()) {
                    tags.addObject().put("name", name).put("description", name + " " + descriptors.get(name).version());
                }
            });
            root.set("paths", paths(routes));
            root.set("components", components());
            return root;
        }

        private ObjectNode info() {
            Version newest = descriptors.values().stream().map(ContractDescriptor::version).max(Comparator.naturalOrder()).orElseThrow();
            List<String> names = descriptors.values().stream().map(d -> d.name() + " " + d.version()).toList();
            ObjectNode info = NODES.objectNode();
            info.put("title", title);
            info.put("version", newest.toString());
            info.put("description", "Major version " + major + " of the contracts " + String.join(", ", names)
                    + ", served by Parley. info.version is the newest contract version among them.");
            return info;
        }

        // ---- component naming ------------------------------------------------------------------

        private void nameComponents(Map<String, List<HttpRoute>> routes) {
            Map<String, Map<String, MessageDescriptor>> reachable = new TreeMap<>();
            routes.forEach((name, list) -> reachable.put(name, reachable(descriptors.get(name), list)));
            // Which distinct types use each message name, over all contracts.
            Map<String, Set<String>> typesByName = new HashMap<>();
            reachable.forEach((contract, messages) -> messages.values().forEach(m ->
                    typesByName.computeIfAbsent(m.name(), k -> new LinkedHashSet<>()).add(identity(contract, m))));
            reachable.forEach((contract, messages) -> {
                Map<String, String> names = new HashMap<>();
                for (MessageDescriptor m : messages.values()) {
                    boolean clash = typesByName.get(m.name()).size() > 1 || m.name().equals(PROBLEM) || m.name().equals(LINK);
                    names.put(m.name(), clash ? contract + "." + m.name() : m.name());
                }
                componentNames.put(contract, names);
            });
            reachable.forEach((contract, messages) -> messages.values().forEach(m ->
                    componentSchemas.putIfAbsent(componentNames.get(contract).get(m.name()), messageSchema(contract, m))));
        }

        /** The same Java type reachable from two contracts is one component; without a Java type, the contract decides. */
        private static String identity(String contract, MessageDescriptor m) {
            return m.javaType().orElse(contract + "/" + m.name());
        }

        /** The messages reachable from the routes' requests and replies (events do not travel over REST). */
        private static Map<String, MessageDescriptor> reachable(ContractDescriptor d, List<HttpRoute> routes) {
            Map<String, MessageDescriptor> out = new TreeMap<>();
            Deque<String> todo = new ArrayDeque<>();
            for (HttpRoute r : routes) {
                r.operation().descriptor().request().ifPresent(todo::add);
                r.operation().descriptor().response().ifPresent(todo::add);
            }
            while (!todo.isEmpty()) {
                String name = todo.pop();
                if (out.containsKey(name)) {
                    continue;
                }
                MessageDescriptor m = d.message(name).orElseThrow(() ->
                        new IllegalStateException("contract " + d.name() + ": message " + name + " is not described"));
                out.put(name, m);
                for (FieldDescriptor f : m.fields()) {
                    String element = elementType(f.type());
                    if (!isScalar(element)) {
                        todo.add(element);
                    }
                }
            }
            return out;
        }

        private String ref(String contract, String message) {
            return SCHEMAS + componentNames.get(contract).get(message);
        }

        // ---- schemas ---------------------------------------------------------------------------

        private ObjectNode messageSchema(String contract, MessageDescriptor m) {
            ObjectNode s = NODES.objectNode();
            if (m.isEnum()) {
                s.put("type", "string");
                ArrayNode values = s.putArray("enum");
                m.values().forEach(values::add);
                return s;
            }
            s.put("type", "object");
            ObjectNode properties = s.putObject("properties");
            ArrayNode required = NODES.arrayNode();
            for (FieldDescriptor f : m.fields()) {
                ObjectNode p = typeSchema(contract, f.type());
                f.defaultValue().ifPresent(text -> p.set("default", defaultValue(f.type(), text)));
                properties.set(f.name(), p);
                if (f.required()) {
                    required.add(f.name());
                }
            }
            if (!required.isEmpty()) {
                s.set("required", required);
            }
            return s;
        }

        /** The schema of a wire type such as {@code int64}, {@code list<Stop>} or {@code map<optional<string>>}. */
        private ObjectNode typeSchema(String contract, String type) {
            ObjectNode s = NODES.objectNode();
            if (type.startsWith("optional<")) {
                return typeSchema(contract, inner(type));
            }
            if (type.startsWith("list<") || type.startsWith("set<")) {
                s.put("type", "array");
                s.set("items", typeSchema(contract, inner(type)));
                if (type.startsWith("set<")) {
                    s.put("uniqueItems", true);
                }
                return s;
            }
            if (type.startsWith("map<")) {
                s.put("type", "object");
                s.set("additionalProperties", typeSchema(contract, inner(type)));
                return s;
            }
            switch (type) {
                case "string" -> s.put("type", "string");
                case "bool" -> s.put("type", "boolean");
                case "int32" -> s.put("type", "integer").put("format", "int32");
                case "int64" -> s.put("type", "integer").put("format", "int64");
                case "float32" -> s.put("type", "number").put("format", "float");
                case "float64" -> s.put("type", "number").put("format", "double");
                // Jackson writes BigDecimal and BigInteger as JSON numbers, with every digit.
                case "decimal" -> s.put("type", "number").put("format", "decimal");
                case "bigint" -> s.put("type", "integer");
                case "bytes" -> s.put("type", "string").put("contentEncoding", "base64");
                case "timestamp" -> s.put("type", "string").put("format", "date-time");
                case "date" -> s.put("type", "string").put("format", "date");
                case "duration" -> s.put("type", "string").put("format", "duration");
                case "uuid" -> s.put("type", "string").put("format", "uuid");
                default -> s.put("$ref", ref(contract, type));
            }
            return s;
        }

        /** A {@code @Default} text as the field's JSON value: parsed as JSON like the reader does, kept as text for string types. */
        private JsonNode defaultValue(String type, String text) {
            String element = type;
            while (element.startsWith("optional<")) {
                element = inner(element);
            }
            JsonNode parsed;
            try {
                parsed = STRICT_JSON.readTree(text);
            } catch (JsonProcessingException e) {
                parsed = null; // not JSON: the reader takes the text as a string, and so does the schema
            }
            if (parsed == null || parsed.isMissingNode()) {
                return NODES.textNode(text);
            }
            if (STRING_TYPES.contains(element) && !parsed.isTextual()) {
                return NODES.textNode(text);
            }
            return parsed;
        }

        // ---- paths -----------------------------------------------------------------------------

        private ObjectNode paths(Map<String, List<HttpRoute>> routes) {
            Map<String, Map<String, HttpRoute>> byPath = new TreeMap<>();
            Map<String, String> shapes = new HashMap<>();
            Map<String, HttpRoute> seen = new HashMap<>();
            routes.values().forEach(list -> list.forEach(r -> {
                String path = r.path().toString();
                String shape = path.replaceAll("\\{[^}]*}", "{}");
                String samePathAs = shapes.putIfAbsent(shape, path);
                if (samePathAs != null && !samePathAs.equals(path)) {
                    throw new IllegalArgumentException(r + " (" + r.operation().qualifiedName() + ") and " + samePathAs
                            + " differ only in variable names; OpenAPI needs one name per path position");
                }
                HttpRoute clash = seen.putIfAbsent(r.verb() + " " + shape, r);
                if (clash != null) {
                    throw new IllegalArgumentException(r + " (" + r.operation().qualifiedName() + ") clashes with "
                            + clash + " (" + clash.operation().qualifiedName() + ")");
                }
                byPath.computeIfAbsent(path, k -> new TreeMap<>(Comparator.comparingInt(VERB_ORDER::indexOf))).put(r.verb(), r);
            }));
            ObjectNode paths = NODES.objectNode();
            byPath.forEach((path, verbs) -> {
                ObjectNode item = paths.putObject(path);
                verbs.forEach((verb, route) -> item.set(verb.toLowerCase(Locale.ROOT), operation(route)));
            });
            return paths;
        }

        private ObjectNode operation(HttpRoute route) {
            String contract = route.operation().contract().name();
            MessageDescriptor request = route.operation().descriptor().request()
                    .flatMap(descriptors.get(contract)::message).orElse(null);
            ObjectNode op = NODES.objectNode();
            op.putArray("tags").add(contract);
            op.put("operationId", contract + "." + route.operation().name());
            String description = description(route);
            if (!description.isEmpty()) {
                op.put("description", description);
            }
            ArrayNode parameters = NODES.arrayNode();
            for (String variable : route.path().variableNames()) {
                FieldDescriptor f = request.field(variable).orElseThrow();
                ObjectNode p = parameters.addObject();
                p.put("name", variable).put("in", "path").put("required", true);
                p.set("schema", typeSchema(contract, f.type()));
            }
            for (String name : route.queryFields()) {
                FieldDescriptor f = request.field(name).orElseThrow();
                ObjectNode p = parameters.addObject();
                p.put("name", name).put("in", "query").put("required", f.required());
                ObjectNode schema = typeSchema(contract, f.type());
                f.defaultValue().ifPresent(text -> schema.set("default", defaultValue(f.type(), text)));
                p.set("schema", schema);
            }
            if (!parameters.isEmpty()) {
                op.set("parameters", parameters);
            }
            if (route.hasBody()) {
                ObjectNode body = op.putObject("requestBody");
                body.put("required", true);
                body.set("content", content(bodySchema(contract, request, route)));
            }
            op.set("responses", responses(contract, route));
            Set<String> scopes = new TreeSet<>(route.operation().requiredScopes());
            if (!scopes.isEmpty()) {
                securityUsed = true;
                ArrayNode list = op.putArray("security").addObject().putArray(BEARER);
                scopes.forEach(list::add);
            }
            return op;
        }

        private static String description(HttpRoute route) {
            List<String> notes = new ArrayList<>();
            if (route.operation().style() == InteractionStyle.ONE_WAY) {
                notes.add("One-way: the request is accepted (202) and handled later; no reply is sent.");
            }
            if (route.operation().descriptor().idempotent()) {
                notes.add("Idempotent: safe to retry.");
            }
            Set<String> scopes = new TreeSet<>(route.operation().requiredScopes());
            if (!scopes.isEmpty()) {
                notes.add("Requires a bearer token with the scopes " + String.join(", ", scopes) + ".");
            }
            return String.join(" ", notes);
        }

        /**
         * The request record, by reference; when path variables fill some of its fields, a copy
         * that does not require those fields in the body.
         */
        private ObjectNode bodySchema(String contract, MessageDescriptor request, HttpRoute route) {
            List<String> fromPath = route.path().variableNames();
            if (fromPath.isEmpty() || request.fields().stream().noneMatch(f -> f.required() && fromPath.contains(f.name()))) {
                return NODES.objectNode().put("$ref", ref(contract, request.name()));
            }
            ObjectNode copy = componentSchemas.get(componentNames.get(contract).get(request.name())).deepCopy();
            ArrayNode required = NODES.arrayNode();
            copy.path("required").forEach(n -> {
                if (!fromPath.contains(n.asText())) {
                    required.add(n);
                }
            });
            copy.remove("required");
            if (!required.isEmpty()) {
                copy.set("required", required);
            }
            copy.put("description", request.name() + "; " + String.join(", ", fromPath) + " may be left out: the path gives them");
            return copy;
        }

        private static ObjectNode content(ObjectNode schema) {
            ObjectNode content = NODES.objectNode();
            for (String type : BODY_TYPES) {
                content.putObject(type).set("schema", schema.deepCopy());
            }
            return content;
        }

        private ObjectNode responses(String contract, HttpRoute route) {
            ObjectNode responses = NODES.objectNode();
            ObjectNode success = responses.putObject(Integer.toString(route.successStatus()));
            switch (route.successStatus()) {
                case 201 -> success.put("description", "Created");
                case 202 -> success.put("description", "Accepted");
                case 204 -> success.put("description", "No Content");
                default -> success.put("description", "OK");
            }
            route.location().ifPresent(location -> {
                ObjectNode header = success.putObject("headers").putObject("Location");
                header.put("description", "The created resource: " + location);
                header.put("required", true);
                header.putObject("schema").put("type", "string").put("format", "uri-reference");
            });
            Optional<String> reply = route.operation().descriptor().response();
            if (route.successStatus() != 202 && route.successStatus() != 204 && reply.isPresent()) {
                // The server adds _links to JSON replies only; a CBOR reply is the message as the handler returned it.
                ObjectNode content = content(NODES.objectNode().put("$ref", ref(contract, reply.get())));
                if (!route.links().isEmpty()) {
                    ((ObjectNode) content.get("application/json")).set("schema", withLinks(contract, reply.get(), route));
                }
                success.set("content", content);
            }
            Set<ErrorCode> errors = new TreeSet<>(Comparator.comparingInt(ErrorCode::httpStatus));
            errors.addAll(List.of(ErrorCode.INVALID_ARGUMENT, ErrorCode.RESOURCE_EXHAUSTED, ErrorCode.INTERNAL, ErrorCode.UNAVAILABLE));
            if (!route.operation().requiredScopes().isEmpty()) {
                errors.add(ErrorCode.UNAUTHENTICATED);
                errors.add(ErrorCode.PERMISSION_DENIED);
            }
            if (route.hasBody()) {
                errors.add(ErrorCode.PAYLOAD_TOO_LARGE);
            }
            // A one-way call is answered (202) before its handler runs: no handler outcome, no deadline to miss.
            if (route.operation().style() != InteractionStyle.ONE_WAY) {
                errors.add(ErrorCode.DEADLINE_EXCEEDED);
                if (!route.path().variableNames().isEmpty()) {
                    errors.add(ErrorCode.NOT_FOUND);
                }
                if (!route.verb().equals("GET")) {
                    errors.add(ErrorCode.CONFLICT);
                }
            }
            errorsUsed.addAll(errors);
            for (ErrorCode code : errors) {
                responses.putObject(Integer.toString(code.httpStatus())).put("$ref", "#/components/responses/" + code.name());
            }
            responses.putObject("default").put("$ref", "#/components/responses/ERROR");
            return responses;
        }

        private ObjectNode withLinks(String contract, String reply, HttpRoute route) {
            ObjectNode ref = NODES.objectNode().put("$ref", ref(contract, reply));
            linksUsed = true;
            ObjectNode s = NODES.objectNode();
            ArrayNode allOf = s.putArray("allOf");
            allOf.add(ref);
            ObjectNode withLinks = allOf.addObject().put("type", "object");
            ObjectNode links = withLinks.putObject("properties").putObject("_links");
            withLinks.putArray("required").add("_links");
            links.put("type", "object");
            links.put("description", "Hypermedia links to what can be done next with this resource.");
            ObjectNode rels = links.putObject("properties");
            ArrayNode required = links.putArray("required");
            route.links().stream().sorted(Comparator.comparing(HttpRoute.LinkTemplate::rel)).forEach(link -> {
                rels.putObject(link.rel()).put("$ref", SCHEMAS + LINK).put("description", link.method() + " " + link.path());
                required.add(link.rel());
            });
            return s;
        }

        // ---- components ------------------------------------------------------------------------

        private ObjectNode components() {
            ObjectNode components = NODES.objectNode();
            ObjectNode schemas = components.putObject("schemas");
            Map<String, ObjectNode> all = new TreeMap<>(componentSchemas);
            all.put(PROBLEM, problemSchema());
            if (linksUsed) {
                all.put(LINK, linkSchema());
            }
            all.forEach(schemas::set);
            ObjectNode responses = components.putObject("responses");
            for (ErrorCode code : errorsUsed) {
                responses.set(code.name(), problemResponse(code.name() + " (" + code.httpStatus() + "): " + meaning(code)));
            }
            responses.set("ERROR", problemResponse("Any other Parley error; the code member names it"));
            if (securityUsed) {
                components.putObject("securitySchemes").putObject(BEARER)
                        .put("type", "http").put("scheme", "bearer").put("bearerFormat", "JWT")
                        .put("description", "A token whose scopes the service's Authenticator checks on every call");
            }
            return components;
        }

        private static ObjectNode problemResponse(String description) {
            ObjectNode r = NODES.objectNode();
            r.put("description", description);
            r.putObject("content").putObject("application/problem+json").putObject("schema").put("$ref", SCHEMAS + PROBLEM);
            return r;
        }

        private static String meaning(ErrorCode code) {
            return switch (code) {
                case INVALID_ARGUMENT -> "the request is malformed or a field is invalid (details.field names it)";
                case UNAUTHENTICATED -> "no valid bearer token";
                case PERMISSION_DENIED -> "the token lacks a required scope";
                case NOT_FOUND -> "the resource does not exist";
                case CONFLICT -> "the request conflicts with the current state";
                case FAILED_PRECONDITION -> "the operation is not allowed in the current state";
                case PAYLOAD_TOO_LARGE -> "the request is larger than a limit";
                case RESOURCE_EXHAUSTED -> "a bulkhead, rate limit or quota is full; retry later";
                case CANCELLED -> "the caller cancelled the call";
                case INTERNAL -> "an unexpected failure in the service (details.errorId identifies it in the logs)";
                case UNIMPLEMENTED -> "the operation or version is not served";
                case UNAVAILABLE -> "the service or a dependency is not taking calls; retry later";
                case DEADLINE_EXCEEDED -> "the deadline passed before the reply";
                case INVALID_REPLY -> "a reply could not be decoded";
            };
        }

        private static ObjectNode problemSchema() {
            ObjectNode s = NODES.objectNode();
            s.put("type", "object");
            s.put("description", "An RFC 9457 problem detail with Parley's error code and details");
            ObjectNode p = s.putObject("properties");
            p.putObject("type").put("type", "string").put("format", "uri-reference").put("default", "about:blank");
            p.putObject("title").put("type", "string");
            p.putObject("status").put("type", "integer").put("minimum", 100).put("maximum", 599);
            p.putObject("detail").put("type", "string");
            p.putObject("instance").put("type", "string").put("format", "uri-reference");
            ObjectNode code = p.putObject("code").put("type", "string");
            code.put("description", "The Parley error code; new codes may be added, so treat unknown ones like INTERNAL");
            ArrayNode examples = code.putArray("examples");
            for (ErrorCode c : ErrorCode.values()) {
                examples.add(c.name());
            }
            p.putObject("details").put("type", "object").putObject("additionalProperties").put("type", "string");
            s.putArray("required").add("status").add("code");
            return s;
        }

        private static ObjectNode linkSchema() {
            ObjectNode s = NODES.objectNode();
            s.put("type", "object");
            ObjectNode p = s.putObject("properties");
            p.putObject("href").put("type", "string").put("format", "uri-reference");
            ArrayNode methods = p.putObject("method").put("type", "string").putArray("enum");
            VERB_ORDER.forEach(methods::add);
            s.putArray("required").add("href").add("method");
            return s;
        }
    }

    // ---- wire type names ---------------------------------------------------------------------

    private static String inner(String type) {
        return type.substring(type.indexOf('<') + 1, type.length() - 1);
    }

    /** The scalar, message or enum name inside any containers. */
    private static String elementType(String type) {
        String t = type;
        while (t.endsWith(">")) {
            t = inner(t);
        }
        return t;
    }

    private static boolean isScalar(String type) {
        return switch (type) {
            case "string", "bool", "int32", "int64", "float32", "float64", "decimal", "bigint", "bytes", "timestamp", "date",
                 "duration", "uuid" -> true;
            default -> false;
        };
    }
}
