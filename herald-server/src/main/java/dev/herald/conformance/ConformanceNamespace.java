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

  /**
   * Accepts, and emits {@code auth} on the next turn of the session's loop, a write of its own after
   * the CONNECT answer, as the reference server's does (its engine.io writes one packet at a time
   * per WebSocket: the event goes out when the CONNECT answer's write completes). The suites read the
   * two with chained one-shot listeners, and their {@code ws} client emits every message of one read
   * at once: an event written right behind the answer is often in the same read and lost to them
   * (measured under load: 140 of 200 connections written back to back, 51 of 200 this way, 58 of
   * 200 with the reference server). Real clients read both either way.
   */
  @Override
  public Future<Void> connect(SioSocket socket, JsonNode auth, EngineServer.Handshake handshake) {
    socket.engine().context().runOnContext(v -> socket.emit("auth", auth));
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
