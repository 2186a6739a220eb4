package dev.parley.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.pricing.Pricing;
import com.example.pricing.Pricing.QuoteRequest;
import dev.parley.Parley;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile archives are refused without writing outside the plugin cache; the current version keeps serving. */
class ArchiveSecurityTest {

    @TempDir
    Path dir;

    private Path repo;
    private Path cache;
    private final RecordingListener events = new RecordingListener();
    private PluginTransport transport;
    private Parley parley;
    private Pricing pricing;

    @BeforeEach
    void start() {
        repo = dir.resolve("sandbox/repo");
        cache = dir.resolve("sandbox/cache");
        PluginJars.deploy(repo, PluginJars.plugin("1.0.0"));
    }

    private void open(ArchiveLimits limits) {
        transport = PluginTransport.builder(Pricing.class).repository(PluginRepository.folder(repo)).cacheDirectory(cache)
                .pollInterval(Duration.ofHours(1)).deploymentWindow(Duration.ofHours(2)).archiveLimits(limits).listener(events).build();
        parley = Parley.builder().service("shop").transport(transport).build();
        pricing = parley.client(Pricing.class);
        assertThat(pricedBy()).isEqualTo("1.0.0");
    }

    @AfterEach
    void close() {
        if (parley != null) {
            parley.close();
        }
        if (transport != null) {
            transport.close();
        }
    }

    private String pricedBy() {
        return pricing.quote(new QuoteRequest("x")).pricedBy();
    }

    /** Deploys {@code jar} as version {@code version}, refreshes, and returns the rejection. */
    private PluginEvent.Rejected reject(String version, byte[] jar) {
        String name = "pricing-" + version + ".jar";
        PluginJars.deploy(repo, name, jar);
        transport.refresh();
        PluginEvent.Rejected rejected = events.awaitRejected(name);
        assertThat(pricedBy()).isEqualTo("1.0.0");
        assertThat(onlyTheActiveVersionIsCached()).isTrue();
        return rejected;
    }

    private boolean onlyTheActiveVersionIsCached() {
        try (Stream<Path> versions = Files.list(cache.resolve("pricing"))) {
            return versions.map(p -> p.getFileName().toString()).allMatch(n -> n.startsWith("1.0.0-"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<Path> filesOutsideRepoAndCache() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).filter(p -> !p.startsWith(repo) && !p.startsWith(cache)).toList();
        }
    }

    private static Map<String, byte[]> entries(String... nameAndContent) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndContent.length; i += 2) {
            m.put(nameAndContent[i], nameAndContent[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return m;
    }

    @Test
    void pathTraversalEntriesAreRefused() throws IOException {
        open(ArchiveLimits.ofDefaults());

        PluginEvent.Rejected dotDot = reject("1.1.0", PluginJars.zip(entries("ok.txt", "fine", "../../../escaped.txt", "pwned")));
        assertThat(dotDot.reason()).isEqualTo(RejectionReason.UNSAFE_ARCHIVE);
        assertThat(dotDot.message()).contains("../../../escaped.txt");

        Path absolute = dir.resolve("absolute-escape.txt");
        assertThat(reject("1.2.0", PluginJars.zip(entries(absolute.toString(), "pwned"))).reason())
                .isEqualTo(RejectionReason.UNSAFE_ARCHIVE);
        assertThat(reject("1.3.0", PluginJars.zip(entries("a\\..\\..\\escaped.txt", "pwned"))).reason())
                .isEqualTo(RejectionReason.UNSAFE_ARCHIVE);

        assertThat(filesOutsideRepoAndCache()).isEmpty();
        assertThat(absolute).doesNotExist();
    }

    @Test
    void symbolicLinksAreRefused() throws IOException {
        open(ArchiveLimits.ofDefaults());

        PluginEvent.Rejected link = reject("1.1.0", PluginJars.zipWithSymlink("META-INF/MANIFEST.MF", "/etc/passwd"));

        assertThat(link.reason()).isEqualTo(RejectionReason.UNSAFE_ARCHIVE);
        assertThat(link.message()).contains("symbolic link");
        assertThat(filesOutsideRepoAndCache()).isEmpty();
    }

    @Test
    void decompressionBombsAreStoppedWhileInflating() {
        open(ArchiveLimits.ofDefaults());

        PluginEvent.Rejected bomb = reject("1.1.0", PluginJars.bomb("zeros.bin", 64L << 20));

        assertThat(bomb.reason()).isEqualTo(RejectionReason.UNSAFE_ARCHIVE);
        assertThat(bomb.message()).contains("decompression bomb");
    }

    @Test
    void archivesOverTheSizeAndEntryLimitsAreRefused() {
        open(new ArchiveLimits(1 << 20, 40, 512 * 1024, 200));

        byte[] random = new byte[600 * 1024];
        new Random(1).nextBytes(random);
        Map<String, byte[]> big = new LinkedHashMap<>();
        big.put("noise.bin", random);
        PluginEvent.Rejected tooMuch = reject("1.1.0", PluginJars.zip(big));
        assertThat(tooMuch.message()).contains("maxExtractedBytes");

        Map<String, byte[]> many = new LinkedHashMap<>();
        for (int i = 0; i < 41; i++) {
            many.put("f" + i, new byte[1]);
        }
        assertThat(reject("1.2.0", PluginJars.zip(many)).message()).contains("maxEntries");

        byte[] huge = new byte[2 << 20];
        new Random(2).nextBytes(huge);
        Map<String, byte[]> download = new LinkedHashMap<>();
        download.put("noise.bin", huge);
        PluginEvent.Rejected fetch = reject("1.3.0", PluginJars.zip(download));
        assertThat(fetch.reason()).isEqualTo(RejectionReason.FETCH_FAILED);
        assertThat(fetch.message()).contains("maxArchiveBytes");
    }

    @Test
    void duplicateEntriesAndCorruptArchivesAreRefused() {
        open(ArchiveLimits.ofDefaults());

        byte[] twice = PluginJars.zip(entries("a.txt", "one", "b.txt", "two"));
        String text = new String(twice, StandardCharsets.ISO_8859_1).replace("b.txt", "a.txt");
        PluginEvent.Rejected duplicate = reject("1.1.0", text.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(duplicate.reason()).isEqualTo(RejectionReason.UNSAFE_ARCHIVE);
        assertThat(duplicate.message()).contains("appears twice");

        byte[] valid = PluginJars.plugin("1.2.0").bytes();
        byte[] truncated = java.util.Arrays.copyOf(valid, valid.length / 2);
        assertThat(reject("1.2.0", truncated).reason()).isEqualTo(RejectionReason.CORRUPT_ARCHIVE);
    }

    @Test
    void aNestedLibraryJarIsCheckedLikeThePluginJar() throws IOException {
        open(ArchiveLimits.ofDefaults());
        byte[] evilLibrary = PluginJars.zip(entries("../../../../escaped-from-lib.txt", "pwned"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new java.io.ByteArrayInputStream(PluginJars.plugin("1.1.0").bytes()));
             JarOutputStream jar = new JarOutputStream(out, in.getManifest())) {
            for (JarEntry e; (e = in.getNextJarEntry()) != null; ) {
                jar.putNextEntry(new JarEntry(e.getName()));
                jar.write(in.readAllBytes());
                jar.closeEntry();
            }
            jar.putNextEntry(new JarEntry("lib/evil.jar"));
            jar.write(evilLibrary);
            jar.closeEntry();
        }

        PluginEvent.Rejected rejected = reject("1.1.0", out.toByteArray());

        assertThat(rejected.reason()).isEqualTo(RejectionReason.UNSAFE_ARCHIVE);
        assertThat(rejected.message()).contains("library lib/evil.jar");
        assertThat(filesOutsideRepoAndCache()).isEmpty();
    }
}
