package dev.herald.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.herald.transport.engineio.EngineServer;
import dev.herald.transport.socketio.Namespace;
import dev.herald.transport.socketio.SioSocket;
import io.vertx.core.Future;

/**
 * The test application of the official Socket.IO protocol suite: every connection receives
 * {@code auth} with its CONNECT payload; on {@code /}, {@code message} is echoed as
 * {@code message-back} and {@code message-with-ack} is acked with its own arguments.
 */
final class ConformanceNamespace implements Namespace {
  private final boolean echo;

  ConformanceNamespace(boolean echo) {
    this.echo = echo;
  }

  @Override
  public Future<Void> connect(SioSocket socket, JsonNode auth, EngineServer.Handshake handshake) {
    socket.emit("auth", auth);
    return Future.succeededFuture();
  }

  @Override
  public void onEvent(SioSocket socket, String event, ArrayNode args, SioSocket.Ack ack) {
    if (!echo) {
      return;
    }
    if (event.equals("message")) {
      JsonNode[] arr = new JsonNode[args.size()];
      for (int i = 0; i < arr.length; i++) {
        arr[i] = args.get(i);
      }
      socket.emit("message-back", arr);
    } else if (event.equals("message-with-ack") && ack != null) {
      ack.sendArgs(args);
    }
  }

  @Override
  public void onDisconnect(SioSocket socket, String reason) {
    // nothing to clean up
  }
}
