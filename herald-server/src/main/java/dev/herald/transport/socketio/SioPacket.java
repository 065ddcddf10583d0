package dev.herald.transport.socketio;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Socket.IO v5 packets (socket.io-protocol, "Packet format"). Binary events and acks are decoded
 * into {@link Event} and {@link Ack} with their attachments already put back in place, so the layer
 * above never sees placeholders.
 */
sealed interface SioPacket {
  String nsp();

  /** CONNECT: {@code data} is the client's auth payload (or null). */
  record Connect(String nsp, JsonNode data) implements SioPacket {}

  /** DISCONNECT from the client: it leaves the namespace. */
  record Disconnect(String nsp) implements SioPacket {}

  /** EVENT or BINARY_EVENT: {@code args[0]} is the event name; {@code id} is null when no ack is wanted. */
  record Event(String nsp, Long id, com.fasterxml.jackson.databind.node.ArrayNode args) implements SioPacket {}

  /** ACK or BINARY_ACK answering the server's event {@code id}. */
  record Ack(String nsp, long id, com.fasterxml.jackson.databind.node.ArrayNode args) implements SioPacket {}

  /** CONNECT_ERROR: clients never send it; decoding it is a protocol error upstream. */
  record ConnectError(String nsp, JsonNode data) implements SioPacket {}
}
