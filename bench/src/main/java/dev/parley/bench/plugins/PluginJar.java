package dev.parley.bench.plugins;

import dev.parley.contract.Version;
import dev.parley.plugins.PluginManifest;
import dev.parley.plugins.PluginVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Builds {@link EchoPlugin} jars and publishes them to a folder repository the way a provider should (write aside, rename). */
final class PluginJar {

    private PluginJar() {}

    /** A plugin jar of the {@code echo} contract at {@code version}, labelled {@code version}. */
    static byte[] echo(String version) {
        PluginManifest manifest = new PluginManifest("echo", Version.parse("1.0"), PluginVersion.parse(version), EchoPlugin.class.getName());
        String classFile = EchoPlugin.class.getName().replace('.', '/') + ".class";
        try (InputStream in = EchoPlugin.class.getClassLoader().getResourceAsStream(classFile)) {
            if (in == null) {
                throw new IllegalStateException(classFile + " is not on the class path");
            }
            byte[] bytes = in.readAllBytes();
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            try (JarOutputStream jar = new JarOutputStream(buffer, manifest.toManifest())) {
                jar.putNextEntry(new JarEntry(classFile));
                jar.write(bytes);
                jar.closeEntry();
                jar.putNextEntry(new JarEntry("plugin.properties"));
                jar.write(("label=" + version + "\n").getBytes(StandardCharsets.ISO_8859_1));
                jar.closeEntry();
            }
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes {@code echo-<version>.jar}; returns once the complete file is in place. */
    static Path publish(Path repository, String version) {
        byte[] jar = echo(version);
        try {
            Files.createDirectories(repository);
            Path temp = repository.resolve(".echo-" + version + ".jar.tmp");
            Files.write(temp, jar);
            return Files.move(temp, repository.resolve("echo-" + version + ".jar"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
