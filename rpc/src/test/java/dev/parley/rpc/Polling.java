package dev.parley.rpc;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling, with a timeout: no sleeping as an assertion. */
final class Polling {
    private Polling() {}

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long until = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }
}
