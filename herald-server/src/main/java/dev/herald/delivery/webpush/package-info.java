/**
 * Web Push (RFC 8030) to browsers' push subscriptions. The crypto, pure and JDK-only:
 * {@link dev.herald.delivery.webpush.WebPushEncryption} encrypts a message {@code aes128gcm} for a
 * subscription's {@link dev.herald.delivery.webpush.SubscriptionKeys} (RFC 8291, RFC 8188);
 * {@link dev.herald.delivery.webpush.Vapid} signs the {@code Authorization: vapid} header (RFC 8292)
 * and reads the VAPID keys; {@link dev.herald.delivery.webpush.PushPayload} is the JSON a service
 * worker receives, kept within one 4096-byte message. Bad subscription keys raise
 * {@link dev.herald.delivery.webpush.InvalidSubscription}.
 */
package dev.herald.delivery.webpush;
