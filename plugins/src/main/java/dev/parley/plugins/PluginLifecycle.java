package dev.parley.plugins;

/**
 * Optional hooks for a plugin's entry point. The consumer calls {@link #init()} and then
 * {@link #healthy()} on a fresh thread (with the plugin's class loader as context class
 * loader) before any call reaches the new version; a version whose init throws, whose health
 * check says no, or which does not finish within the configured time is rejected and the
 * current version keeps serving. {@link #close()} runs after the last in-flight call on a
 * replaced version finished, before its class loader is closed: stop threads and release
 * resources here, or the class loader cannot be collected.
 */
public interface PluginLifecycle {

    /** Prepares the plugin (reads configuration, opens pools). Throwing rejects the version. */
    default void init() throws Exception {}

    /** Whether the plugin can take calls; false or throwing rejects the version. */
    default boolean healthy() throws Exception {
        return true;
    }

    /** Releases what {@link #init()} acquired; a failure here is logged. */
    default void close() throws Exception {}
}
