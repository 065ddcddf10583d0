/**
 * Web Push (RFC 8030, 8291, 8292; contract part 2, "Web Push"): the browsers' subscriptions per user
 * ({@link dev.herald.delivery.webpush.PushSubscriptions}, checked on the way in by
 * {@link dev.herald.delivery.webpush.PushSubscriptionBody}) and this node's VAPID identity
 * ({@link dev.herald.delivery.webpush.VapidKeys}). The message encryption ({@code aes128gcm}), the
 * VAPID JWT and the payload ({@code WebPushEncryption}, {@code Vapid}, {@code PushPayload}) and the
 * channel that sends one push per job are written alongside by other hands. Endpoints pass the SSRF
 * guard {@link dev.herald.delivery.TargetAddresses} when subscribed and before each send.
 */
package dev.herald.delivery.webpush;
