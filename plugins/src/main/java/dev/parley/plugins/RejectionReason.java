package dev.parley.plugins;

/** Why a plugin version was not loaded; the current version keeps serving. */
public enum RejectionReason {
    /** The repository listed it but the file could not be fetched, or is larger than the limit. */
    FETCH_FAILED,
    /** Its SHA-256 is not the one the repository published. */
    CHECKSUM_MISMATCH,
    /** A public key is configured and the signature is missing or does not verify. */
    SIGNATURE_INVALID,
    /** Not a readable jar. */
    CORRUPT_ARCHIVE,
    /** Path traversal, a symbolic link, duplicate entries, or more data than the limits allow (a decompression bomb). */
    UNSAFE_ARCHIVE,
    /** The Parley manifest attributes are missing or malformed, or disagree with the repository. */
    INVALID_MANIFEST,
    /** It implements another contract, or another major version of it. */
    INCOMPATIBLE_CONTRACT,
    /** The entry point is missing, does not implement the contract, or cannot be instantiated. */
    BAD_ENTRY_POINT,
    /** {@link PluginLifecycle#init()} threw or did not finish in time. */
    INIT_FAILED,
    /** {@link PluginLifecycle#healthy()} said no, threw, or did not finish in time. */
    HEALTH_CHECK_FAILED
}
