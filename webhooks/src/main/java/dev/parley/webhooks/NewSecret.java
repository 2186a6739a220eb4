package dev.parley.webhooks;

import java.time.Instant;
import java.util.Optional;

/**
 * An endpoint together with its signing secret, returned when the endpoint is created or its
 * secret rotated: the only time the secret is shown.
 *
 * @param endpoint          the endpoint
 * @param secret            the secret to configure in the receiver's verifier
 * @param previousValidUntil after a rotation: until when webhooks are also signed with the old
 *                           secret, so receivers can switch without downtime
 */
public record NewSecret(Endpoint endpoint, WebhookSecret secret, Optional<Instant> previousValidUntil) {}
