package dev.parley.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.parley.internal.ContractModel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The machine-readable description of a contract: its name, version, operations and messages.
 * It is generated from the contract interface ({@link #of(Class)}), written as JSON
 * ({@link #toJson()}) and read back ({@link #fromJson(String)}) so that a build can compare a
 * contract with its previous release ({@link Compatibility}) and transports can derive routes,
 * schemas and wire names from it.
 *
 * @param name       the contract's name
 * @param version    the contract's version
 * @param javaType   the contract interface
 * @param methods    the operations, in name order
 * @param messages   every message type reachable from the operations, by name
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
@JsonPropertyOrder({"name", "version", "javaType", "methods", "messages"})
public record ContractDescriptor(
        String name, Version version, Optional<String> javaType, List<MethodDescriptor> methods, Map<String, MessageDescriptor> messages) {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // toJson() leaves out empty lists (a record's enum values, an enum's fields): read them back as
            // empty, and reject null elements with Jackson's message rather than a NullPointerException.
            .withConfigOverride(List.class, o -> o.setSetterInfo(JsonSetter.Value.construct(Nulls.AS_EMPTY, Nulls.FAIL)))
            .withConfigOverride(Map.class, o -> o.setSetterInfo(JsonSetter.Value.construct(Nulls.AS_EMPTY, Nulls.FAIL)))
            .build();

    public ContractDescriptor {
        methods = List.copyOf(methods);
        messages = java.util.Collections.unmodifiableMap(new TreeMap<>(messages));
    }

    /**
     * Describes a contract interface, validating it. The result is cached per interface.
     *
     * @throws ContractException naming the method or field that breaks the rules
     */
    public static ContractDescriptor of(Class<?> contractInterface) {
        return ContractModel.of(contractInterface).descriptor();
    }

    /**
     * Reads a descriptor written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException when the text is not JSON or lacks a part every descriptor has
     *                                  (name, version, at least one method with name and style, and a
     *                                  name, kind and typed fields for every message), naming the part
     */
    public static ContractDescriptor fromJson(String json) {
        ContractDescriptor d;
        try {
            d = JSON.readValue(json, ContractDescriptor.class);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 0 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            String what = e instanceof JsonMappingException ? "not a valid descriptor: " : "not valid JSON: ";
            throw new IllegalArgumentException("contract descriptor: " + what + e.getOriginalMessage() + where, e);
        }
        if (d == null) {
            throw new IllegalArgumentException("contract descriptor: found JSON null (expected: an object with name, version and methods)");
        }
        validate(d);
        return d;
    }

    private static void validate(ContractDescriptor d) {
        if (d.name() == null || d.version() == null || d.methods().isEmpty()) {
            throw new IllegalArgumentException("contract descriptor: 'name', 'version' and a non-empty 'methods' are required (found name="
                    + d.name() + ", version=" + d.version() + ", " + d.methods().size() + " methods)");
        }
        String where = "contract descriptor " + d.name() + ": ";
        for (int i = 0; i < d.methods().size(); i++) {
            MethodDescriptor m = d.methods().get(i);
            if (m.name() == null || m.style() == null) {
                throw new IllegalArgumentException(where + "methods[" + i + "] needs a 'name' and a 'style' (found " + m + ")");
            }
        }
        for (Map.Entry<String, MessageDescriptor> e : d.messages().entrySet()) {
            MessageDescriptor msg = e.getValue();
            if (!e.getKey().equals(msg.name()) || !("record".equals(msg.kind()) || "enum".equals(msg.kind()))) {
                throw new IllegalArgumentException(where + "message '" + e.getKey()
                        + "' needs a 'name' equal to its key and a 'kind' of record or enum (found " + msg + ")");
            }
            for (FieldDescriptor f : msg.fields()) {
                if (f.name() == null || f.type() == null) {
                    throw new IllegalArgumentException(where + "a field of message " + msg.name() + " needs a 'name' and a 'type' (found " + f + ")");
                }
            }
        }
    }

    /** This descriptor as pretty-printed JSON, stable across runs (methods and messages sorted by name). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write descriptor of " + name, e);
        }
    }

    public Optional<MethodDescriptor> method(String methodName) {
        return methods.stream().filter(m -> m.name().equals(methodName)).findFirst();
    }

    public Optional<MessageDescriptor> message(String messageName) {
        return Optional.ofNullable(messages.get(messageName));
    }

    /** {@code name/vMAJOR}, the stable address part used by every transport, e.g. {@code trips/v1}. */
    public String address() {
        return name + "/v" + version.major();
    }
}
