package dev.parley.transport;

/** A served contract or a subscription; closing it stops delivery. Idempotent. */
@FunctionalInterface
public interface Registration extends AutoCloseable {
    @Override
    void close();
}
