package dev.parley.jwt;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import dev.parley.ParleyClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JWK set in a local file, read again when its modification time or size changes. The file
 * is looked at no more often than the check interval; a file that cannot be read or parsed
 * keeps the last good keys.
 */
final class FileJwkSet extends KeySource {
    private static final Logger LOG = LoggerFactory.getLogger(FileJwkSet.class);

    private final Path path;
    private final long checkNanos;
    private final ParleyClock clock;

    private @Nullable JWKSet keys;
    private @Nullable FileTime modified;
    private long size = -1;
    private long checkedAt;
    private boolean checked;

    FileJwkSet(Path path, Duration checkInterval, ParleyClock clock) {
        this.path = path;
        this.checkNanos = checkInterval.toNanos();
        this.clock = clock;
    }

    @Override
    synchronized JWKSet keys() throws KeySourceException {
        long now = clock.nanoTime();
        if (!checked || now - checkedAt >= checkNanos) {
            check(now);
        }
        if (keys == null) {
            throw new KeySourceException("no JWK set could be read from " + path + " yet");
        }
        return keys;
    }

    @Override
    boolean refreshForUnknownKey() {
        // The file is re-read on its own schedule; an unknown kid is no reason to touch the disk.
        return false;
    }

    private void check(long now) {
        checked = true;
        checkedAt = now;
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (keys != null && attributes.lastModifiedTime().equals(modified) && attributes.size() == size) {
                return;
            }
            keys = JWKSet.parse(Files.readString(path)).toPublicJWKSet();
            modified = attributes.lastModifiedTime();
            size = attributes.size();
            LOG.debug("JWK set {}: read {} keys", path, keys.size());
        } catch (IOException | ParseException e) {
            LOG.warn("JWK set {}: read failed ({}); keeping the last good keys", path, e.toString());
        }
    }

    @Override
    public String toString() {
        return "JWK set in " + path;
    }
}
