package dev.parley;

import dev.parley.internal.Checks;
import java.time.Duration;

/**
 * How long a gather waits and how many replies it wants. A gather ends at the first of: the
 * deadline, {@code wanted} replies, or a reply (or failure) from every responder the request
 * reached (when the transport knows them).
 *
 * <pre>{@code GatherOptions.within(Duration.ofSeconds(2)).wanted(3)}</pre>
 */
public record GatherOptions(Duration deadline, int wanted) {

    public GatherOptions {
        Checks.requirePositive("deadline", deadline);
        if (wanted < 1) {
            throw new IllegalArgumentException("wanted: " + wanted + " (expected: >= 1)");
        }
    }

    /** Waits up to {@code deadline} for every responder. */
    public static GatherOptions within(Duration deadline) {
        return new GatherOptions(deadline, Integer.MAX_VALUE);
    }

    /** Stops as soon as {@code count} successful replies arrived. */
    public GatherOptions wanted(int count) {
        return new GatherOptions(deadline, count);
    }
}
