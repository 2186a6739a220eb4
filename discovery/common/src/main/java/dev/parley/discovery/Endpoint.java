package dev.parley.discovery;

import dev.parley.ParleyClock;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a client knows about one instance beyond the registry's view: its outstanding calls
 * and its ejection state. One per instance id and {@link ServiceDirectory}, shared by every
 * contract version and transport that reaches it.
 *
 * <pre>
 *            failures >= failuresToEject                 ejection over, one caller takes the trial call
 *  HEALTHY ------------------------------> EJECTED -----------------------------------------> PROBING
 *     ^                                       ^                                                  |
 *     |                                       +------------ trial fails: ejected longer ---------+
 *     +----------------------------------- trial succeeds -------------------------------------- +
 * </pre>
 *
 * <p>{@link #tryAcquire} is on every call's path: a healthy endpoint costs one volatile read.
 */
final class Endpoint {

    static final int NOT_ACQUIRED = 0;
    static final int ACQUIRED = 1;
    static final int PROBE = 2;

    private static final int HEALTHY = 0;
    private static final int EJECTED = 1;
    private static final int PROBING = 2;

    final String id;
    final AtomicInteger outstanding = new AtomicInteger();
    private volatile ServiceInstance instance;
    private volatile int weight;
    private volatile int state = HEALTHY;
    // Guarded by this.
    private long ejectedUntil;
    private int ejections;
    private int consecutiveFailures;

    Endpoint(ServiceInstance instance) {
        this.id = instance.id();
        update(instance);
    }

    void update(ServiceInstance value) {
        this.instance = value;
        this.weight = weightOf(value);
    }

    ServiceInstance instance() {
        return instance;
    }

    int weight() {
        return weight;
    }

    /** Whether a new call may go here; {@link #PROBE} when this call is the trial after an ejection. */
    int tryAcquire(ParleyClock clock) {
        int s = state;
        if (s == HEALTHY) {
            return ACQUIRED;
        }
        if (s == PROBING) {
            return NOT_ACQUIRED;
        }
        synchronized (this) {
            if (state == EJECTED && clock.nanoTime() - ejectedUntil >= 0) {
                state = PROBING;
                return PROBE;
            }
            return NOT_ACQUIRED;
        }
    }

    /** Whether the endpoint is out of rotation (ejected, or waiting for its trial call). */
    boolean ejected() {
        return state != HEALTHY;
    }

    /** Nanoseconds until the current ejection ends (0 when not ejected or already due). */
    synchronized long ejectionLeft(ParleyClock clock) {
        return state == EJECTED ? Math.max(0, ejectedUntil - clock.nanoTime()) : 0;
    }

    /** The instance answered (possibly with an application error). */
    void succeeded(int ticket) {
        if (ticket == PROBE) {
            synchronized (this) {
                state = HEALTHY;
                ejections = 0;
                consecutiveFailures = 0;
            }
        } else if (consecutiveFailures != 0) {
            synchronized (this) {
                if (state == HEALTHY) {
                    consecutiveFailures = 0;
                }
            }
        }
    }

    /** The call failed because of the transport; ejects the endpoint when the policy says so. */
    synchronized void failed(int ticket, ParleyClock clock, EjectionPolicy policy) {
        if (ticket == PROBE) {
            eject(clock, policy);
        } else if (state == HEALTHY && ++consecutiveFailures >= policy.failuresToEject()) {
            eject(clock, policy);
        }
    }

    /** A call that ended without a verdict (cancelled): a trial call must not keep the endpoint out for good. */
    void inconclusive(int ticket) {
        if (ticket == PROBE) {
            synchronized (this) {
                if (state == PROBING) {
                    state = EJECTED; // ejectedUntil is in the past: the next call is the trial
                }
            }
        }
    }

    private void eject(ParleyClock clock, EjectionPolicy policy) {
        ejections++;
        consecutiveFailures = 0;
        ejectedUntil = clock.nanoTime() + policy.ejectionNanos(ejections);
        state = EJECTED;
    }

    static int weightOf(ServiceInstance instance) {
        String w = instance.metadata().get(ServiceInstance.WEIGHT);
        if (w == null) {
            return 1;
        }
        try {
            int value = Integer.parseInt(w.trim());
            return value < 1 ? 1 : Math.min(value, 10_000);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    @Override
    public String toString() {
        return "Endpoint(" + id + ", outstanding " + outstanding.get() + (ejected() ? ", ejected" : "") + ")";
    }
}
