package dev.parley.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks symmetric signature: {@code v1,} followed by the base64 of
 * HMAC-SHA256 over {@code id.timestamp.body}, with the endpoint's secret as key. A message
 * signed with several secrets (during a rotation) carries every signature, space-separated,
 * in one {@code webhook-signature} header.
 */
public final class WebhookSignature {

    /** Header names of the specification. */
    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";

    /** The version tag of symmetric (HMAC-SHA256) signatures. */
    public static final String VERSION = "v1";

    private WebhookSignature() {}

    /** {@code v1,<base64 signature>} of one message with one secret. */
    public static String sign(WebhookSecret secret, String id, long timestampSeconds, byte[] body) {
        return VERSION + "," + Base64.getEncoder().encodeToString(mac(secret, id, timestampSeconds, body));
    }

    /** The {@code webhook-signature} header value: one signature per secret, space-separated. */
    public static String header(List<WebhookSecret> secrets, String id, long timestampSeconds, byte[] body) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("secrets: none (expected: at least one secret to sign message " + id + ")");
        }
        StringJoiner joined = new StringJoiner(" ");
        for (WebhookSecret s : secrets) {
            joined.add(sign(s, id, timestampSeconds, body));
        }
        return joined.toString();
    }

    /** The raw HMAC-SHA256 bytes over {@code id.timestamp.body}. */
    static byte[] mac(WebhookSecret secret, String id, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.key(), "HmacSHA256"));
            mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
