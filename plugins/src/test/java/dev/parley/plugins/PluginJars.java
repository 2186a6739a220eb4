package dev.parley.plugins;

import com.example.pricing.Pricing;
import dev.parley.contract.Contract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds real plugin jars at test time: the plugin and two incompatible versions of its library
 * are compiled once per JVM with javax.tools, and jars vary by manifest and by a
 * {@code plugin.properties} the plugin reads (its label, and whether init or health check fail).
 */
final class PluginJars {

    /** Which library version the plugin bundles, and how. */
    enum Library {
        /** Library 1 ({@code describe()}), as a nested jar under {@code lib/}. */
        V1_NESTED,
        /** Library 2 ({@code describe(String)}, plus a helper class), flattened into the plugin jar. */
        V2_FLAT
    }

    private static final String LIB_V1 = """
            package com.example.lib;
            public final class Greeting {
                private Greeting() {}
                public static String describe() { return "lib-1"; }
            }
            """;
    private static final String LIB_V2 = """
            package com.example.lib;
            public final class Greeting {
                private Greeting() {}
                public static String describe(String who) { return "lib-2 for " + who + Helper.suffix(); }
            }
            """;
    private static final String LIB_V2_HELPER = """
            package com.example.lib;
            final class Helper {
                private Helper() {}
                static String suffix() { return "!"; }
            }
            """;
    private static final String PLUGIN = """
            package com.example.pricing.impl;

            import com.example.pricing.Gate;
            import com.example.pricing.Pricing;
            import dev.parley.plugins.PluginLifecycle;
            import java.io.InputStream;
            import java.util.Properties;

            public final class PricingPlugin implements Pricing, PluginLifecycle {
                private final Properties settings = new Properties();

                public PricingPlugin() throws Exception {
                    try (InputStream in = PricingPlugin.class.getResourceAsStream("/plugin.properties")) {
                        if (in != null) {
                            settings.load(in);
                        }
                    }
                }

                @Override
                public void init() throws Exception {
                    switch (settings.getProperty("init", "ok")) {
                        case "fail" -> throw new IllegalStateException("cannot reach the price list");
                        case "hang" -> Thread.sleep(60_000);
                        default -> { }
                    }
                }

                @Override
                public boolean healthy() {
                    return !"fail".equals(settings.getProperty("health"));
                }

                @Override
                public Quote quote(QuoteRequest request) {
                    return new Quote(request.item(), settings.getProperty("label", "?"), LIBRARY_CALL);
                }

                @Override
                public Quote slowQuote(QuoteRequest request) {
                    try {
                        Gate.pass();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return quote(request);
                }

                @Override
                public Quote explode(QuoteRequest request) {
                    throw new StackOverflowError("the plugin blew up");
                }
            }
            """;
    static final String ENTRY_POINT = "com.example.pricing.impl.PricingPlugin";

    private static Path compiled;
    private static Map<Library, Path> pluginClasses;
    private static Map<Library, Path> libraryClasses;

    private PluginJars() {}

    private static synchronized void compileOnce() {
        if (compiled != null) {
            return;
        }
        try {
            compiled = Files.createTempDirectory("parley-plugin-sources");
            Path lib1 = compile("lib1", Map.of("com/example/lib/Greeting.java", LIB_V1), List.of());
            Path lib2 = compile("lib2", Map.of("com/example/lib/Greeting.java", LIB_V2, "com/example/lib/Helper.java", LIB_V2_HELPER),
                    List.of());
            Path plugin1 = compile("plugin1", Map.of("com/example/pricing/impl/PricingPlugin.java",
                    PLUGIN.replace("LIBRARY_CALL", "com.example.lib.Greeting.describe()")), List.of(lib1));
            Path plugin2 = compile("plugin2", Map.of("com/example/pricing/impl/PricingPlugin.java",
                    PLUGIN.replace("LIBRARY_CALL", "com.example.lib.Greeting.describe(\"pricing\")")), List.of(lib2));
            pluginClasses = Map.of(Library.V1_NESTED, plugin1, Library.V2_FLAT, plugin2);
            libraryClasses = Map.of(Library.V1_NESTED, lib1, Library.V2_FLAT, lib2);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path compile(String name, Map<String, String> sources, List<Path> firstOnClassPath) throws IOException {
        Path src = compiled.resolve(name + "-src");
        Path out = compiled.resolve(name);
        Files.createDirectories(out);
        List<String> files = new ArrayList<>();
        for (var e : sources.entrySet()) {
            Path f = src.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            files.add(f.toString());
        }
        List<String> classPath = new ArrayList<>();
        firstOnClassPath.forEach(p -> classPath.add(p.toString()));
        for (Class<?> c : List.of(Pricing.class, PluginLifecycle.class, Contract.class)) {
            classPath.add(location(c).toString());
        }
        List<String> args = new ArrayList<>(List.of("--release", "21", "-nowarn", "-proc:none", "-d", out.toString(),
                "-cp", String.join(java.io.File.pathSeparator, classPath)));
        args.addAll(files);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, errors, errors, args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("compiling " + name + " failed:\n" + errors.toString(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A plugin jar's description; {@link #bytes()} builds it. */
    record Spec(String contract, String contractVersion, String version, String entryPoint, Library library,
                Map<String, String> settings) {

        Spec label(String label) {
            Map<String, String> s = new HashMap<>(settings);
            s.put("label", label);
            return new Spec(contract, contractVersion, version, entryPoint, library, s);
        }

        Spec setting(String key, String value) {
            Map<String, String> s = new HashMap<>(settings);
            s.put(key, value);
            return new Spec(contract, contractVersion, version, entryPoint, library, s);
        }

        Spec contractVersion(String value) {
            return new Spec(contract, value, version, entryPoint, library, settings);
        }

        Spec contract(String value) {
            return new Spec(value, contractVersion, version, entryPoint, library, settings);
        }

        Spec entryPoint(String value) {
            return new Spec(contract, contractVersion, version, value, library, settings);
        }

        Spec library(Library value) {
            return new Spec(contract, contractVersion, version, entryPoint, value, settings);
        }

        String fileName() {
            return "pricing-" + version + ".jar";
        }

        byte[] bytes() {
            compileOnce();
            try {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                Manifest manifest = new Manifest();
                manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
                manifest.getMainAttributes().putValue(PluginManifest.CONTRACT, contract);
                manifest.getMainAttributes().putValue(PluginManifest.CONTRACT_VERSION, contractVersion);
                manifest.getMainAttributes().putValue(PluginManifest.PLUGIN_VERSION, version);
                manifest.getMainAttributes().putValue(PluginManifest.ENTRY_POINT, entryPoint);
                try (JarOutputStream jar = new JarOutputStream(buffer, manifest)) {
                    addTree(jar, pluginClasses.get(library));
                    if (library == Library.V1_NESTED) {
                        ByteArrayOutputStream nested = new ByteArrayOutputStream();
                        try (JarOutputStream lib = new JarOutputStream(nested)) {
                            addTree(lib, libraryClasses.get(library));
                        }
                        jar.putNextEntry(new JarEntry("lib/greeting-1.jar"));
                        jar.write(nested.toByteArray());
                        jar.closeEntry();
                    } else {
                        addTree(jar, libraryClasses.get(library));
                    }
                    Properties p = new Properties();
                    p.putAll(settings);
                    jar.putNextEntry(new JarEntry("plugin.properties"));
                    p.store(jar, null);
                    jar.closeEntry();
                }
                return buffer.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A valid plugin of the test contract at {@code version}, labelled with the version. */
    static Spec plugin(String version) {
        return new Spec("pricing", "1.2", version, ENTRY_POINT, Library.V1_NESTED, Map.of("label", version));
    }

    private static void addTree(ZipOutputStream jar, Path root) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            jar.putNextEntry(new JarEntry(root.relativize(f).toString().replace('\\', '/')));
            jar.write(Files.readAllBytes(f));
            jar.closeEntry();
        }
    }

    /** Publishes {@code bytes} as {@code name} in a folder repository: written aside, then renamed into place. */
    static Path deploy(Path repository, String name, byte[] bytes) {
        try {
            Files.createDirectories(repository);
            Path temp = repository.resolve("." + name + ".tmp");
            Files.write(temp, bytes);
            return Files.move(temp, repository.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path deploy(Path repository, Spec spec) {
        return deploy(repository, spec.fileName(), spec.bytes());
    }

    /** Writes a sidecar file ({@code .sha256}, {@code .sig}) atomically. */
    static void sidecar(Path repository, String jarName, String suffix, String content) {
        deploy(repository, jarName + suffix, content.getBytes(StandardCharsets.US_ASCII));
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(byte[] bytes, PrivateKey key, String algorithm) {
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(bytes);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair ed25519() {
        try {
            return java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- hostile archives ----

    /** A zip with the given entries (name -> content), in order, with a valid plugin manifest first. */
    static byte[] zip(Map<String, byte[]> entries) {
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(buffer)) {
                for (var e : entries.entrySet()) {
                    zip.putNextEntry(new ZipEntry(e.getKey()));
                    zip.write(e.getValue());
                    zip.closeEntry();
                }
            }
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A zip whose entry {@code name} has the external attributes of a Unix symbolic link to {@code linkTarget}. */
    static byte[] zipWithSymlink(String name, String linkTarget) {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        entries.put(name, linkTarget.getBytes(StandardCharsets.UTF_8));
        byte[] zip = zip(entries);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < zip.length - 4; i++) {
            if (b.getInt(i) == 0x02014b50) {
                b.put(i + 5, (byte) 3);                                  // made by: Unix
                b.putInt(i + 38, (0120777) << 16);                      // external attributes: symlink, rwxrwxrwx
            }
        }
        return zip;
    }

    /** Writes {@code size} zero bytes into an entry, as a stream, for a compact decompression bomb. */
    static byte[] bomb(String name, long size) {
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(buffer)) {
                zip.setLevel(9);
                zip.putNextEntry(new ZipEntry(name));
                byte[] zeros = new byte[1 << 20];
                for (long written = 0; written < size; written += zeros.length) {
                    zip.write(zeros);
                }
                zip.closeEntry();
            }
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
