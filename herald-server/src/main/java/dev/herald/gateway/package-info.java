/**
 * The real-time gateway: {@link dev.herald.gateway.Session} is one live connection of any transport,
 * {@link dev.herald.gateway.Gateway} keeps rooms (tenant-scoped), receives publications from the
 * {@link dev.herald.bus.Bus} and fans them out to their members, with a bounded event log for
 * resuming clients. What clients ask is one sealed type, {@link dev.herald.gateway.ClientCommand},
 * handled once by {@link dev.herald.gateway.ClientCommands} with a typed {@link dev.herald.gateway.Answer}.
 * {@link dev.herald.gateway.Presence} follows who is online (sessions register and unregister
 * through the gateway), typing ({@code Typing}) and who is in a room ({@code RoomPresence}); what
 * must outlive a restart (last seen) goes out through {@link dev.herald.bus.LastSeen}.
 * The transports (package {@code dev.herald.transport}) depend on this package, never the reverse.
 */
package dev.herald.gateway;
