package dev.parley.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Optional;

/**
 * One field of a message.
 *
 * @param name         the field's name on the wire (the record component's name)
 * @param type         the wire type: {@code string}, {@code bool}, {@code int32}, {@code int64},
 *                     {@code float32}, {@code float64}, {@code decimal}, {@code bigint}, {@code bytes},
 *                     {@code timestamp}, {@code date}, {@code duration}, {@code uuid}, a message or
 *                     enum name, or {@code list<T>}, {@code set<T>}, {@code map<T>} (string keys),
 *                     {@code optional<T>}
 * @param required     whether a sender must send it: false when it has a declared default, is
 *                     optional, a collection, or {@code @Nullable}
 * @param defaultValue the declared {@link Default}, if any
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record FieldDescriptor(String name, String type, boolean required, Optional<String> defaultValue) {}
