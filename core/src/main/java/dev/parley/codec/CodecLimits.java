package dev.parley.codec;

/**
 * Read limits applied by every codec before it allocates, so that a hostile message costs
 * little: nesting depth, the longest string, and the largest document.
 *
 * <pre>{@code CodecLimits limits = CodecLimits.custom().maxDocumentBytes(1 << 20).build();}</pre>
 *
 * @param maxNestingDepth  deepest nesting of objects and arrays (default 64)
 * @param maxStringLength  longest string value, in characters (default 1,000,000)
 * @param maxDocumentBytes largest encoded message, in bytes (default 4 MiB)
 */
public record CodecLimits(int maxNestingDepth, int maxStringLength, long maxDocumentBytes) {

    public static final int DEFAULT_MAX_NESTING_DEPTH = 64;
    public static final int DEFAULT_MAX_STRING_LENGTH = 1_000_000;
    public static final long DEFAULT_MAX_DOCUMENT_BYTES = 4L << 20;

    public CodecLimits {
        if (maxNestingDepth < 1) {
            throw new IllegalArgumentException("maxNestingDepth: " + maxNestingDepth + " (expected: >= 1)");
        }
        if (maxStringLength < 1) {
            throw new IllegalArgumentException("maxStringLength: " + maxStringLength + " (expected: >= 1)");
        }
        if (maxDocumentBytes < 16) {
            throw new IllegalArgumentException("maxDocumentBytes: " + maxDocumentBytes + " (expected: >= 16)");
        }
    }

    public static CodecLimits ofDefaults() {
        return new CodecLimits(DEFAULT_MAX_NESTING_DEPTH, DEFAULT_MAX_STRING_LENGTH, DEFAULT_MAX_DOCUMENT_BYTES);
    }

    public static Builder custom() {
        return new Builder(ofDefaults());
    }

    public static Builder from(CodecLimits base) {
        return new Builder(base);
    }

    /** Builds {@link CodecLimits}; unset values keep the base's. */
    public static final class Builder {
        private int maxNestingDepth;
        private int maxStringLength;
        private long maxDocumentBytes;

        private Builder(CodecLimits base) {
            this.maxNestingDepth = base.maxNestingDepth;
            this.maxStringLength = base.maxStringLength;
            this.maxDocumentBytes = base.maxDocumentBytes;
        }

        public Builder maxNestingDepth(int value) {
            this.maxNestingDepth = value;
            return this;
        }

        public Builder maxStringLength(int value) {
            this.maxStringLength = value;
            return this;
        }

        public Builder maxDocumentBytes(long value) {
            this.maxDocumentBytes = value;
            return this;
        }

        public CodecLimits build() {
            return new CodecLimits(maxNestingDepth, maxStringLength, maxDocumentBytes);
        }
    }
}
