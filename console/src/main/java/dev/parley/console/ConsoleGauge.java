package dev.parley.console;

import java.util.OptionalDouble;

/**
 * One number a {@link ConsoleSection} shows prominently, drawn as a bar when it has a maximum:
 * a queue depth, dead letters, retries pending, a bulkhead's calls in use.
 *
 * @param label what is measured, e.g. {@code dead letters}
 * @param value the current value
 * @param max   the value that fills the bar, when there is one
 * @param unit  a short unit shown after the value, empty for none
 */
public record ConsoleGauge(String label, double value, OptionalDouble max, String unit) {

    public ConsoleGauge {
        ConsoleSection.requireText("gauge label", label);
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("gauge value: " + value + " (expected: a finite number) for '" + label + "'");
        }
        if (max.isPresent() && !(Double.isFinite(max.getAsDouble()) && max.getAsDouble() > 0)) {
            throw new IllegalArgumentException("gauge max: " + max.getAsDouble() + " (expected: > 0) for '" + label + "'");
        }
        if (unit.length() > 16) {
            throw new IllegalArgumentException("gauge unit: '" + unit + "' (expected: at most 16 characters) for '" + label + "'");
        }
    }

    /** A gauge without a maximum or unit. */
    public static ConsoleGauge of(String label, double value) {
        return new ConsoleGauge(label, value, OptionalDouble.empty(), "");
    }

    /** A gauge drawn as a bar from 0 to {@code max}. */
    public static ConsoleGauge of(String label, double value, double max) {
        return new ConsoleGauge(label, value, OptionalDouble.of(max), "");
    }

    /** The same gauge with a unit, e.g. {@code ms}. */
    public ConsoleGauge withUnit(String value) {
        return new ConsoleGauge(label, this.value, max, value);
    }
}
