package dev.herald.transport.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.herald.config.HeraldConfig;
import dev.herald.ops.HeraldMetrics;
import dev.herald.transport.engineio.EngineOptions;
import dev.herald.transport.engineio.EngineServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import dev.herald.transport.websocket.WebSocketUpgrades;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Socket.IO endpoint inside the test process with limits of the test's choosing: the real
 * Engine.IO and Socket.IO layers on one event loop, serving {@code /} with a namespace that
 * accepts everyone, fails on demand ({@code fail} events) and publishes to all its sockets.
 */
final class SioTestNode implements AutoCloseable {
  /** How a {@code fail} event makes the namespace's handler fail. */
  enum Failure {
    EXCEPTION, STACK_OVERFLOW, OUT_OF_MEMORY;

    void raise() {
      switch (this) {
        case EXCEPTION -> throw new IllegalStateException("a namespace bug");
        case STACK_OVERFLOW -> throw new StackOverflowError("a namespace recursing without end");
        case OUT_OF_MEMORY -> throw new OutOfMemoryError("a namespace that ran out of heap");
      }
    }
  }

  private final Vertx vertx;
  private final int port;
  private final List<SioSocket> sockets;

  private SioTestNode(Vertx vertx, int port, List<SioSocket> sockets) {
    this.vertx = vertx;
    this.port = port;
    this.sockets = sockets;
  }

  /** Starts a node whose Socket.IO endpoint enforces {@code limits}; one event loop serves everyone. */
  static SioTestNode start(SioLimits limits) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    HeraldConfig.Engine engine = new HeraldConfig.Engine(Duration.ofSeconds(25), Duration.ofSeconds(20),
        limits.maxPacketBytes(), Duration.ofSeconds(45), Duration.ofSeconds(10), List.of("*"));
    List<SioSocket> sockets = new CopyOnWriteArrayList<>();
    SocketIoServer socketIo = new SocketIoServer(Map.of("/", new FailingNamespace(sockets)),
        engine.connectTimeout(), limits);
    EngineServer endpoint = new EngineServer(new EngineOptions(engine, 1 << 20), new HeraldMetrics(), socketIo);
    WebSocketUpgrades.Router upgrades = req -> req.path().startsWith("/socket.io/") ? endpoint::upgrade : null;
    int port = vertx.createHttpServer(new HttpServerOptions().setPort(0).setHost("127.0.0.1"))
        .connectionHandler(conn -> WebSocketUpgrades.install(conn, upgrades))
        .requestHandler(endpoint::handle)
        .listen().await().actualPort();
    return new SioTestNode(vertx, port, sockets);
  }

  /** {@code http://127.0.0.1:<port>} */
  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** {@code ws://127.0.0.1:<port>} */
  String wsUrl() {
    return "ws://127.0.0.1:" + port;
  }

  /** Emits {@code event} to every socket connected now, each on its own event loop. */
  void publish(String event) {
    for (SioSocket socket : sockets) {
      socket.engine().context().runOnContext(v -> socket.emit(event));
    }
  }

  @Override
  public void close() {
    vertx.close().await();
  }

  /** Accepts every CONNECT; a {@code fail} event with a {@link Failure} name fails its handler so. */
  private record FailingNamespace(List<SioSocket> sockets) implements Namespace {
    @Override
    public Future<Void> connect(SioSocket socket, JsonNode auth, EngineServer.Handshake handshake) {
      sockets.add(socket);
      return Future.succeededFuture();
    }

    @Override
    public void onEvent(SioSocket socket, String event, ArrayNode args, SioSocket.Ack ack) {
      if (event.equals("fail")) {
        Failure.valueOf(args.get(0).asText()).raise();
      }
    }

    @Override
    public void onDisconnect(SioSocket socket, String reason) {
      sockets.remove(socket);
    }
  }
}
