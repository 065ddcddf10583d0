/**
 * Webhooks, Standard Webhooks style (standardwebhooks.com): a tenant's endpoints with their
 * {@code whsec_} secrets ({@link dev.herald.delivery.webhook.WebhookEndpoints}), and the channel that
 * signs and POSTs one message per job ({@link dev.herald.delivery.webhook.WebhookChannel}, behind the
 * faked-in-tests {@link dev.herald.delivery.webhook.WebhookClient}). Targets pass the SSRF guard
 * {@link dev.herald.delivery.TargetAddresses} when registered and before each send.
 */
package dev.herald.delivery.webhook;
