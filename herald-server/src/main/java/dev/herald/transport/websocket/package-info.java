/**
 * RFC 6455 WebSocket connections held directly on Netty. {@link dev.herald.transport.websocket.WebSocketUpgrades}
 * sits in Vert.x's HTTP/1.1 pipeline and takes upgrade requests for the gateway's paths off it; the
 * accepted channel then carries only a frame decoder and one {@link dev.herald.transport.websocket.WebSocket}
 * handler, so an idle connection costs a few hundred bytes beyond Netty's channel instead of Vert.x's
 * HTTP connection, request and message queues (docs/BENCHMARKS.md has the measurements).
 */
package dev.herald.transport.websocket;
