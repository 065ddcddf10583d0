package dev.herald.gateway;

import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/** Ends a WebSocket whose client stopped reading, without waiting for writes it will never take. */
public final class ConnectionFailure {
  private ConnectionFailure() {}

  /**
   * Closes {@code ws} with {@code reason}, then fails the connection (RFC 6455 7.1.7): the close
   * frame queues behind data the client does not read and would never leave, and Vert.x's close
   * waits for that flush, so the channel beneath Vert.x's handler is closed, failing pending writes.
   */
  public static void failSlowConsumer(ServerWebSocket ws, CloseReason reason) {
    ws.close(reason.code(), reason.text());
    if (ws instanceof WebSocketInternal internal) {
      internal.channelHandlerContext().close();
    }
  }
}
