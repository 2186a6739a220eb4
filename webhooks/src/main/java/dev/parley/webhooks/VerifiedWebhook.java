package dev.parley.webhooks;

import java.time.Instant;

/**
 * A webhook whose signature, timestamp and id passed the {@link WebhookVerifier}: the raw body
 * exactly as signed.
 *
 * @param id        the {@code webhook-id}, the same on every retry: an idempotency key
 * @param timestamp the {@code webhook-timestamp} of this attempt
 * @param body      the raw body that was signed (not copied)
 */
public record VerifiedWebhook(String id, Instant timestamp, byte[] body) {}
