/**
 * Durable notifications: what services create through {@code POST /api/notifications}, stored in
 * PostgreSQL per recipient with a per-recipient sequence, published on the bus after the commit,
 * recorded delivered when a session had them written, re-sent until acknowledged when they require
 * it, replayed in order to clients that missed them, released when their scheduled time comes, and
 * read, seen, archived or deleted by their recipient. Digests and throttling sit on the create path:
 * the planner gathers email and push into digests, and {@code Throttling} reserves places under a
 * type's limit before the insert.
 *
 * <p>Entry point: {@link dev.herald.notify.Notifications}, the assembled parts: the create path
 * ({@link dev.herald.notify.NotificationCreator}), a user's history and read state
 * ({@link dev.herald.notify.UserNotifications}), connected clients' requests and delivery receipts
 * ({@link dev.herald.notify.ClientInbox}, the {@link dev.herald.bus.Inbox} the gateway calls) and the
 * operator's view ({@link dev.herald.notify.OperatorView}). Nothing here knows the gateway.
 */
package dev.herald.notify;
