package dev.herald.transport.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.herald.transport.engineio.EngineServer;
import io.vertx.core.Future;

/**
 * What a Socket.IO namespace does with its sockets: the application side of the protocol. All
 * methods are called on the socket's event loop.
 */
public interface Namespace {
  /**
   * Decides a CONNECT. Complete the future to accept; fail it with {@link ConnectRefused} to answer
   * CONNECT_ERROR. Before completing, the namespace may set the socket's ids
   * ({@link SioSocket#restore}) to resume an earlier session. Packets the socket is asked to send
   * before the CONNECT answer goes out are held and follow it.
   */
  Future<Void> connect(SioSocket socket, JsonNode auth, EngineServer.Handshake handshake);

  /** An event from the client; {@code ack} is null when the client wants no answer. */
  void onEvent(SioSocket socket, String event, ArrayNode args, SioSocket.Ack ack);

  /** The socket left the namespace; {@code reason} as socket.io names it. */
  void onDisconnect(SioSocket socket, String reason);

  /** A refusal of a CONNECT: the client's {@code connect_error} receives {@code message} and {@code data}. */
  final class ConnectRefused extends Exception {
    private final transient JsonNode data;

    public ConnectRefused(String message, JsonNode data) {
      super(message, null, false, false);
      this.data = data;
    }

    public JsonNode data() {
      return data;
    }
  }
}
