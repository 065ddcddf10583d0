/**
 * Socket.IO v5 over Engine.IO: packet codec with binary attachments (bounded in count, bytes and
 * time by {@link dev.herald.transport.socketio.SioLimits}), namespaces, acks both ways and
 * connection state recovery. {@link dev.herald.transport.socketio.SocketIoServer} is the entry point;
 * {@link dev.herald.transport.socketio.HeraldNamespace} is Herald's application on {@code /} and
 * {@code /events}.
 */
package dev.herald.transport.socketio;
