package dev.parley.contract;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Compatibility#check} found when it compared a contract with its previous release:
 * every difference as a {@link Change}, each either {@link Kind#BREAKING} (a caller, provider or
 * subscriber built against the previous release would misbehave) or {@link Kind#COMPATIBLE}
 * (worth knowing, harmless on the wire).
 *
 * <p>{@link #render()} (also {@link #toString()}) prints the report the way the Maven plugin and
 * the {@code parley compat} command show it, breaking changes first:
 *
 * <pre>
 * Contract trips 1.0 -&gt; 1.1: 1 breaking change, 1 compatible change
 *   BREAKING    message TripView field fare: type changed from int64 to decimal; ...
 *   COMPATIBLE  method rate: new REQUEST_RESPONSE method; ...
 * </pre>
 *
 * @param contract        the name of the contract that was checked (the current one's)
 * @param previousVersion the version of the previous release
 * @param currentVersion  the version of the release being checked
 * @param changes         the differences, in the order they were found
 */
public record CompatibilityReport(String contract, Version previousVersion, Version currentVersion, List<Change> changes) {

    /** Whether a change can break a party built against the previous release. */
    public enum Kind {
        /** A party built against the previous release would fail or misread messages. */
        BREAKING,
        /** A difference that older parties tolerate; reported so that nothing changes unnoticed. */
        COMPATIBLE
    }

    /**
     * One difference between two releases of a contract.
     *
     * @param kind        breaking or compatible
     * @param path        where the difference is, e.g. {@code contract}, {@code method create},
     *                    {@code message TripView field fare} or {@code message TripStatus constant DONE}
     * @param description a sentence saying what changed and what it means for older parties
     */
    public record Change(Kind kind, String path, String description) {

        public Change {
            Objects.requireNonNull(kind, "change kind");
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("change path: '" + path + "' (expected: where the change is, e.g. 'method create')");
            }
            if (description == null || description.isBlank()) {
                throw new IllegalArgumentException("change description for " + path + ": '" + description + "' (expected: a sentence)");
            }
        }

        /** A change that breaks parties built against the previous release. */
        public static Change breaking(String path, String description) {
            return new Change(Kind.BREAKING, path, description);
        }

        /** A change that parties built against the previous release tolerate. */
        public static Change compatible(String path, String description) {
            return new Change(Kind.COMPATIBLE, path, description);
        }

        /** Whether this change is {@link Kind#BREAKING}. */
        public boolean isBreaking() {
            return kind == Kind.BREAKING;
        }

        /** {@code BREAKING    method cancel: removed; ...}, one line. */
        @Override
        public String toString() {
            return String.format("%-11s %s: %s", kind, path, description);
        }
    }

    public CompatibilityReport {
        if (contract == null || contract.isBlank()) {
            throw new IllegalArgumentException("compatibility report: contract name '" + contract + "' (expected: a non-blank name)");
        }
        Objects.requireNonNull(previousVersion, "previous version");
        Objects.requireNonNull(currentVersion, "current version");
        changes = List.copyOf(changes);
    }

    /** A report of the given changes; {@link Compatibility#check} is the usual way to get one. */
    public static CompatibilityReport of(String contract, Version previousVersion, Version currentVersion, List<Change> changes) {
        return new CompatibilityReport(contract, previousVersion, currentVersion, changes);
    }

    /** True when no change is breaking: the current release can replace the previous one. */
    public boolean isCompatible() {
        return changes.stream().noneMatch(Change::isBreaking);
    }

    /** The breaking changes, in the order they were found; empty when {@link #isCompatible()}. */
    public List<Change> breakingChanges() {
        return changes.stream().filter(Change::isBreaking).toList();
    }

    /** The compatible changes and notes, in the order they were found. */
    public List<Change> compatibleChanges() {
        return changes.stream().filter(c -> !c.isBreaking()).toList();
    }

    /** True when the two releases do not differ at all. */
    public boolean isUnchanged() {
        return changes.isEmpty();
    }

    /**
     * The report as text: a header line with the versions and the counts, then one indented line
     * per change, breaking changes first. Ends without a line break.
     */
    public String render() {
        StringBuilder out = new StringBuilder("Contract ").append(contract).append(' ')
                .append(previousVersion).append(" -> ").append(currentVersion).append(": ");
        List<Change> breaking = breakingChanges();
        List<Change> compatible = compatibleChanges();
        if (changes.isEmpty()) {
            return out.append("no changes").toString();
        }
        out.append(count(breaking.size(), "breaking change")).append(", ").append(count(compatible.size(), "compatible change"));
        for (Change c : breaking) {
            out.append(System.lineSeparator()).append("  ").append(c);
        }
        for (Change c : compatible) {
            out.append(System.lineSeparator()).append("  ").append(c);
        }
        return out.toString();
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    @Override
    public String toString() {
        return render();
    }
}
