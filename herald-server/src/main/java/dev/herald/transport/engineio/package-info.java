/**
 * Engine.IO v4, the transport layer under Socket.IO (engine.io-protocol). {@link
 * dev.herald.transport.engineio.EngineServer} answers handshakes, long-polling requests and
 * WebSocket upgrades; each session is an {@link dev.herald.transport.engineio.EngineSocket} (state,
 * heartbeat, close) whose packets travel on a {@code PollingTransport} or a {@code
 * WebSocketTransport}, an {@code Upgrade} moving it from one to the other. See docs/PROTOCOL.md.
 */
package dev.herald.transport.engineio;
