/**
 * Socket.IO v5 over Engine.IO: packet codec with binary attachments, namespaces, acks both ways and
 * connection state recovery. {@link dev.herald.transport.socketio.HeraldNamespace} is Herald's
 * application on {@code /} and {@code /events}.
 */
package dev.herald.transport.socketio;
