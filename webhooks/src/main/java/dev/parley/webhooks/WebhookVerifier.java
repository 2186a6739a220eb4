package dev.parley.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.ParleyClock;
import dev.parley.webhooks.WebhookVerificationException.Reason;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Checks webhooks on the receiving side, as the Standard Webhooks specification asks: the
 * {@code v1} HMAC-SHA256 signature over {@code id.timestamp.rawBody}, compared in constant
 * time against every accepted secret (any of several signatures in the header may match, so
 * a sender's secret rotation causes no downtime); a {@code webhook-timestamp} within
 * {@link Builder#tolerance} of now (5 minutes by default); and a {@code webhook-id} not seen
 * before ({@link ReplayStore}).
 *
 * <pre>{@code
 * WebhookVerifier verifier = WebhookVerifier.builder()
 *         .secret(WebhookSecret.parse(System.getenv("TRIPS_WEBHOOK_SECRET")))
 *         .build();
 * WebhookEvent<TripCompleted> event = verifier.verify(headers, rawBody, TripCompleted.class);
 * }</pre>
 *
 * <p>Verify the body exactly as received, before any JSON parsing: re-serialized JSON does not
 * match the signature. One verifier is thread-safe and should be shared (it holds the replay
 * store). Standalone use takes a header map; {@link WebhookReceiver} wraps it as an HTTP
 * handler.
 */
public final class WebhookVerifier {

    private final List<WebhookSecret> secrets;
    private final Duration tolerance;
    private final ParleyClock clock;
    private final ReplayStore replays;

    private WebhookVerifier(Builder b) {
        this.secrets = List.copyOf(b.secrets);
        this.tolerance = b.tolerance;
        this.clock = b.clock;
        this.replays = b.replays != null ? b.replays : ReplayStore.inMemory(100_000);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Verifies a webhook given its headers (names in any case) and raw body. */
    public VerifiedWebhook verify(Map<String, String> headers, byte[] body) {
        Map<String, String> lower = new java.util.HashMap<>();
        headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        return verify(name -> Optional.ofNullable(lower.get(name)), body);
    }

    /** Verifies a webhook and decodes its Standard Webhooks payload's {@code data} as {@code dataType}. */
    public <T> WebhookEvent<T> verify(Map<String, String> headers, byte[] body, Class<T> dataType) {
        return decode(verify(headers, body), dataType);
    }

    /** Verifies a webhook, reading headers (by lower-case name) through {@code header}. */
    public VerifiedWebhook verify(Function<String, Optional<String>> header, byte[] body) {
        String id = required(header, WebhookSignature.ID_HEADER);
        String ts = required(header, WebhookSignature.TIMESTAMP_HEADER);
        String signatures = required(header, WebhookSignature.SIGNATURE_HEADER);
        long seconds;
        try {
            seconds = Long.parseLong(ts.trim());
        } catch (NumberFormatException e) {
            throw new WebhookVerificationException(Reason.MALFORMED_TIMESTAMP, "webhook-timestamp: not an integer");
        }
        Instant timestamp = Instant.ofEpochSecond(seconds);
        Instant now = clock.instant();
        if (Duration.between(timestamp, now).abs().compareTo(tolerance) > 0) {
            throw new WebhookVerificationException(Reason.TIMESTAMP_OUT_OF_TOLERANCE,
                    "webhook-timestamp: " + timestamp + " is more than " + tolerance + " from now");
        }
        if (!anySignatureMatches(signatures, id, seconds, body)) {
            throw new WebhookVerificationException(Reason.NO_MATCHING_SIGNATURE, "webhook-signature: no matching signature");
        }
        // Recorded only after the signature checked out: unsigned traffic cannot fill the store.
        if (!replays.firstSeen(id, timestamp.plus(tolerance), now)) {
            throw new WebhookVerificationException(Reason.REPLAYED, "webhook-id: already received");
        }
        return new VerifiedWebhook(id, timestamp, body);
    }

    /** Forgets an accepted id, so the sender's retry is accepted (after its processing failed). */
    public void forget(String id) {
        replays.forget(id);
    }

    /** Decodes the payload of an already verified webhook. */
    public static <T> WebhookEvent<T> decode(VerifiedWebhook webhook, Class<T> dataType) {
        try {
            JsonNode root = Json.MAPPER.readTree(webhook.body());
            if (root == null || !root.hasNonNull("type") || !root.hasNonNull("timestamp") || !root.has("data")) {
                throw new WebhookVerificationException(Reason.MALFORMED_PAYLOAD,
                        "payload: expected a JSON object with type, timestamp and data");
            }
            T data = Json.MAPPER.treeToValue(root.get("data"), dataType);
            return new WebhookEvent<>(webhook.id(), webhook.timestamp(), root.get("type").asText(),
                    Instant.parse(root.get("timestamp").asText()), data);
        } catch (IOException | RuntimeException e) {
            if (e instanceof WebhookVerificationException w) {
                throw w;
            }
            throw new WebhookVerificationException(Reason.MALFORMED_PAYLOAD,
                    "payload: not a Standard Webhooks payload with data of type " + dataType.getSimpleName());
        }
    }

    private boolean anySignatureMatches(String header, String id, long seconds, byte[] body) {
        List<byte[]> presented = new ArrayList<>();
        for (String part : header.trim().split(" +")) {
            int comma = part.indexOf(',');
            if (comma <= 0 || !part.substring(0, comma).equals(WebhookSignature.VERSION)) {
                continue; // other schemes (v1a, future versions) are not ours to judge
            }
            try {
                presented.add(Base64.getDecoder().decode(part.substring(comma + 1)));
            } catch (IllegalArgumentException e) {
                // not base64: cannot match; keep checking the others
            }
        }
        boolean matched = false;
        for (WebhookSecret secret : secrets) {
            byte[] expected = WebhookSignature.mac(secret, id, seconds, body);
            for (byte[] candidate : presented) {
                // MessageDigest.isEqual is constant-time for equal lengths; keep looping even
                // after a match so the time taken does not reveal which signature matched.
                matched |= MessageDigest.isEqual(expected, candidate);
            }
        }
        return matched;
    }

    private static String required(Function<String, Optional<String>> header, String name) {
        return header.apply(name).filter(v -> !v.isBlank())
                .orElseThrow(() -> new WebhookVerificationException(Reason.MISSING_HEADER, name + ": missing"));
    }

    /** Settings of a {@link WebhookVerifier}: at least one secret. */
    public static final class Builder {
        private final List<WebhookSecret> secrets = new ArrayList<>();
        private Duration tolerance = Duration.ofMinutes(5);
        private ParleyClock clock = ParleyClock.system();
        private @Nullable ReplayStore replays;

        private Builder() {}

        /** A secret whose signatures are accepted; call again to accept several (during a rotation). */
        public Builder secret(WebhookSecret value) {
            secrets.add(value);
            return this;
        }

        /** How far {@code webhook-timestamp} may be from now, either way. Default 5 minutes. */
        public Builder tolerance(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("tolerance: " + value + " (expected: > 0)");
            }
            this.tolerance = value;
            return this;
        }

        public Builder clock(ParleyClock value) {
            this.clock = value;
            return this;
        }

        /** Where accepted ids are remembered. Default: {@code ReplayStore.inMemory(100_000)}. */
        public Builder replayStore(ReplayStore value) {
            this.replays = value;
            return this;
        }

        public WebhookVerifier build() {
            if (secrets.isEmpty()) {
                throw new IllegalArgumentException("secrets: none (expected: at least one WebhookSecret to verify with)");
            }
            return new WebhookVerifier(this);
        }
    }
}
