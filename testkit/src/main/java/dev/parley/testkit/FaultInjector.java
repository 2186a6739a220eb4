package dev.parley.testkit;

import dev.parley.ErrorCode;
import dev.parley.message.Envelope;
import dev.parley.message.StandardHeaders;
import dev.parley.transport.Fault;
import dev.parley.transport.FaultPlan;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rules that make the in-process transport misbehave for chosen contracts and operations:
 * latency, errors, dropped replies, disconnects, a given number of times or always.
 *
 * <pre>{@code
 * faults.on("pricing/v1", "quote").times(3).disconnect();   // the next 3 quote calls fail
 * faults.on("drivers/v1").always().latency(Duration.ofSeconds(5));
 * faults.clear();                                           // heal
 * }</pre>
 *
 * Rules are checked in the order they were added; the first matching rule with uses left wins.
 */
public final class FaultInjector implements FaultPlan {

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final AtomicInteger injected = new AtomicInteger();

    public static FaultInjector create() {
        return new FaultInjector();
    }

    /** Rules for every operation of a contract address ({@code trips/v1}) or topic. */
    public RuleBuilder on(String address) {
        return new RuleBuilder(address, null);
    }

    /** Rules for one operation (method name or event type). */
    public RuleBuilder on(String address, String operation) {
        return new RuleBuilder(address, operation);
    }

    /** Removes every rule. */
    public void clear() {
        rules.clear();
    }

    /** How many faults were injected so far. */
    public int injectedCount() {
        return injected.get();
    }

    @Override
    public Fault decide(String address, Envelope message) {
        String operation = message.headers().valueOrNull(StandardHeaders.OPERATION);
        for (Rule rule : rules) {
            if (rule.matches(address, operation) && rule.take()) {
                injected.incrementAndGet();
                return rule.fault;
            }
        }
        return Fault.NONE;
    }

    private static final class Rule {
        final String address;
        final String operation;
        final Fault fault;
        final AtomicInteger remaining;

        Rule(String address, String operation, Fault fault, int times) {
            this.address = address;
            this.operation = operation;
            this.fault = fault;
            this.remaining = new AtomicInteger(times);
        }

        boolean matches(String a, String op) {
            return address.equals(a) && (operation == null || operation.equals(op));
        }

        boolean take() {
            while (true) {
                int left = remaining.get();
                if (left == Integer.MAX_VALUE) {
                    return true;
                }
                if (left <= 0) {
                    return false;
                }
                if (remaining.compareAndSet(left, left - 1)) {
                    return true;
                }
            }
        }
    }

    /** Chooses how often and which fault; the terminal methods add the rule. */
    public final class RuleBuilder {
        private final String address;
        private final String operation;
        private int times = Integer.MAX_VALUE;

        private RuleBuilder(String address, String operation) {
            this.address = address;
            this.operation = operation;
        }

        /** Only the next {@code count} matching messages. */
        public RuleBuilder times(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("times: " + count + " (expected: >= 1)");
            }
            times = count;
            return this;
        }

        /** Every matching message until {@link #clear()} (the default). */
        public RuleBuilder always() {
            times = Integer.MAX_VALUE;
            return this;
        }

        public FaultInjector latency(Duration delay) {
            return add(Fault.latency(delay));
        }

        public FaultInjector error(ErrorCode code, String message) {
            return add(Fault.error(code, message));
        }

        public FaultInjector dropReply() {
            return add(Fault.dropReply());
        }

        public FaultInjector disconnect() {
            return add(Fault.disconnect());
        }

        private FaultInjector add(Fault fault) {
            rules.add(new Rule(address, operation, fault, times));
            return FaultInjector.this;
        }
    }
}
