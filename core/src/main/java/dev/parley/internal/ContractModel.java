package dev.parley.internal;

import dev.parley.contract.Contract;
import dev.parley.contract.ContractDescriptor;
import dev.parley.contract.ContractException;
import dev.parley.contract.Deadline;
import dev.parley.contract.DurableReply;
import dev.parley.contract.Default;
import dev.parley.contract.Event;
import dev.parley.contract.FieldDescriptor;
import dev.parley.contract.Gather;
import dev.parley.contract.Idempotent;
import dev.parley.contract.InteractionStyle;
import dev.parley.contract.MessageDescriptor;
import dev.parley.contract.MethodDescriptor;
import dev.parley.contract.OneWay;
import dev.parley.contract.RequiresScopes;
import dev.parley.contract.Version;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * A validated contract interface: its descriptor plus the Java reflection the runtime needs
 * (methods, request and reply types). Built once per interface and cached.
 */
public final class ContractModel {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*([.-][a-z0-9]+)*");
    private static final ClassValue<ContractModel> CACHE = new ClassValue<>() {
        @Override
        protected ContractModel computeValue(Class<?> type) {
            return new ContractModel(type);
        }
    };

    private final Class<?> type;
    private final ContractDescriptor descriptor;
    private final Map<Method, Operation> byMethod;
    private final Map<String, Operation> byName;
    private final Optional<Duration> deadline;

    /** One operation of the contract with its reflective details. */
    public record Operation(
            ContractModel contract,
            Method method,
            MethodDescriptor descriptor,
            InteractionStyle style,
            Optional<Class<?>> requestType,
            Type replyType,
            boolean asyncReturn,
            String wireName,
            Set<String> requiredScopes,
            boolean durableReply) {

        public String name() {
            return descriptor.name();
        }

        /** {@code Contract.method}, for error messages and metric tags. */
        public String qualifiedName() {
            return contract.type.getSimpleName() + "." + descriptor.name();
        }

        public boolean hasReplyBody() {
            return replyType != void.class && replyType != Void.class;
        }
    }

    public static ContractModel of(Class<?> type) {
        try {
            return CACHE.get(type);
        } catch (ContractException e) {
            // ClassValue does not cache failures; rethrow with a fresh stack for the caller.
            throw new ContractException(e.getMessage(), e);
        }
    }

    private ContractModel(Class<?> type) {
        this.type = type;
        String where = type.getName();
        if (!type.isInterface() || type.isAnnotation()) {
            throw new ContractException(where + ": a contract must be an interface annotated with @Contract");
        }
        Contract contract = type.getAnnotation(Contract.class);
        if (contract == null) {
            throw new ContractException(where + ": missing @Contract(name = ..., version = ...)");
        }
        if (type.getTypeParameters().length > 0) {
            throw new ContractException(where + ": a contract interface cannot be generic");
        }
        if (!NAME.matcher(contract.name()).matches()) {
            throw new ContractException(where + ": contract name '" + contract.name()
                    + "' (expected: lower case letters and digits, separated by '.' or '-', e.g. trips or taxi.trips)");
        }
        Version version;
        try {
            version = Version.parse(contract.version());
        } catch (IllegalArgumentException e) {
            throw new ContractException(where + ": " + e.getMessage());
        }
        this.deadline = contract.deadline().isEmpty() ? Optional.empty() : Optional.of(parseDeadline(contract.deadline(), where));

        Map<String, MessageDescriptor> messages = new LinkedHashMap<>();
        Map<String, Class<?>> messageClasses = new HashMap<>();
        Map<Method, Operation> ops = new LinkedHashMap<>();
        Map<String, Operation> names = new HashMap<>();
        Map<String, String> eventTypes = new HashMap<>();
        List<Method> methods = new ArrayList<>(List.of(type.getMethods()));
        methods.sort(Comparator.comparing(Method::getName));
        for (Method m : methods) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String at = type.getSimpleName() + "." + m.getName();
            if (names.containsKey(m.getName())) {
                throw new ContractException(at + ": duplicate method name (overloads are not allowed: every operation needs a unique name)");
            }
            Operation op = operation(m, at, messages, messageClasses, eventTypes);
            ops.put(m, op);
            names.put(m.getName(), op);
        }
        if (ops.isEmpty()) {
            throw new ContractException(where + ": a contract needs at least one method");
        }
        this.byMethod = java.util.Collections.unmodifiableMap(ops); // name order: stable messages and descriptors
        this.byName = Map.copyOf(names);
        this.descriptor = new ContractDescriptor(
                contract.name(), version, Optional.of(type.getName()),
                ops.values().stream().map(Operation::descriptor).toList(), messages);
    }

    private Operation operation(Method m, String at, Map<String, MessageDescriptor> messages,
                                Map<String, Class<?>> messageClasses, Map<String, String> eventTypes) {
        if (m.getTypeParameters().length > 0) {
            throw new ContractException(at + ": a contract method cannot be generic");
        }
        boolean oneWay = m.isAnnotationPresent(OneWay.class);
        boolean event = m.isAnnotationPresent(Event.class);
        boolean gather = m.isAnnotationPresent(Gather.class);
        if ((oneWay ? 1 : 0) + (event ? 1 : 0) + (gather ? 1 : 0) > 1) {
            throw new ContractException(at + ": @OneWay, @Event and @Gather exclude each other; pick one interaction style");
        }
        Type[] params = m.getGenericParameterTypes();
        if (params.length > 1) {
            throw new ContractException(at + ": takes " + params.length
                    + " parameters (expected: at most one, a record that is the request message)");
        }
        Optional<Class<?>> requestType = Optional.empty();
        if (params.length == 1) {
            if (!(params[0] instanceof Class<?> c) || !c.isRecord()) {
                throw new ContractException(at + ": parameter type " + params[0].getTypeName()
                        + " is not a record (messages are records)");
            }
            requestType = Optional.of(c);
            registerMessage(c, at, messages, messageClasses);
        }
        Type ret = m.getGenericReturnType();
        boolean async = false;
        Type replyType = ret;
        if (ret instanceof ParameterizedType p && p.getRawType() == CompletionStage.class) {
            async = true;
            replyType = p.getActualTypeArguments()[0];
        } else if (rawClass(ret) != null && rawClass(ret) != CompletionStage.class && java.util.concurrent.Future.class.isAssignableFrom(rawClass(ret))) {
            throw new ContractException(at + ": returns " + ret.getTypeName() + " (expected: CompletionStage<T> for an asynchronous reply)");
        } else if (ret == CompletionStage.class) {
            throw new ContractException(at + ": returns a raw CompletionStage (expected: CompletionStage<T> with a record or Void)");
        }
        InteractionStyle style;
        String wireName = m.getName();
        Optional<String> eventType = Optional.empty();
        if (oneWay) {
            if (ret != void.class) {
                throw new ContractException(at + ": a @OneWay method must return void, not " + ret.getTypeName()
                        + " (no reply is ever sent)");
            }
            style = InteractionStyle.ONE_WAY;
        } else if (event) {
            if (requestType.isEmpty()) {
                throw new ContractException(at + ": an @Event method takes exactly one parameter, the event record");
            }
            if (!(ret == void.class || (async && replyType == Void.class))) {
                throw new ContractException(at + ": an @Event method returns void or CompletionStage<Void>, not " + ret.getTypeName());
            }
            String declared = m.getAnnotation(Event.class).value();
            wireName = declared.isEmpty() ? requestType.get().getSimpleName() : declared;
            String previous = eventTypes.putIfAbsent(wireName, m.getName());
            if (previous != null) {
                throw new ContractException(at + ": event type '" + wireName + "' is already published by " + previous);
            }
            eventType = Optional.of(wireName);
            style = InteractionStyle.PUBLISH_SUBSCRIBE;
        } else if (gather) {
            if (async || !(ret instanceof Class<?> rc) || !rc.isRecord()) {
                throw new ContractException(at + ": a @Gather method returns the record each responder replies with, not "
                        + ret.getTypeName());
            }
            style = InteractionStyle.PUBLISH_ASYNC_RESPONSES;
        } else {
            style = async ? InteractionStyle.REQUEST_ASYNC_RESPONSE : InteractionStyle.REQUEST_RESPONSE;
        }
        if (!event && replyType != void.class && replyType != Void.class) {
            if (!(replyType instanceof Class<?> rc) || !rc.isRecord()) {
                throw new ContractException(at + ": returns " + ret.getTypeName()
                        + " (expected: a record, CompletionStage of a record, or void)");
            }
            registerMessage(rc, at, messages, messageClasses);
        }
        if (async && !event && replyType == void.class) {
            throw new ContractException(at + ": returns CompletionStage<void>");
        }
        Optional<Duration> methodDeadline = Optional.ofNullable(m.getAnnotation(Deadline.class))
                .map(d -> parseDeadline(d.value(), at));
        boolean idempotent = m.isAnnotationPresent(Idempotent.class);
        if (idempotent && (event || gather)) {
            throw new ContractException(at + ": @Idempotent applies to one-to-one calls only");
        }
        Optional<String> response = (replyType instanceof Class<?> rc && rc.isRecord())
                ? Optional.of(rc.getSimpleName()) : Optional.empty();
        MethodDescriptor d = new MethodDescriptor(m.getName(), style, requestType.map(Class::getSimpleName),
                response, idempotent, eventType, methodDeadline);
        RequiresScopes scopes = m.getAnnotation(RequiresScopes.class);
        if (scopes == null) {
            scopes = type.getAnnotation(RequiresScopes.class);
        }
        Set<String> requiredScopes = scopes == null ? Set.of()
                : java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(java.util.Arrays.asList(scopes.value())));
        boolean durableReply = m.isAnnotationPresent(DurableReply.class);
        if (durableReply && style != InteractionStyle.REQUEST_ASYNC_RESPONSE) {
            throw new ContractException(at + ": @DurableReply applies to request/async response methods only (returning CompletionStage<T>), not "
                    + style);
        }
        return new Operation(this, m, d, style, requestType, replyType, async, wireName, requiredScopes, durableReply);
    }

    private static Class<?> rawClass(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        return null;
    }

    private static Duration parseDeadline(String text, String at) {
        try {
            Duration d = Duration.parse(text);
            if (d.isNegative() || d.isZero()) {
                throw new ContractException("deadline: " + text + " (expected: > 0) for " + at);
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new ContractException("deadline: '" + text + "' (expected: an ISO-8601 duration such as PT2S) for " + at);
        }
    }

    private void registerMessage(Class<?> c, String at, Map<String, MessageDescriptor> messages, Map<String, Class<?>> classes) {
        String name = c.getSimpleName();
        Class<?> existing = classes.get(name);
        if (existing != null) {
            if (existing != c) {
                throw new ContractException(at + ": two message types are named " + name + " ("
                        + existing.getName() + " and " + c.getName() + "); message names must be unique within a contract");
            }
            return;
        }
        classes.put(name, c);
        if (c.isEnum()) {
            List<String> values = new ArrayList<>();
            for (Object constant : c.getEnumConstants()) {
                values.add(((Enum<?>) constant).name());
            }
            messages.put(name, new MessageDescriptor(name, "enum", Optional.of(c.getName()), List.of(), values));
            return;
        }
        if (!c.isRecord()) {
            throw new ContractException(at + ": " + c.getName() + " is not a record (messages are records)");
        }
        if (c.getTypeParameters().length > 0) {
            throw new ContractException(at + ": message " + c.getName() + " cannot be generic");
        }
        // Reserve the name before walking fields so that recursive messages terminate.
        messages.put(name, new MessageDescriptor(name, "record", Optional.of(c.getName()), List.of(), List.of()));
        List<FieldDescriptor> fields = new ArrayList<>();
        for (RecordComponent rc : c.getRecordComponents()) {
            String where = at + ": field " + name + "." + rc.getName();
            String wireType = wireType(rc.getGenericType(), where, messages, classes);
            Default def = rc.getAnnotation(Default.class);
            boolean optional = def != null || isNullable(rc) || isOptionalOrCollection(rc.getType());
            fields.add(new FieldDescriptor(rc.getName(), wireType, !optional, Optional.ofNullable(def).map(Default::value)));
        }
        messages.put(name, new MessageDescriptor(name, "record", Optional.of(c.getName()), fields, List.of()));
    }

    static boolean isOptionalOrCollection(Class<?> type) {
        return type == Optional.class || Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type);
    }

    static boolean isNullable(AnnotatedElement element) {
        for (Annotation a : element.getAnnotations()) {
            if (a.annotationType().getSimpleName().equals("Nullable")) {
                return true;
            }
        }
        if (element instanceof RecordComponent rc) {
            for (Annotation a : rc.getAnnotatedType().getAnnotations()) {
                if (a.annotationType().getSimpleName().equals("Nullable")) {
                    return true;
                }
            }
        }
        return false;
    }

    private String wireType(Type t, String where, Map<String, MessageDescriptor> messages, Map<String, Class<?>> classes) {
        if (t instanceof Class<?> c) {
            String scalar = scalar(c);
            if (scalar != null) {
                return scalar;
            }
            if (c.isArray()) {
                throw new ContractException(where + ": arrays are not message types (use List<" + c.getComponentType().getSimpleName() + ">)");
            }
            if (c.isRecord() || c.isEnum()) {
                registerMessage(c, where, messages, classes);
                return c.getSimpleName();
            }
            throw new ContractException(where + ": type " + c.getName()
                    + " is not a message type (expected: a record, an enum, a string, a number, a boolean, a time type, or a List/Set/Map/Optional of these)");
        }
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments();
            if (raw == List.class || raw == Collection.class) {
                return "list<" + wireType(args[0], where, messages, classes) + ">";
            }
            if (raw == Set.class) {
                return "set<" + wireType(args[0], where, messages, classes) + ">";
            }
            if (raw == Optional.class) {
                return "optional<" + wireType(args[0], where, messages, classes) + ">";
            }
            if (raw == Map.class) {
                if (args[0] != String.class) {
                    throw new ContractException(where + ": map keys must be strings, not " + args[0].getTypeName());
                }
                return "map<" + wireType(args[1], where, messages, classes) + ">";
            }
            throw new ContractException(where + ": type " + t.getTypeName()
                    + " is not a message type (expected: List, Set, Map or Optional as containers)");
        }
        if (t instanceof WildcardType || t instanceof TypeVariable<?>) {
            throw new ContractException(where + ": type " + t.getTypeName() + " is not concrete; message fields need concrete types");
        }
        throw new ContractException(where + ": unsupported type " + t.getTypeName());
    }

    private static String scalar(Class<?> c) {
        if (c == String.class || c == char.class || c == Character.class) return "string";
        if (c == boolean.class || c == Boolean.class) return "bool";
        if (c == int.class || c == Integer.class || c == short.class || c == Short.class || c == byte.class || c == Byte.class) return "int32";
        if (c == long.class || c == Long.class) return "int64";
        if (c == float.class || c == Float.class) return "float32";
        if (c == double.class || c == Double.class) return "float64";
        if (c == BigDecimal.class) return "decimal";
        if (c == BigInteger.class) return "bigint";
        if (c == byte[].class) return "bytes";
        if (c == Instant.class || c == OffsetDateTime.class) return "timestamp";
        if (c == LocalDate.class) return "date";
        if (c == Duration.class) return "duration";
        if (c == UUID.class) return "uuid";
        return null;
    }

    public Class<?> type() {
        return type;
    }

    public ContractDescriptor descriptor() {
        return descriptor;
    }

    public String name() {
        return descriptor.name();
    }

    public Version version() {
        return descriptor.version();
    }

    public Optional<Duration> deadline() {
        return deadline;
    }

    public Operation operation(Method method) {
        Operation op = byMethod.get(method);
        if (op == null) {
            throw new IllegalArgumentException(method + " is not an operation of contract " + descriptor.name());
        }
        return op;
    }

    public Optional<Operation> operation(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<Operation> operations() {
        return byMethod.values();
    }

    @Override
    public String toString() {
        return descriptor.name() + " " + descriptor.version() + " (" + type.getName() + ")";
    }
}
