package dev.parley.plugins;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Records plugin events, and waits for conditions by polling with a timeout (never by sleeping as an assertion). */
final class RecordingListener implements Consumer<PluginEvent> {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final List<PluginEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void accept(PluginEvent event) {
        events.add(event);
    }

    List<PluginEvent> events() {
        return List.copyOf(events);
    }

    <E extends PluginEvent> List<E> of(Class<E> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Waits for an event of {@code type} matching {@code filter}; fails with the events seen so far. */
    <E extends PluginEvent> E await(Class<E> type, Predicate<E> filter) {
        java.util.concurrent.atomic.AtomicReference<E> found = new java.util.concurrent.atomic.AtomicReference<>();
        awaitTrue(() -> {
            for (E e : of(type)) {
                if (filter.test(e)) {
                    found.set(e);
                    return true;
                }
            }
            return false;
        }, () -> "no " + type.getSimpleName() + " event matched; events: " + events);
        return found.get();
    }

    PluginEvent.Rejected awaitRejected(String artifact) {
        return await(PluginEvent.Rejected.class, r -> r.artifact().equals(artifact));
    }

    static void awaitTrue(BooleanSupplier condition, java.util.function.Supplier<String> failure) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT + ": " + failure.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }
}
