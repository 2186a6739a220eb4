package dev.parley.plugins;

import java.util.Optional;

/**
 * One plugin version as a repository lists it, before it is fetched.
 *
 * @param contract  the contract's name
 * @param version   the implementation's version
 * @param name      the file's name in the repository, e.g. {@code pricing-2.0.1.jar}
 * @param sha256    the published SHA-256 of the jar (lower-case hex), when the repository publishes one
 * @param signature the published signature of the jar (Base64), when the repository publishes one
 * @param identity  what changes when the file is replaced (size and modification time, or the checksum);
 *                  a rejected version is tried again only once its identity changed
 */
public record PluginArtifact(String contract, PluginVersion version, String name, Optional<String> sha256,
                             Optional<String> signature, String identity) {

    public PluginArtifact {
        sha256 = sha256.map(s -> s.trim().toLowerCase(java.util.Locale.ROOT));
        if (sha256.isPresent() && !sha256.get().matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 of " + name + ": '" + PluginVersion.abbreviate(sha256.get())
                    + "' (expected: 64 hex digits)");
        }
    }
}
