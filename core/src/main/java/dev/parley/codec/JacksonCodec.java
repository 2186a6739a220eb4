package dev.parley.codec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.lang.reflect.Type;

/** {@link Codec} on Jackson databind, for JSON and CBOR. */
final class JacksonCodec implements Codec {

    static final JacksonCodec JSON_DEFAULT = json(CodecLimits.ofDefaults());
    static final JacksonCodec CBOR_DEFAULT = cbor(CodecLimits.ofDefaults());

    private final String contentType;
    private final ObjectMapper mapper;
    private final long maxDocumentBytes;

    private JacksonCodec(String contentType, ObjectMapper mapper, long maxDocumentBytes) {
        this.contentType = contentType;
        this.mapper = mapper;
        this.maxDocumentBytes = maxDocumentBytes;
    }

    static JacksonCodec json(CodecLimits limits) {
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(constraints(limits))
                .recyclerPool(HybridPool.INSTANCE).build();
        return new JacksonCodec("application/json", configure(new ObjectMapper(factory)), limits.maxDocumentBytes());
    }

    static JacksonCodec cbor(CodecLimits limits) {
        CBORFactory factory = CBORFactory.builder().streamReadConstraints(constraints(limits))
                .recyclerPool(HybridPool.INSTANCE).build();
        return new JacksonCodec("application/cbor", configure(new ObjectMapper(factory)), limits.maxDocumentBytes());
    }

    private static StreamReadConstraints constraints(CodecLimits limits) {
        return StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxNestingDepth())
                .maxStringLength(limits.maxStringLength())
                .maxDocumentLength(limits.maxDocumentBytes())
                .build();
    }

    /**
     * Where parsers and generators get their buffers. Virtual threads (handlers run on short-lived
     * ones, for which a thread-local pool would allocate fresh 8 KB buffers every call) share a
     * concurrent pool; platform threads (event loops, which encode and decode most messages of a
     * busy client) keep one recycler each, without the shared pool's atomic operations and node
     * allocations. A thread-local recycler is never linked to a pool, so releasing it is a no-op
     * wherever it happens; its buffer slots are atomic, so that is safe too.
     */
    static final class HybridPool implements RecyclerPool<BufferRecycler> {
        static final HybridPool INSTANCE = new HybridPool();
        private static final long serialVersionUID = 1L;

        private final transient RecyclerPool<BufferRecycler> shared = JsonRecyclerPools.sharedConcurrentDequePool();
        private final transient ThreadLocal<BufferRecycler> local = ThreadLocal.withInitial(LocalRecycler::new);

        private HybridPool() {}

        @Override
        public BufferRecycler acquireAndLinkPooled() {
            return Thread.currentThread().isVirtual() ? shared.acquireAndLinkPooled() : local.get();
        }

        @Override
        public BufferRecycler acquirePooled() {
            return Thread.currentThread().isVirtual() ? shared.acquirePooled() : local.get();
        }

        @Override
        public void releasePooled(BufferRecycler recycler) {
            if (!(recycler instanceof LocalRecycler)) {
                shared.releasePooled(recycler);
            }
        }

        /** A platform thread's own recycler: it stays with its thread. */
        private static final class LocalRecycler extends BufferRecycler {}

        private Object readResolve() {
            return INSTANCE;
        }
    }

    private static ObjectMapper configure(ObjectMapper mapper) {
        // Tolerant reader: unknown fields and unknown enum constants are not errors.
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        mapper.disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
        mapper.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        mapper.setSerializationInclusion(JsonInclude.Include.NON_ABSENT);
        mapper.registerModule(new Jdk8Module());
        mapper.registerModule(new JavaTimeModule());
        mapper.registerModule(new MessageDefaults.Module());
        // Polymorphic default typing stays off (Jackson's default); contracts only admit records,
        // enums and plain values, so no type ids are ever read from the wire.
        return mapper;
    }

    @Override
    public String contentType() {
        return contentType;
    }

    @Override
    public <T> TypedCodec<T> forType(Type type) {
        JavaType javaType = mapper.constructType(type);
        return new Bound<>(mapper.readerFor(javaType), mapper.writerFor(javaType), javaType, maxDocumentBytes);
    }

    @Override
    public String toString() {
        return "Codec(" + contentType + ")";
    }

    private static final class Bound<T> implements TypedCodec<T> {
        private final ObjectReader reader;
        private final ObjectWriter writer;
        private final JavaType type;
        private final long maxBytes;

        Bound(ObjectReader reader, ObjectWriter writer, JavaType type, long maxBytes) {
            this.reader = reader;
            this.writer = writer;
            this.type = type;
            this.maxBytes = maxBytes;
        }

        @Override
        public byte[] encode(T value) {
            byte[] bytes;
            try {
                bytes = writer.writeValueAsBytes(value);
            } catch (JsonProcessingException e) {
                throw new EncodingException("cannot encode " + type.getRawClass().getSimpleName() + ": " + e.getOriginalMessage(), e);
            }
            if (bytes.length > maxBytes) {
                throw new EncodingException("message " + type.getRawClass().getSimpleName() + " is " + bytes.length
                        + " bytes (limit: " + maxBytes + " bytes)", null);
            }
            return bytes;
        }

        @Override
        public T decode(byte[] bytes) {
            if (bytes.length > maxBytes) {
                throw new DecodingException("message is " + bytes.length + " bytes (limit: " + maxBytes + " bytes)", "", null);
            }
            if (bytes.length == 0) {
                throw new DecodingException("empty message (expected: " + type.getRawClass().getSimpleName() + ")", "", null);
            }
            try {
                return reader.readValue(bytes);
            } catch (StreamConstraintsException e) {
                throw new DecodingException("message exceeds a read limit: " + e.getOriginalMessage(), "", e);
            } catch (ValueInstantiationException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new DecodingException("invalid " + type.getRawClass().getSimpleName() + ": " + cause.getMessage(), path(e), e);
            } catch (JsonMappingException e) {
                String path = path(e);
                String where = path.isEmpty() ? "" : "field '" + path + "': ";
                throw new DecodingException(where + shorten(e.getOriginalMessage()), path, e);
            } catch (JsonProcessingException e) {
                throw new DecodingException("malformed " + type.getRawClass().getSimpleName() + ": " + shorten(e.getOriginalMessage()), "", e);
            } catch (IOException e) {
                throw new DecodingException("cannot read " + type.getRawClass().getSimpleName() + ": " + e.getMessage(), "", e);
            }
        }

        private static String path(JsonMappingException e) {
            StringBuilder sb = new StringBuilder();
            for (JsonMappingException.Reference ref : e.getPath()) {
                if (ref.getFieldName() != null) {
                    if (!sb.isEmpty()) {
                        sb.append('.');
                    }
                    sb.append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    sb.append('[').append(ref.getIndex()).append(']');
                }
            }
            return sb.toString();
        }

        private static String shorten(String message) {
            if (message == null) {
                return "unreadable";
            }
            String oneLine = message.replace('\n', ' ');
            return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
        }
    }
}
