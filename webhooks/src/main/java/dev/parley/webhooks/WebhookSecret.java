package dev.parley.webhooks;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * An endpoint's symmetric signing key, shown to its owner as {@code whsec_} followed by the
 * base64 of the key bytes (Standard Webhooks: at least 24 random bytes; Parley generates 32).
 * {@link #toString()} never reveals the key; {@link #serialized()} does.
 */
public final class WebhookSecret {

    /** The prefix of a serialized symmetric secret. */
    public static final String PREFIX = "whsec_";

    private static final int GENERATED_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;

    private WebhookSecret(byte[] key) {
        this.key = key;
    }

    /** A fresh random secret of 32 bytes. */
    public static WebhookSecret generate() {
        byte[] key = new byte[GENERATED_BYTES];
        RANDOM.nextBytes(key);
        return new WebhookSecret(key);
    }

    /**
     * Reads a secret as shown to users, with or without the {@code whsec_} prefix (the
     * reference libraries accept both).
     */
    public static WebhookSecret parse(String serialized) {
        String b64 = serialized.startsWith(PREFIX) ? serialized.substring(PREFIX.length()) : serialized;
        byte[] key;
        try {
            key = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret: not base64 after '" + PREFIX + "' (expected: " + PREFIX + "<base64 key>)", e);
        }
        if (key.length == 0) {
            throw new IllegalArgumentException("secret: empty (expected: " + PREFIX + "<base64 of 24 to 64 bytes>)");
        }
        return new WebhookSecret(key);
    }

    /** {@code whsec_<base64>}: what the endpoint's owner configures in their verifier. */
    public String serialized() {
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    byte[] key() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WebhookSecret other && MessageDigest.isEqual(key, other.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "WebhookSecret{" + key.length + " bytes}";
    }
}
