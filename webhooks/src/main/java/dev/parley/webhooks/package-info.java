/**
 * Webhooks following the Standard Webhooks specification (https://www.standardwebhooks.com):
 * {@link dev.parley.webhooks.Webhooks} fans the events of Parley topics out to external
 * endpoints, signed, retried and durably queued, over an SSRF-safe
 * {@link dev.parley.net.GuardedHttpClient}; {@link dev.parley.webhooks.WebhookVerifier}
 * checks them on the receiving side. See docs/webhooks.md.
 */
@NullMarked
package dev.parley.webhooks;

import org.jspecify.annotations.NullMarked;
