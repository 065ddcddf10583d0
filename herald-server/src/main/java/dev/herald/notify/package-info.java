/**
 * Durable notifications: what services create through {@code POST /api/notifications}, stored in
 * PostgreSQL per recipient with a per-recipient sequence, published to the recipient's sessions
 * after the commit, re-sent until acknowledged when they require it, replayed in order to clients
 * that missed them, released when their scheduled time comes, and read, seen, archived or deleted
 * by their recipient. The HTTP surface is {@link dev.herald.api.NotificationsApi}; the gateway
 * reaches this package only through {@link dev.herald.bus.Inbox}.
 */
package dev.herald.notify;
