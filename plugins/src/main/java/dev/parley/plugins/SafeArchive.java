package dev.parley.plugins;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Extracts a plugin jar, and the library jars under its {@code lib/} directory, into a
 * directory of the plugin cache, refusing what could write elsewhere or exhaust the disk:
 *
 * <ul>
 *   <li>entry names that are absolute, contain {@code ..}, backslashes, drive letters or NUL;</li>
 *   <li>symbolic links (Unix mode in the central directory's external attributes);</li>
 *   <li>duplicate names (the same name meaning two files is how zip ambiguity attacks start);</li>
 *   <li>more entries, more extracted bytes, or a higher per-entry compression ratio than
 *       {@link ArchiveLimits} allow, counted on the bytes actually inflated, not on the sizes
 *       the archive claims.</li>
 * </ul>
 *
 * <p>Files are created with {@code CREATE_NEW} under a fresh directory, so nothing existing is
 * overwritten or followed; on refusal the caller deletes the directory.
 */
final class SafeArchive {

    private static final int EOCD_SIGNATURE = 0x06054b50;
    private static final int CENTRAL_SIGNATURE = 0x02014b50;
    private static final int UNIX_HOST = 3;
    private static final int FILE_TYPE_MASK = 0170000;
    private static final int SYMLINK_TYPE = 0120000;
    private static final long RATIO_FLOOR_BYTES = 65_536;

    private final ArchiveLimits limits;
    private int entries;
    private long extracted;

    SafeArchive(ArchiveLimits limits) {
        this.limits = limits;
    }

    /**
     * Extracts {@code jar} to {@code destination/classes} and each {@code lib/*.jar} in it to
     * {@code destination/lib/<name>}; returns those roots, the plugin's class path, in order.
     */
    List<Path> extractPlugin(Path jar, Path destination) throws VersionRejected {
        Path classes = destination.resolve("classes");
        List<String> names = extract(jar, classes, "plugin jar");
        List<Path> roots = new ArrayList<>();
        roots.add(classes);
        for (String n : names.stream().filter(n -> n.startsWith("lib/") && n.endsWith(".jar") && n.indexOf('/', 4) < 0).sorted().toList()) {
            String libName = n.substring(4, n.length() - 4);
            Path root = destination.resolve("lib").resolve(libName);
            extract(classes.resolve(n), root, "library " + n);
            roots.add(root);
        }
        return roots;
    }

    private List<String> extract(Path jar, Path destination, String what) throws VersionRejected {
        List<String> names = centralDirectory(jar, what);
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            checkName(name, destination, what);
            String key = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
            if (!seen.add(key)) {
                throw new VersionRejected(RejectionReason.UNSAFE_ARCHIVE, what + ": entry '" + PluginVersion.abbreviate(name)
                        + "' appears twice");
            }
        }
        entries += names.size();
        if (entries > limits.maxEntries()) {
            throw new VersionRejected(RejectionReason.UNSAFE_ARCHIVE, what + ": more than " + limits.maxEntries()
                    + " entries (ArchiveLimits.maxEntries)");
        }
        try {
            Files.createDirectories(destination);
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                Enumeration<? extends ZipEntry> all = zip.entries();
                byte[] buffer = new byte[65_536];
                while (all.hasMoreElements()) {
                    ZipEntry entry = all.nextElement();
                    Path target = destination.resolve(entry.getName()).normalize();
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                        continue;
                    }
                    Files.createDirectories(target.getParent());
                    long written = 0;
                    long compressed = Math.max(1, entry.getCompressedSize());
                    try (InputStream in = zip.getInputStream(entry);
                         OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                                 LinkOption.NOFOLLOW_LINKS)) {
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            written += n;
                            extracted += n;
                            if (extracted > limits.maxExtractedBytes()) {
                                throw new VersionRejected(RejectionReason.UNSAFE_ARCHIVE, what + ": extracts to more than "
                                        + limits.maxExtractedBytes() + " bytes (ArchiveLimits.maxExtractedBytes); a decompression bomb?");
                            }
                            if (written > RATIO_FLOOR_BYTES && written / compressed > limits.maxCompressionRatio()) {
                                throw new VersionRejected(RejectionReason.UNSAFE_ARCHIVE, what + ": entry '"
                                        + PluginVersion.abbreviate(entry.getName()) + "' inflates more than "
                                        + limits.maxCompressionRatio() + " times (ArchiveLimits.maxCompressionRatio); a decompression bomb?");
                            }
                            out.write(buffer, 0, n);
                        }
                    }
                }
            }
        } catch (ZipException e) {
            throw new VersionRejected(RejectionReason.CORRUPT_ARCHIVE, what + " is not a readable jar: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new VersionRejected(RejectionReason.CORRUPT_ARCHIVE, what + " could not be extracted: " + e, e);
        }
        return names;
    }

    private static void checkName(String name, Path destination, String what) throws VersionRejected {
        boolean bad = name.isEmpty() || name.startsWith("/") || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0
                || name.indexOf(':') >= 0;
        for (String segment : name.split("/")) {
            bad |= segment.equals("..") || segment.equals(".");
        }
        if (!bad) {
            Path target = destination.resolve(name).normalize();
            bad = !target.startsWith(destination) || target.equals(destination);
        }
        if (bad) {
            throw new VersionRejected(RejectionReason.UNSAFE_ARCHIVE, what + ": entry '" + PluginVersion.abbreviate(name)
                    + "' would be written outside the plugin's directory");
        }
    }

    /**
     * The entry names of {@code jar}, read from its central directory, refusing symbolic links.
     * {@link ZipFile} reads the same directory, so the names checked are the names extracted.
     */
    private static List<String> centralDirectory(Path jar, String what) throws VersionRejected {
        try (FileChannel ch = FileChannel.open(jar, StandardOpenOption.READ)) {
            long size = ch.size();
            int tail = (int) Math.min(size, 22 + 65_535);
            if (tail < 22) {
                throw new VersionRejected(RejectionReason.CORRUPT_ARCHIVE, what + " is not a jar (" + size + " bytes)");
            }
            ByteBuffer end = read(ch, size - tail, tail);
            int eocd = -1;
            for (int i = tail - 22; i >= 0; i--) {
                if (end.getInt(i) == EOCD_SIGNATURE) {
                    eocd = i;
                    break;
                }
            }
            if (eocd < 0) {
                throw new VersionRejected(RejectionReason.CORRUPT_ARCHIVE, what + " is not a jar: no end of central directory");
            }
            int count = Short.toUnsignedInt(end.getShort(eocd + 10));
            long cdSize = Integer.toUnsignedLong(end.getInt(eocd + 12));
            long cdOffset = Integer.toUnsignedLong(end.getInt(eocd + 16));
            if (count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
                throw new VersionRejected(RejectionReason.UNSAFE_ARCHIVE, what + " is a ZIP64 archive, which plugins may not be");
            }
            if (cdOffset + cdSize > size || cdSize > Integer.MAX_VALUE) {
                throw new VersionRejected(RejectionReason.CORRUPT_ARCHIVE, what + " is not a jar: central directory out of bounds");
            }
            ByteBuffer cd = read(ch, cdOffset, (int) cdSize);
            List<String> names = new ArrayList<>(count);
            int p = 0;
            for (int i = 0; i < count; i++) {
                if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL_SIGNATURE) {
                    throw new VersionRejected(RejectionReason.CORRUPT_ARCHIVE, what + " is not a jar: damaged central directory");
                }
                int madeBy = Short.toUnsignedInt(cd.getShort(p + 4)) >>> 8;
                int nameLength = Short.toUnsignedInt(cd.getShort(p + 28));
                int extraLength = Short.toUnsignedInt(cd.getShort(p + 30));
                int commentLength = Short.toUnsignedInt(cd.getShort(p + 32));
                int external = cd.getInt(p + 38);
                if (p + 46 + nameLength > cd.limit()) {
                    throw new VersionRejected(RejectionReason.CORRUPT_ARCHIVE, what + " is not a jar: damaged central directory");
                }
                byte[] raw = new byte[nameLength];
                cd.get(p + 46, raw);
                String name = new String(raw, StandardCharsets.UTF_8);
                if (madeBy == UNIX_HOST && ((external >>> 16) & FILE_TYPE_MASK) == SYMLINK_TYPE) {
                    throw new VersionRejected(RejectionReason.UNSAFE_ARCHIVE, what + ": entry '" + PluginVersion.abbreviate(name)
                            + "' is a symbolic link");
                }
                names.add(name);
                p += 46 + nameLength + extraLength + commentLength;
            }
            return names;
        } catch (IOException e) {
            throw new VersionRejected(RejectionReason.CORRUPT_ARCHIVE, what + " could not be read: " + e, e);
        }
    }

    private static ByteBuffer read(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        return b.flip();
    }
}
