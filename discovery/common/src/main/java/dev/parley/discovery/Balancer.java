package dev.parley.discovery;

import dev.parley.ParleyClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How {@link DiscoveryTransport} picks the instance of each call among the ready, not ejected
 * instances of a contract version:
 *
 * <ul>
 *   <li>{@link #leastOutstanding()}, the default: two instances at random, the one with fewer
 *       outstanding calls (relative to its weight) wins, "the power of two choices". It reacts
 *       to slow instances without a global view and costs two random numbers per call.</li>
 *   <li>{@link #roundRobin()}: each instance in turn, an instance of weight 3 three times per round.</li>
 * </ul>
 *
 * <p>Weights come from the instance metadata {@link ServiceInstance#WEIGHT} (default 1).
 * Selection is allocation-free and lock-free; docs/benchmarks.md has its cost.
 */
public abstract sealed class Balancer permits Balancer.RoundRobin, Balancer.LeastOutstanding {

    /** A result of {@link #pick} when no instance can take the call. */
    static final int NONE = -1;

    private Balancer() {}

    /** Least outstanding requests over two random choices, weighted; the default. */
    public static Balancer leastOutstanding() {
        return new LeastOutstanding();
    }

    /** Weighted round robin. */
    public static Balancer roundRobin() {
        return new RoundRobin();
    }

    /**
     * A balancer by name, for configuration files: {@code least-outstanding} or {@code round-robin}.
     *
     * @throws IllegalArgumentException for other names
     */
    public static Balancer named(String name) {
        return switch (name.trim()) {
            case "least-outstanding" -> leastOutstanding();
            case "round-robin" -> roundRobin();
            default -> throw new IllegalArgumentException("balancer: '" + name + "' (expected: least-outstanding or round-robin)");
        };
    }

    /** The routes to pick from, arranged for this balancer (round robin repeats weighted ones). */
    Route[] arrange(List<Route> routes) {
        return routes.toArray(Route[]::new);
    }

    /**
     * Picks a route that accepts a call: {@code index << 2 | ticket}, ticket being
     * {@link Endpoint#ACQUIRED} or {@link Endpoint#PROBE}; {@link #NONE} when every route is ejected.
     */
    abstract int pick(Route[] routes, ParleyClock clock);

    /** Tries every route from {@code start} on, for when the preferred ones are ejected. */
    static int scan(Route[] routes, int start, ParleyClock clock) {
        int n = routes.length;
        for (int k = 0; k < n; k++) {
            int i = start + k;
            if (i >= n) {
                i -= n;
            }
            int ticket = routes[i].endpoint().tryAcquire(clock);
            if (ticket != Endpoint.NOT_ACQUIRED) {
                return i << 2 | ticket;
            }
        }
        return NONE;
    }

    /** Weighted round robin. */
    static final class RoundRobin extends Balancer {
        private static final int MAX_SLOTS = 10_000;
        private final AtomicInteger next = new AtomicInteger();

        @Override
        Route[] arrange(List<Route> routes) {
            int total = 0;
            for (Route r : routes) {
                total += r.endpoint().weight();
            }
            if (total == routes.size() || total > MAX_SLOTS) {
                return routes.toArray(Route[]::new);
            }
            // Interleaved: a, b, c, a, c, a rather than a, a, a, b, c, c.
            List<Route> slots = new ArrayList<>(total);
            int[] left = new int[routes.size()];
            for (int i = 0; i < left.length; i++) {
                left[i] = routes.get(i).endpoint().weight();
            }
            while (slots.size() < total) {
                for (int i = 0; i < left.length; i++) {
                    if (left[i]-- > 0) {
                        slots.add(routes.get(i));
                    }
                }
            }
            return slots.toArray(Route[]::new);
        }

        @Override
        int pick(Route[] routes, ParleyClock clock) {
            int n = routes.length;
            if (n == 0) {
                return NONE;
            }
            int i = (next.getAndIncrement() & Integer.MAX_VALUE) % n;
            int ticket = routes[i].endpoint().tryAcquire(clock);
            return ticket != Endpoint.NOT_ACQUIRED ? i << 2 | ticket : scan(routes, i, clock);
        }

        @Override
        public String toString() {
            return "round-robin";
        }
    }

    /** Power of two choices by outstanding calls per weight. */
    static final class LeastOutstanding extends Balancer {
        @Override
        int pick(Route[] routes, ParleyClock clock) {
            int n = routes.length;
            if (n <= 1) {
                return n == 0 ? NONE : scan(routes, 0, clock);
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int i = random.nextInt(n);
            int j = random.nextInt(n - 1);
            if (j >= i) {
                j++;
            }
            Endpoint a = routes[i].endpoint();
            Endpoint b = routes[j].endpoint();
            // a is better when (out_a + 1) / w_a < (out_b + 1) / w_b; ties go to a, which is random anyway.
            long costA = (long) (a.outstanding.get() + 1) * b.weight();
            long costB = (long) (b.outstanding.get() + 1) * a.weight();
            int first = costA <= costB ? i : j;
            int second = first == i ? j : i;
            int ticket = routes[first].endpoint().tryAcquire(clock);
            if (ticket != Endpoint.NOT_ACQUIRED) {
                return first << 2 | ticket;
            }
            ticket = routes[second].endpoint().tryAcquire(clock);
            if (ticket != Endpoint.NOT_ACQUIRED) {
                return second << 2 | ticket;
            }
            return scan(routes, i, clock);
        }

        @Override
        public String toString() {
            return "least-outstanding";
        }
    }
}
