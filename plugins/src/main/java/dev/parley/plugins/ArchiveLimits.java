package dev.parley.plugins;

/**
 * Bounds on what a plugin jar may contain, so that a hostile or broken archive cannot fill the
 * disk or memory of the consumer. Exceeding any of them rejects the version as
 * {@link RejectionReason#UNSAFE_ARCHIVE} (or {@link RejectionReason#FETCH_FAILED} for the
 * download size) and removes what was extracted so far.
 *
 * @param maxArchiveBytes    the largest jar fetched from a repository
 * @param maxEntries         the most entries in the jar, nested library jars included
 * @param maxExtractedBytes  the most bytes extracted from the jar, nested library jars included
 * @param maxCompressionRatio the largest ratio of an entry's extracted to compressed size (for entries over 64 KiB)
 */
public record ArchiveLimits(long maxArchiveBytes, int maxEntries, long maxExtractedBytes, int maxCompressionRatio) {

    private static final ArchiveLimits DEFAULTS = new ArchiveLimits(64L << 20, 20_000, 256L << 20, 200);

    public ArchiveLimits {
        if (maxArchiveBytes <= 0 || maxEntries <= 0 || maxExtractedBytes <= 0 || maxCompressionRatio <= 0) {
            throw new IllegalArgumentException("archive limits: " + maxArchiveBytes + " bytes, " + maxEntries + " entries, "
                    + maxExtractedBytes + " extracted bytes, ratio " + maxCompressionRatio + " (expected: all > 0)");
        }
    }

    /** 64 MiB jars, 20,000 entries, 256 MiB extracted, a compression ratio of at most 200. */
    public static ArchiveLimits ofDefaults() {
        return DEFAULTS;
    }
}
