/**
 * Web Push (RFC 8030) done natively: message encryption {@code aes128gcm} per RFC 8291 with the
 * JDK's crypto ({@link dev.herald.delivery.webpush.WebPushEncryption},
 * {@link dev.herald.delivery.webpush.SubscriptionKeys}), VAPID per RFC 8292
 * ({@link dev.herald.delivery.webpush.Vapid}, keys from configuration or generated into the data
 * directory: {@link dev.herald.delivery.webpush.VapidKeys}), the payload under the push services'
 * 4 KB limit ({@link dev.herald.delivery.webpush.PushPayload}), and the users' subscriptions
 * ({@link dev.herald.delivery.webpush.PushSubscriptions}, validated by
 * {@link dev.herald.delivery.webpush.PushSubscriptionBody}; routes in {@code api.PushApi}). The push
 * channel on the delivery engine comes next.
 */
package dev.herald.delivery.webpush;
