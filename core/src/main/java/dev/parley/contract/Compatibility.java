package dev.parley.contract;

import dev.parley.contract.CompatibilityReport.Change;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a new release of a contract can replace the previous one without breaking the
 * callers, providers and subscribers that were built against it.
 *
 * <pre>{@code
 * CompatibilityReport report = Compatibility.check(
 *         ContractDescriptor.fromJson(Files.readString(baseline)), ContractDescriptor.of(TripService.class));
 * if (!report.isCompatible()) {
 *     throw new IllegalStateException(report.render());
 * }
 * }</pre>
 *
 * <p>Within one major version the rules are:
 * <ul>
 *   <li>The contract name must stay the same, and the version must not go backwards. Raising the
 *       major version allows anything: the check then reports only that.</li>
 *   <li>Removing a method, changing its interaction style or its event type, or dropping
 *       {@code @Idempotent} (callers retry idempotent methods) is breaking; new methods and new
 *       event types are compatible.</li>
 *   <li>Messages are compared by structure along every path reachable from a method's request and
 *       response, through nested messages and inside {@code list<>}, {@code set<>}, {@code map<>}
 *       and {@code optional<>}. Type names do not travel on the wire, so renaming a record is
 *       compatible. Removing or renaming a field, changing its type, adding a required field and
 *       making an optional field required are breaking; adding an optional field and making a
 *       required field optional are compatible. Removing an enum constant is breaking, adding one
 *       is compatible (the tolerant reader maps unknown constants to the default).</li>
 *   <li>A release that changed compatibly without raising its minor version gets a compatible
 *       note saying so.</li>
 * </ul>
 */
public final class Compatibility {

    private static final List<String> CONTAINERS = List.of("list", "set", "map", "optional");

    private final ContractDescriptor previous;
    private final ContractDescriptor current;
    private final String olderParties;
    private final List<Change> changes = new ArrayList<>();
    private final Set<List<String>> comparedMessages = new HashSet<>();

    private Compatibility(ContractDescriptor previous, ContractDescriptor current) {
        this.previous = previous;
        this.current = current;
        this.olderParties = "parties built against " + previous.version();
    }

    /**
     * Compares the release being built ({@code current}) with the previous release of the same
     * contract ({@code previous}, typically read from a baseline descriptor file).
     */
    public static CompatibilityReport check(ContractDescriptor previous, ContractDescriptor current) {
        Objects.requireNonNull(previous, "previous contract descriptor");
        Objects.requireNonNull(current, "current contract descriptor");
        return new Compatibility(previous, current).run();
    }

    private CompatibilityReport run() {
        Version before = previous.version();
        Version after = current.version();
        if (!previous.name().equals(current.name())) {
            breaking("contract", "name changed from '" + previous.name() + "' to '" + current.name()
                    + "'; callers address a contract by its name, so this is a different contract");
            return report();
        }
        if (after.major() > before.major()) {
            compatible("contract", "major version raised from " + before.major() + " to " + after.major()
                    + "; breaking changes are allowed");
            return report();
        }
        if (after.compareTo(before) < 0) {
            breaking("contract", "version went backwards from " + before + " to " + after
                    + "; a new release needs a version at least as high as the previous one");
            if (after.major() < before.major()) {
                return report(); // releases of different major versions are not comparable field by field
            }
        }
        compareMethods();
        if (!changes.isEmpty() && changes.stream().noneMatch(Change::isBreaking) && after.minor() <= before.minor()) {
            compatible("contract", "changed compatibly but the version is still " + after
                    + "; raise the minor version to " + before.major() + "." + (before.minor() + 1)
                    + " so that the two releases can be told apart");
        }
        return report();
    }

    private CompatibilityReport report() {
        return CompatibilityReport.of(current.name(), previous.version(), current.version(), changes);
    }

    private void breaking(String path, String description) {
        changes.add(Change.breaking(path, description));
    }

    private void compatible(String path, String description) {
        changes.add(Change.compatible(path, description));
    }

    // ---- methods --------------------------------------------------------------------------------

    private void compareMethods() {
        for (MethodDescriptor before : previous.methods()) {
            String path = "method " + before.name();
            Optional<MethodDescriptor> after = current.method(before.name());
            if (after.isEmpty()) {
                breaking(path, "removed; " + olderParties + " still " + (before.style() == InteractionStyle.PUBLISH_SUBSCRIBE
                        ? "publish or subscribe to its event type " + before.eventType().orElse(before.name())
                        : "call it"));
            } else {
                compareMethod(path, before, after.get());
            }
        }
        for (MethodDescriptor after : current.methods()) {
            if (previous.method(after.name()).isEmpty()) {
                String path = "method " + after.name();
                if (after.style() == InteractionStyle.PUBLISH_SUBSCRIBE) {
                    compatible(path, "new event type " + after.eventType().orElse(after.name())
                            + "; " + olderParties + " neither publish nor subscribe to it");
                } else {
                    compatible(path, "new " + after.style() + " method; " + olderParties + " do not call it");
                }
            }
        }
    }

    private void compareMethod(String path, MethodDescriptor before, MethodDescriptor after) {
        if (before.style() != after.style()) {
            breaking(path, "interaction style changed from " + before.style() + " to " + after.style()
                    + "; " + olderParties + " still use " + before.style());
            return;
        }
        if (before.idempotent() && !after.idempotent()) {
            breaking(path, "no longer @Idempotent; " + olderParties
                    + " retry it after transport failures, which may now apply it twice");
        } else if (!before.idempotent() && after.idempotent()) {
            compatible(path, "now @Idempotent; " + olderParties + " do not retry it, which stays safe");
        }
        if (!before.eventType().equals(after.eventType())) {
            breaking(path, "event type changed from " + before.eventType().orElse("(none)") + " to "
                    + after.eventType().orElse("(none)") + "; " + olderParties + " publish and subscribe under the old type");
        }
        if (!before.deadline().equals(after.deadline())) {
            compatible(path, "default deadline changed from " + before.deadline().map(Object::toString).orElse("the contract's")
                    + " to " + after.deadline().map(Object::toString).orElse("the contract's"));
        }
        compareMessageRef(path, "request", before.request(), after.request());
        compareMessageRef(path, "response", before.response(), after.response());
    }

    private void compareMessageRef(String path, String role, Optional<String> before, Optional<String> after) {
        if (before.isPresent() && after.isPresent()) {
            if (!sameShape(before.get(), after.get())) {
                breaking(path, role + " message changed from " + before.get() + " to " + after.get()
                        + ", which differ in kind (record or enum)");
            }
        } else if (before.isPresent()) {
            breaking(path, "no longer has a " + role + " message (was " + before.get() + "); " + olderParties
                    + (role.equals("request") ? " still send one" : " expect one"));
        } else if (after.isPresent()) {
            if (role.equals("request")) {
                breaking(path, "now takes a request message " + after.get() + "; " + olderParties + " send none");
            } else {
                compatible(path, "now replies with a " + after.get() + " message; " + olderParties + " ignore the reply body");
            }
        }
    }

    // ---- messages -------------------------------------------------------------------------------

    /**
     * Whether two wire types have the same shape. Differences inside nested messages are reported
     * at the nested message's own path, so a field holding a changed message still "has the same
     * shape": the field itself did not change.
     */
    private boolean sameShape(String before, String after) {
        Optional<String[]> containerBefore = container(before);
        Optional<String[]> containerAfter = container(after);
        if (containerBefore.isPresent() || containerAfter.isPresent()) {
            return containerBefore.isPresent() && containerAfter.isPresent()
                    && containerBefore.get()[0].equals(containerAfter.get()[0])
                    && sameShape(containerBefore.get()[1], containerAfter.get()[1]);
        }
        Optional<MessageDescriptor> messageBefore = previous.message(before);
        Optional<MessageDescriptor> messageAfter = current.message(after);
        if (messageBefore.isPresent() && messageAfter.isPresent()) {
            if (messageBefore.get().isEnum() != messageAfter.get().isEnum()) {
                return false;
            }
            compareMessages(messageBefore.get(), messageAfter.get());
            return true;
        }
        return messageBefore.isEmpty() && messageAfter.isEmpty() && before.equals(after);
    }

    /** {@code list<TripView>} as {@code ["list", "TripView"]}; empty for a scalar or a message name. */
    private static Optional<String[]> container(String type) {
        int open = type.indexOf('<');
        if (open > 0 && type.endsWith(">") && CONTAINERS.contains(type.substring(0, open))) {
            return Optional.of(new String[] {type.substring(0, open), type.substring(open + 1, type.length() - 1)});
        }
        return Optional.empty();
    }

    private void compareMessages(MessageDescriptor before, MessageDescriptor after) {
        if (!comparedMessages.add(List.of(before.name(), after.name()))) {
            return; // already compared along another path, or a recursive message
        }
        String path = "message " + after.name() + (before.name().equals(after.name()) ? "" : " (was " + before.name() + ")");
        if (!before.name().equals(after.name())) {
            compatible(path, "renamed from " + before.name() + " to " + after.name()
                    + "; type names do not travel on the wire, only the fields count");
        }
        if (before.isEnum()) {
            compareEnums(path, before, after);
        } else {
            compareFields(path, before, after);
        }
    }

    private void compareEnums(String path, MessageDescriptor before, MessageDescriptor after) {
        for (String constant : before.values()) {
            if (!after.values().contains(constant)) {
                breaking(path + " constant " + constant, "removed; " + olderParties
                        + " still send it, and readers of this release map it to the default");
            }
        }
        for (String constant : after.values()) {
            if (!before.values().contains(constant)) {
                compatible(path + " constant " + constant, "added; " + olderParties
                        + " map it to the default, as the tolerant reader does with unknown constants");
            }
        }
    }

    private void compareFields(String path, MessageDescriptor before, MessageDescriptor after) {
        List<FieldDescriptor> removed = new ArrayList<>();
        List<FieldDescriptor> added = new ArrayList<>();
        for (FieldDescriptor field : before.fields()) {
            Optional<FieldDescriptor> now = after.field(field.name());
            if (now.isEmpty()) {
                removed.add(field);
            } else {
                compareField(path + " field " + field.name(), field, now.get());
            }
        }
        for (FieldDescriptor field : after.fields()) {
            if (before.field(field.name()).isEmpty()) {
                added.add(field);
            }
        }
        // One field gone and one of the same type added looks like a rename; say so, it is still breaking.
        boolean renamed = removed.size() == 1 && added.size() == 1 && removed.get(0).type().equals(added.get(0).type());
        for (FieldDescriptor field : removed) {
            if (renamed) {
                breaking(path + " field " + field.name(), "renamed to " + added.get(0).name()
                        + ", which on the wire is a removal plus an addition; " + olderParties + " still send and expect "
                        + field.name());
            } else {
                breaking(path + " field " + field.name(), "removed; " + olderParties + " still send and expect it");
            }
        }
        for (FieldDescriptor field : added) {
            if (field.required()) {
                breaking(path + " field " + field.name(), "new required field of type " + field.type()
                        + " without a default; messages from " + olderParties
                        + " lack it (give it a @Default, make it Optional or @Nullable)");
            } else {
                compatible(path + " field " + field.name(), "new optional field of type " + field.type()
                        + "; " + olderParties + " leave it out and ignore it");
            }
        }
    }

    private void compareField(String path, FieldDescriptor before, FieldDescriptor after) {
        if (!sameShape(before.type(), after.type())) {
            breaking(path, "type changed from " + before.type() + " to " + after.type()
                    + (before.type().equals(after.type()) ? " (same name, but one is a record and the other an enum)" : "")
                    + "; " + olderParties + " still send and expect " + before.type());
        }
        if (!before.required() && after.required()) {
            breaking(path, "now required; " + olderParties + " may leave it out");
        } else if (before.required() && !after.required()) {
            compatible(path, "no longer required" + after.defaultValue().map(d -> " (defaults to " + d + ")").orElse(""));
        } else if (!before.defaultValue().equals(after.defaultValue())) {
            compatible(path, "default changed from " + before.defaultValue().orElse("(none)") + " to "
                    + after.defaultValue().orElse("(none)") + "; messages that leave it out now read the new default");
        }
    }
}
