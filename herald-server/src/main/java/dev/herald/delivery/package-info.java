/**
 * Delivery beyond the tab: durable jobs in PostgreSQL run by one engine over several channels.
 * Entry points: {@link dev.herald.delivery.DeliveryEngine} (claims jobs with {@code FOR UPDATE SKIP
 * LOCKED}, woken by {@code LISTEN/NOTIFY}, runs them on virtual threads under per-target limits and
 * breakers, retries, dead letter, delivery log) and {@link dev.herald.delivery.DeliveryChannel}, the
 * one interface each way out implements ({@code delivery.email}, {@code delivery.webhook},
 * {@code delivery.webpush}). Jobs are created by {@code notify} in the notification's own commit;
 * so are digests, whose send jobs close them when claimed ({@code Digests}).
 */
package dev.herald.delivery;
