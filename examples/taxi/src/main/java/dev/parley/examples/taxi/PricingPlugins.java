package dev.parley.examples.taxi;

import dev.parley.contract.ContractDescriptor;
import dev.parley.examples.taxi.Contracts.Pricing;
import dev.parley.examples.taxi.pricing.DistanceFare;
import dev.parley.examples.taxi.pricing.PeakFare;
import dev.parley.plugins.PluginManifest;
import dev.parley.plugins.PluginVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Builds the pricing plugin jars from the plugin classes compiled with the showcase: each jar
 * holds one entry-point class and the manifest {@code PluginTransport} checks
 * ({@code Parley-Contract}, {@code Parley-Contract-Version}, {@code Parley-Plugin-Version},
 * {@code Parley-Entry-Point}). Jars are published atomically: written under a hidden name,
 * then renamed into place, so the watcher never sees half a jar.
 */
final class PricingPlugins {

    /** A version of the plugin and the class it is made of. */
    enum Release {
        V1("1.0.0", DistanceFare.class),
        V2("2.0.0", PeakFare.class);

        final String version;
        final Class<? extends Pricing> entryPoint;

        Release(String version, Class<? extends Pricing> entryPoint) {
            this.version = version;
            this.entryPoint = entryPoint;
        }

        String fileName() {
            return "pricing-" + version + ".jar";
        }
    }

    private PricingPlugins() {}

    /** Puts version 1 into {@code pluginsDir} unless some pricing plugin is there already. */
    static void installFirstVersion(Path pluginsDir) {
        try {
            Files.createDirectories(pluginsDir);
            try (Stream<Path> files = Files.list(pluginsDir)) {
                if (files.anyMatch(f -> f.getFileName().toString().matches("pricing-.*\\.jar"))) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("plugins folder " + pluginsDir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        publish(Release.V1, pluginsDir);
    }

    /** Writes {@code release}'s jar into {@code dir} (atomically) and returns its path. */
    static Path publish(Release release, Path dir) {
        ContractDescriptor contract = ContractDescriptor.of(Pricing.class);
        PluginManifest manifest = new PluginManifest(contract.name(), contract.version(), PluginVersion.parse(release.version),
                release.entryPoint.getName());
        Path target = dir.resolve(release.fileName());
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + release.fileName() + ".tmp");
            try (OutputStream file = Files.newOutputStream(tmp); JarOutputStream jar = new JarOutputStream(file, manifest.toManifest())) {
                String entry = release.entryPoint.getName().replace('.', '/') + ".class";
                jar.putNextEntry(new JarEntry(entry));
                try (InputStream in = release.entryPoint.getClassLoader().getResourceAsStream(entry)) {
                    if (in == null) {
                        throw new IllegalStateException(entry + " is not on the class path; the plugin cannot be built");
                    }
                    in.transferTo(jar);
                }
                jar.closeEntry();
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + target.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }
}
