package dev.parley.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.SettableBeanProperty;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import com.fasterxml.jackson.databind.deser.ValueInstantiators;
import com.fasterxml.jackson.databind.deser.impl.PropertyValueBuffer;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.parley.contract.Default;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The tolerant reader's defaults for records: a component that is missing (or {@code null}) on
 * the wire takes its {@link Default}, or an empty collection, map or {@code Optional}.
 * Primitives already get zero from Jackson.
 */
final class MessageDefaults {

    private static final ObjectMapper PLAIN = new ObjectMapper(new JsonFactory())
            .registerModule(new com.fasterxml.jackson.datatype.jdk8.Jdk8Module())
            .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule());

    private MessageDefaults() {}

    static final class Module extends com.fasterxml.jackson.databind.Module {
        @Override
        public String getModuleName() {
            return "parley-message-defaults";
        }

        @Override
        public Version version() {
            return Version.unknownVersion();
        }

        @Override
        public void setupModule(SetupContext context) {
            context.addValueInstantiators(new ValueInstantiators.Base() {
                @Override
                public ValueInstantiator findValueInstantiator(DeserializationConfig config, BeanDescription description,
                                                               ValueInstantiator defaultInstantiator) {
                    Class<?> type = description.getBeanClass();
                    if (!type.isRecord()) {
                        return defaultInstantiator;
                    }
                    Map<String, Supplier<Object>> defaults = defaultsOf(type, config);
                    return defaults.isEmpty() ? defaultInstantiator : new WithDefaults(defaultInstantiator, defaults);
                }
            });
        }
    }

    private static Map<String, Supplier<Object>> defaultsOf(Class<?> record, DeserializationConfig config) {
        Map<String, Supplier<Object>> defaults = new HashMap<>();
        for (RecordComponent rc : record.getRecordComponents()) {
            Default declared = rc.getAnnotation(Default.class);
            if (declared != null) {
                defaults.put(rc.getName(), declaredDefault(record, rc, declared.value(), config));
            } else {
                Supplier<Object> empty = emptyValue(rc.getType());
                if (empty != null) {
                    defaults.put(rc.getName(), empty);
                }
            }
        }
        return defaults;
    }

    private static Supplier<Object> declaredDefault(Class<?> record, RecordComponent rc, String text, DeserializationConfig config) {
        JsonNode node;
        try {
            node = PLAIN.readTree(text);
        } catch (IOException e) {
            node = TextNode.valueOf(text);
        }
        if (node == null || node.isMissingNode()) {
            node = TextNode.valueOf(text);
        }
        JsonNode value = node;
        Type type = rc.getGenericType();
        ObjectMapper typed = PLAIN;
        com.fasterxml.jackson.databind.JavaType javaType = typed.constructType(type);
        try {
            typed.convertValue(value, javaType); // fail at start-up, not on the first message
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("@Default(\"" + text + "\") on " + record.getSimpleName() + "." + rc.getName()
                    + " is not a valid " + rc.getType().getSimpleName() + ": " + e.getMessage(), e);
        }
        // Converted per use so that mutable defaults (lists) are never shared between messages.
        return () -> typed.convertValue(value, javaType);
    }

    private static Supplier<Object> emptyValue(Class<?> type) {
        if (type == Optional.class) return Optional::empty;
        if (type == List.class || type == java.util.Collection.class) return List::of;
        if (type == Set.class) return Set::of;
        if (type == Map.class) return Map::of;
        if (type == SortedSet.class || type == TreeSet.class) return TreeSet::new;
        if (type == SortedMap.class || type == TreeMap.class) return TreeMap::new;
        return null;
    }

    private static final class WithDefaults extends ValueInstantiator.Delegating {
        private static final long serialVersionUID = 1L;
        private final Map<String, Supplier<Object>> defaults;

        WithDefaults(ValueInstantiator delegate, Map<String, Supplier<Object>> defaults) {
            super(delegate);
            this.defaults = defaults;
        }

        @Override
        public ValueInstantiator createContextual(DeserializationContext ctxt, BeanDescription beanDesc)
                throws com.fasterxml.jackson.databind.JsonMappingException {
            ValueInstantiator contextual = delegate().createContextual(ctxt, beanDesc);
            return contextual == delegate() ? this : new WithDefaults(contextual, defaults);
        }

        @Override
        public Object createFromObjectWith(DeserializationContext ctxt, SettableBeanProperty[] props, PropertyValueBuffer buffer)
                throws IOException {
            Object[] args = buffer.getParameters(props);
            for (SettableBeanProperty prop : props) {
                Supplier<Object> fallback = defaults.get(prop.getName());
                int i = prop.getCreatorIndex();
                if (fallback != null && i >= 0 && i < args.length && (args[i] == null || !buffer.hasParameter(prop))) {
                    args[i] = fallback.get();
                }
            }
            return delegate().createFromObjectWith(ctxt, args);
        }
    }
}
