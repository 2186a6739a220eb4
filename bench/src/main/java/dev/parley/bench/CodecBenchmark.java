package dev.parley.bench;

import dev.parley.codec.TypedCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode cost of Parley's codecs ({@code Codec.json()}, {@code Codec.cbor()}) through
 * the bound {@link TypedCodec} fast path, for an 8-field record and a ~4 KiB record
 * ({@link Payloads}). Average time per operation, in ns, like the Jackson anchors.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
@State(Scope.Benchmark)
public class CodecBenchmark {

    @Param({"json", "cbor"})
    public String codec;

    @Param({"small", "4k"})
    public String size;

    private TypedCodec<Object> typed;
    private Object message;
    private byte[] encoded;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() {
        typed = (TypedCodec<Object>) Payloads.codec(codec).forType(Payloads.typeOf(size));
        message = Payloads.bySize(size);
        encoded = typed.encode(message);
        Object back = typed.decode(encoded);
        if (!message.equals(back)) {
            throw new IllegalStateException(codec + " " + size + ": round trip changed the message: " + back);
        }
        System.out.println(System.lineSeparator() + "CODEC-SIZE " + codec + " " + size + " bytes=" + encoded.length);
    }

    @Benchmark
    public byte[] encode() {
        return typed.encode(message);
    }

    @Benchmark
    public Object decode() {
        return typed.decode(encoded);
    }
}
