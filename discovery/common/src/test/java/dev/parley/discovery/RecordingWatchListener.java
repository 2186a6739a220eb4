package dev.parley.discovery;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Records every snapshot and outage a backend's watch reports, and waits for one that matches;
 * shared by the etcd and Kubernetes tests (through this module's test-jar).
 */
public final class RecordingWatchListener implements DiscoveryBackend.Listener {

    public static final Duration WAIT = Duration.ofSeconds(30);

    public final List<List<ServiceInstance>> snapshots = new CopyOnWriteArrayList<>();
    public final List<Throwable> outages = new CopyOnWriteArrayList<>();

    @Override
    public synchronized void instances(List<ServiceInstance> instances) {
        snapshots.add(instances);
        notifyAll();
    }

    @Override
    public synchronized void unavailable(Throwable cause) {
        outages.add(cause);
        notifyAll();
    }

    /** The latest snapshot once one matches {@code condition}, or fails after {@link #WAIT}. */
    public synchronized List<ServiceInstance> await(String what, Predicate<List<ServiceInstance>> condition) throws InterruptedException {
        return awaitAfter(0, what, condition);
    }

    /** Like {@link #await} for a snapshot delivered after the first {@code count} ones. */
    public synchronized List<ServiceInstance> awaitAfter(int count, String what, Predicate<List<ServiceInstance>> condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (snapshots.size() <= count || !condition.test(last())) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no snapshot with " + what + " within " + WAIT + "; last: " + (snapshots.isEmpty() ? "none" : last()));
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return last();
    }

    public synchronized Throwable awaitOutage() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (outages.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no unavailable(..) within " + WAIT);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return outages.get(outages.size() - 1);
    }

    public synchronized List<ServiceInstance> last() {
        return snapshots.get(snapshots.size() - 1);
    }

    public static Predicate<List<ServiceInstance>> ids(String... ids) {
        return list -> list.stream().map(ServiceInstance::id).sorted().toList().equals(List.of(ids).stream().sorted().toList());
    }
}
