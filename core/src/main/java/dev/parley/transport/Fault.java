package dev.parley.transport;

import dev.parley.ErrorCode;
import java.time.Duration;

/**
 * A failure the in-process transport injects into one message, decided by a {@link FaultPlan}
 * (the test kit's {@code FaultInjector} builds plans from rules).
 */
public sealed interface Fault {

    /** Deliver normally. */
    Fault NONE = new None();

    static Fault latency(Duration delay) {
        return new Latency(delay);
    }

    static Fault error(ErrorCode code, String message) {
        return new Error(code, message);
    }

    static Fault dropReply() {
        return new DropReply();
    }

    static Fault disconnect() {
        return new Disconnect();
    }

    /** No fault. */
    record None() implements Fault {}

    /** Deliver after {@code delay} on the transport's clock. */
    record Latency(Duration delay) implements Fault {}

    /** Don't deliver; answer with this error as if the service had. */
    record Error(ErrorCode code, String message) implements Fault {}

    /** Deliver, run the handler, and lose its reply: the caller waits until its deadline. */
    record DropReply() implements Fault {}

    /** Don't deliver; fail as a broken connection would ({@code TransportException}, UNAVAILABLE). */
    record Disconnect() implements Fault {}
}
