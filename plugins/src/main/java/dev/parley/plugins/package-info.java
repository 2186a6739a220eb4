/**
 * Runtime plugins: a contract's implementation deployed as a jar to a shared repository (a
 * folder or an HTTP directory), loaded by the consumer into its own class loader, verified,
 * hot-swapped when a new version appears, and called through Parley's client pipeline like any
 * remote service. Start with {@link dev.parley.plugins.PluginTransport}; docs/plugins.md has the
 * jar format and the repository layouts.
 */
@NullMarked
package dev.parley.plugins;

import org.jspecify.annotations.NullMarked;
