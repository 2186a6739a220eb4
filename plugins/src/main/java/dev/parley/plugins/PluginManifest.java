package dev.parley.plugins;

import dev.parley.contract.Version;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

/**
 * What a plugin jar says about itself, in the main section of its {@code META-INF/MANIFEST.MF}:
 *
 * <pre>
 * Parley-Contract: pricing              the contract's name (@Contract(name))
 * Parley-Contract-Version: 1.3          the contract version it was built against
 * Parley-Plugin-Version: 2.0.1          this implementation's version
 * Parley-Entry-Point: com.acme.pricing.PricingPlugin
 * </pre>
 *
 * <p>The entry point is a public class with a public no-argument constructor that implements
 * the contract, and optionally {@link PluginLifecycle}.
 *
 * @param contract        the contract's name
 * @param contractVersion the contract version the plugin implements; its major version must be the consumer's
 * @param version         the implementation's version
 * @param entryPoint      the fully qualified name of the implementing class
 */
public record PluginManifest(String contract, Version contractVersion, PluginVersion version, String entryPoint) {

    public static final String CONTRACT = "Parley-Contract";
    public static final String CONTRACT_VERSION = "Parley-Contract-Version";
    public static final String PLUGIN_VERSION = "Parley-Plugin-Version";
    public static final String ENTRY_POINT = "Parley-Entry-Point";

    public PluginManifest {
        if (!entryPoint.matches("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*")) {
            throw new IllegalArgumentException(ENTRY_POINT + ": '" + PluginVersion.abbreviate(entryPoint)
                    + "' (expected: a fully qualified class name)");
        }
    }

    /**
     * Reads the Parley attributes of a jar manifest.
     *
     * @throws IllegalArgumentException naming the attribute that is missing or malformed
     */
    public static PluginManifest read(Manifest manifest) {
        Attributes main = manifest.getMainAttributes();
        return new PluginManifest(require(main, CONTRACT), Version.parse(require(main, CONTRACT_VERSION)),
                PluginVersion.parse(require(main, PLUGIN_VERSION)), require(main, ENTRY_POINT));
    }

    /** This manifest as jar manifest attributes (with {@code Manifest-Version}), e.g. for a build that packages a plugin. */
    public Manifest toManifest() {
        Manifest m = new Manifest();
        Attributes main = m.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue(CONTRACT, contract);
        main.putValue(CONTRACT_VERSION, contractVersion.toString());
        main.putValue(PLUGIN_VERSION, version.text());
        main.putValue(ENTRY_POINT, entryPoint);
        return m;
    }

    private static String require(Attributes main, String name) {
        String value = main.getValue(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("manifest attribute " + name + " is missing (expected: " + switch (name) {
                case CONTRACT -> "the contract's name, e.g. pricing";
                case CONTRACT_VERSION -> "the contract version, e.g. 1.3";
                case PLUGIN_VERSION -> "the implementation version, e.g. 2.0.1";
                default -> "the implementing class, e.g. com.acme.PricingPlugin";
            } + ")");
        }
        return value.trim();
    }
}
