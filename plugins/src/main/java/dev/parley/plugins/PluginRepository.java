package dev.parley.plugins;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Where providers deploy plugin jars and consumers find them. Two come with Parley:
 *
 * <ul>
 *   <li>{@link #folder(Path)}: a local or shared directory of {@code <contract>-<version>.jar}
 *       files, with optional {@code .sha256} and {@code .sig} files next to them, watched for
 *       changes through the file system's events where the platform has them;</li>
 *   <li>{@link #http(URI)}: a web directory with an {@code index.json} that lists every version
 *       with its SHA-256, polled.</li>
 * </ul>
 *
 * <p>Every successful {@link #list} counts as "the repository was reached" for the deployment
 * window. Implementations must be thread-safe; {@link PluginTransport} calls them from its own
 * worker thread.
 */
public interface PluginRepository extends AutoCloseable {

    /** A folder repository; the directory need not exist yet (until it does, the repository is unreachable). */
    static PluginRepository folder(Path directory) {
        return new FolderRepository(directory);
    }

    /**
     * An HTTP repository: {@code base} is the directory URL, {@code base/index.json} the index
     * and the jars are relative to it (see docs/plugins.md for the index format).
     */
    static PluginRepository http(URI base) {
        return new HttpRepository(base);
    }

    /** Names the repository in logs and events, e.g. {@code folder:/srv/plugins}. */
    String describe();

    /**
     * The versions of {@code contract} the repository holds now, complete ones only.
     *
     * @throws IOException when the repository cannot be reached
     */
    List<PluginArtifact> list(String contract) throws IOException;

    /**
     * Copies the jar of {@code artifact} to {@code target} (a new file in the plugin cache),
     * writing at most {@code maxBytes} bytes.
     *
     * @throws IOException when it cannot be read, or is larger than {@code maxBytes}
     */
    void fetch(PluginArtifact artifact, Path target, long maxBytes) throws IOException;

    /**
     * Asks to have {@code onChange} run (on any thread, quickly) when the repository may have
     * changed, where it can tell; the consumer polls as well, so repositories without change
     * events return a no-op handle.
     */
    default AutoCloseable watch(Runnable onChange) {
        return () -> { };
    }

    @Override
    default void close() {}
}
