package dev.herald.transport.socketio;

import dev.herald.transport.engineio.EngineServer;
import dev.herald.transport.engineio.EngineSocket;
import java.util.Map;

/**
 * Socket.IO v5 on top of an Engine.IO endpoint: one {@link SioConnection} per Engine.IO session,
 * routing to the registered {@link Namespace}s ({@code /} and {@code /events} in Herald).
 */
public final class SocketIoServer implements EngineServer.Listener {
  private final Map<String, Namespace> namespaces;
  private final long connectTimeoutMillis;

  public SocketIoServer(Map<String, Namespace> namespaces, long connectTimeoutMillis) {
    this.namespaces = Map.copyOf(namespaces);
    this.connectTimeoutMillis = connectTimeoutMillis;
  }

  @Override
  public void onOpen(EngineSocket socket, EngineServer.Handshake handshake) {
    socket.setHandler(new SioConnection(socket, handshake, namespaces, connectTimeoutMillis));
  }
}
