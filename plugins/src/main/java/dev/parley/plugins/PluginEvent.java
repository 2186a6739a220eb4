package dev.parley.plugins;

import java.time.Duration;
import java.util.Optional;

/**
 * What happened to a contract's plugins, reported to the listener of {@link PluginTransport}
 * on its worker thread (keep listeners quick) and written to the log as well.
 */
public sealed interface PluginEvent {

    /** The contract's name. */
    String contract();

    /**
     * A version passed every check and now takes every new call.
     *
     * @param loadTime from the start of the fetch to the switch
     */
    record Activated(String contract, PluginVersion version, Optional<PluginVersion> previous, Duration loadTime) implements PluginEvent {}

    /** A version was refused; the current version, if any, keeps serving. */
    record Rejected(String contract, String artifact, Optional<PluginVersion> version, RejectionReason reason, String message)
            implements PluginEvent {}

    /** A replaced version finished its in-flight calls (or its drain time ran out) and its class loader was closed. */
    record Unloaded(String contract, PluginVersion version) implements PluginEvent {}

    /** Listing the repository failed (reported once until it succeeds again). */
    record RepositoryUnreachable(String contract, String repository, String error) implements PluginEvent {}

    /** The repository answered again after {@link RepositoryUnreachable}. */
    record RepositoryReachable(String contract, String repository) implements PluginEvent {}

    /** The repository was not reached within the deployment window: calls fail fast until it is. */
    record DeploymentWindowPassed(String contract, String repository, Duration window) implements PluginEvent {}
}
