package dev.herald.transport.socketio;

import dev.herald.config.HeraldConfig;
import dev.herald.transport.engineio.EngineServer;
import dev.herald.transport.engineio.EngineSocket;
import java.time.Duration;
import java.util.Map;

/**
 * Socket.IO v5 on top of an Engine.IO endpoint: one {@link SioConnection} per Engine.IO session,
 * routing to the registered {@link Namespace}s ({@code /} and {@code /events} in Herald).
 */
public final class SocketIoServer implements EngineServer.Listener {
  private final Map<String, Namespace> namespaces;
  private final long connectTimeoutMillis;
  private final SioLimits limits;

  /**
   * Serves {@code namespaces} with the connect timeout and payload limit of {@code engine} (a binary
   * packet, header and attachments together, may not exceed its maxPayload).
   */
  public SocketIoServer(Map<String, Namespace> namespaces, HeraldConfig.Engine engine) {
    this(namespaces, engine.connectTimeout(), SioLimits.of(engine));
  }

  SocketIoServer(Map<String, Namespace> namespaces, Duration connectTimeout, SioLimits limits) {
    this.namespaces = Map.copyOf(namespaces);
    this.connectTimeoutMillis = connectTimeout.toMillis();
    this.limits = limits;
  }

  @Override
  public void onOpen(EngineSocket socket, EngineServer.Handshake handshake) {
    socket.setHandler(new SioConnection(socket, handshake, namespaces, connectTimeoutMillis, limits));
  }
}
