package dev.parley.plugins;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of {@code <contract>-<version>.jar} files. Publishers write a jar under another
 * name (e.g. {@code .pricing-2.0.1.jar.tmp}) and rename it into place, so that a listed jar is
 * complete; a {@code <jar>.sha256} file next to it (hex digest, as {@code sha256sum} writes it)
 * makes the consumer verify it, and a {@code <jar>.sig} (Base64) carries its signature.
 * Symbolic links to jars are ignored. Watched with the JDK's {@link WatchService} where the
 * file system has one.
 */
final class FolderRepository implements PluginRepository {

    private static final Logger log = LoggerFactory.getLogger(FolderRepository.class);

    private final Path directory;
    private @Nullable Runnable onChange;
    private @Nullable WatchService watcher;

    FolderRepository(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    @Override
    public String describe() {
        return "folder:" + directory;
    }

    @Override
    public List<PluginArtifact> list(String contract) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new NoSuchFileException(directory.toString(), null, "not a directory, or not reachable");
        }
        Pattern jar = Pattern.compile(Pattern.quote(contract) + "-([0-9][0-9A-Za-z.-]*)\\.jar");
        ensureWatching();
        List<PluginArtifact> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                Matcher m = jar.matcher(name);
                if (!m.matches()) {
                    continue;
                }
                PluginVersion version;
                try {
                    version = PluginVersion.parse(m.group(1));
                } catch (IllegalArgumentException e) {
                    log.debug("{}: {} skipped: {}", describe(), name, e.getMessage());
                    continue;
                }
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue; // removed while listing
                }
                if (!attrs.isRegularFile()) {
                    log.debug("{}: {} skipped: not a regular file", describe(), name);
                    continue;
                }
                Optional<String> sha = sidecar(file, ".sha256").map(s -> s.isBlank() ? s : s.split("\\s+")[0]);
                Optional<String> sig = sidecar(file, ".sig");
                String identity = attrs.size() + ":" + attrs.lastModifiedTime().toMillis() + ":" + sha.orElse("-") + ":"
                        + sig.map(s -> Integer.toHexString(s.hashCode())).orElse("-");
                try {
                    found.add(new PluginArtifact(contract, version, name, sha, sig, identity));
                } catch (IllegalArgumentException e) {
                    // A malformed checksum file: list the jar with a checksum that cannot match, so that it is rejected visibly.
                    found.add(new PluginArtifact(contract, version, name, Optional.of("0".repeat(64)), sig, identity + ":bad-sha"));
                }
            }
        }
        return found;
    }

    private Optional<String> sidecar(Path jar, String suffix) throws IOException {
        Path file = jar.resolveSibling(jar.getFileName() + suffix);
        try {
            if (Files.size(file) > 16_384) {
                return Optional.of("oversized");
            }
            return Optional.of(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void fetch(PluginArtifact artifact, Path target, long maxBytes) throws IOException {
        Path file = directory.resolve(artifact.name()).normalize();
        if (!file.getParent().equals(directory)) {
            throw new IOException(artifact.name() + " is not a file name in " + directory);
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
             OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            copy(in, out, maxBytes, artifact.name());
        }
    }

    static void copy(InputStream in, OutputStream out, long maxBytes, String what) throws IOException {
        byte[] buffer = new byte[65_536];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            if (total > maxBytes) {
                throw new IOException(what + " is larger than " + maxBytes + " bytes (ArchiveLimits.maxArchiveBytes)");
            }
            out.write(buffer, 0, n);
        }
    }

    /**
     * Watches the directory with the file system's events. When the directory does not exist
     * yet, or is removed, the watch (re)starts on the next successful {@link #list}, so polling
     * covers the gap.
     */
    @Override
    public AutoCloseable watch(Runnable onChange) {
        synchronized (this) {
            this.onChange = onChange;
        }
        ensureWatching();
        return () -> {
            WatchService w;
            synchronized (this) {
                this.onChange = null;
                w = watcher;
                watcher = null;
            }
            if (w != null) {
                w.close();
            }
        };
    }

    private void ensureWatching() {
        Runnable notify;
        WatchService w;
        synchronized (this) {
            notify = onChange;
            if (notify == null || watcher != null || !Files.isDirectory(directory)) {
                return;
            }
            try {
                w = directory.getFileSystem().newWatchService();
                directory.register(w, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
            } catch (IOException | UnsupportedOperationException e) {
                log.info("{}: no file system events ({}); polling only", describe(), e.toString());
                onChange = null; // do not try again on every listing
                return;
            }
            watcher = w;
        }
        Thread.ofPlatform().daemon().name("parley-plugins-watch").start(() -> {
            try {
                while (true) {
                    WatchKey key = w.take();
                    key.pollEvents();
                    notify.run();
                    if (!key.reset()) {
                        log.info("{}: directory removed; polling until it is back", describe());
                        break;
                    }
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                // closed
            }
            synchronized (this) {
                if (watcher == w) {
                    watcher = null;
                }
            }
            try {
                w.close();
            } catch (IOException e) {
                log.debug("closing the watch of {} failed: {}", describe(), e.toString());
            }
        });
        // Changes between the listing that started the watch and its registration: look once more.
        notify.run();
    }

    @Override
    public String toString() {
        return describe();
    }
}
