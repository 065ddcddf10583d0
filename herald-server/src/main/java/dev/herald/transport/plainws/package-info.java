/**
 * {@code /ws}: the plain JSON WebSocket protocol of seed 002 for clients without a Socket.IO
 * library. Entry point: {@link dev.herald.transport.plainws.PlainWebSocketEndpoint}.
 */
package dev.herald.transport.plainws;
