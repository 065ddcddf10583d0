/** Tests of Herald's own WebSocket handler over raw sockets. */
package dev.herald.transport.websocket;
