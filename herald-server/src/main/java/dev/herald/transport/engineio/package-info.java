/**
 * Engine.IO v4, the transport layer under Socket.IO: {@link dev.herald.transport.engineio.EngineServer}
 * answers handshakes, long-polling and WebSocket requests; {@link dev.herald.transport.engineio.EngineSocket}
 * is one session with its heartbeat, buffer and upgrade. See docs/PROTOCOL.md.
 */
package dev.herald.transport.engineio;
