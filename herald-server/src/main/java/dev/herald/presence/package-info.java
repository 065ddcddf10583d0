/**
 * Presence's durable part: when each user was last seen ({@link dev.herald.presence.LastSeenStore},
 * the {@link dev.herald.bus.LastSeen} the gateway records into). Live presence (who is online, as
 * what) is the gateway's ({@code gateway.Presence}); this package only keeps what must survive a
 * restart.
 */
package dev.herald.presence;
