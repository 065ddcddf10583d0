/**
 * {@code /ws}: the plain JSON WebSocket protocol of seed 002 for clients without a Socket.IO
 * library. Entry point: {@link dev.herald.gateway.ws.PlainWebSocketEndpoint}.
 */
package dev.herald.gateway.ws;
