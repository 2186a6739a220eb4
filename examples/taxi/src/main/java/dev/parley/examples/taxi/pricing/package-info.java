/**
 * The pricing plugin's two versions. They are compiled with the showcase but never called
 * from its class path: {@code PricingPlugins} packs each class into a plugin jar, and
 * {@code PluginTransport} loads it from the watched folder into its own class loader.
 */
package dev.parley.examples.taxi.pricing;
