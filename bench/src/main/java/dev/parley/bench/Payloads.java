package dev.parley.bench;

import dev.parley.codec.Codec;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages {@link CodecBenchmark} encodes and decodes: a small 8-field record, and a
 * manifest of nested records that is about 4 KiB as JSON. Deterministic, so sizes are
 * reproducible (the unit test pins the 4 KiB one to 3.5-4.5 KiB of JSON).
 */
public final class Payloads {

    /** Lines in the large manifest; chosen so that its JSON is close to 4096 bytes. */
    public static final int LARGE_LINES = 29;

    private Payloads() {}

    public enum Tier { ECONOMY, COMFORT, PREMIUM }

    /** Eight fields: three strings, a long, a double, a boolean, a timestamp and an enum. */
    public record Quote(String quoteId, String passengerId, String currency, long amountMinor, double distanceKm,
                        boolean surge, Instant issuedAt, Tier tier) {}

    /** One line of a {@link Manifest}. */
    public record Line(String sku, String description, int quantity, long unitPriceMinor, boolean taxable) {}

    /** The ~4 KiB message: a header and {@link #LARGE_LINES} nested lines. */
    public record Manifest(String manifestId, String customerId, Instant createdAt, Tier tier, List<Line> lines) {}

    public static Quote small() {
        return new Quote("q-7f3a2c19", "p-000042", "EUR", 1_850, 7.25, true, Instant.parse("2026-11-22T10:15:30.123Z"), Tier.COMFORT);
    }

    public static Manifest large() {
        List<Line> lines = new ArrayList<>(LARGE_LINES);
        for (int i = 0; i < LARGE_LINES; i++) {
            lines.add(new Line(String.format("SKU-%06d", 100_000 + i * 37),
                    "replacement part " + i + " for the front brake assembly",
                    1 + i % 5, 1_999L + i * 250L, i % 3 != 0));
        }
        return new Manifest("m-2026-11-22-000017", "c-88317", Instant.parse("2026-11-22T10:15:30Z"), Tier.PREMIUM,
                List.copyOf(lines));
    }

    /** The payload named by a {@code size} parameter: {@code small} or {@code 4k}. */
    public static Object bySize(String size) {
        return switch (size) {
            case "small" -> small();
            case "4k" -> large();
            default -> throw new IllegalArgumentException("size: '" + size + "' (expected: small or 4k)");
        };
    }

    public static Type typeOf(String size) {
        return bySize(size).getClass();
    }

    /** The codec named by a {@code codec} parameter: {@code json} or {@code cbor}. */
    public static Codec codec(String name) {
        return switch (name) {
            case "json" -> Codec.json();
            case "cbor" -> Codec.cbor();
            default -> throw new IllegalArgumentException("codec: '" + name + "' (expected: json or cbor)");
        };
    }

    /** The encoded size in bytes of the payload {@code size} in {@code codec}. */
    public static int encodedSize(String codec, String size) {
        return codec(codec).forType(typeOf(size)).encode(bySize(size)).length;
    }
}
