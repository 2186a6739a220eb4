package dev.parley.contract;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Optional;

/**
 * A message type of a contract: a record with its fields, or an enum with its constants.
 *
 * @param name     the simple name, unique within the contract
 * @param kind     {@code record} or {@code enum}
 * @param javaType the Java class that declares it
 * @param fields   the record's fields, in declaration order (empty for an enum)
 * @param values   the enum's constants (empty for a record)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record MessageDescriptor(String name, String kind, Optional<String> javaType, List<FieldDescriptor> fields, List<String> values) {

    public MessageDescriptor {
        fields = List.copyOf(fields);
        values = List.copyOf(values);
    }

    @JsonIgnore
    public boolean isEnum() {
        return "enum".equals(kind);
    }

    public Optional<FieldDescriptor> field(String fieldName) {
        return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst();
    }
}
