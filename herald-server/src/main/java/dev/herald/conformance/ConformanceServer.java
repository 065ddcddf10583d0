package dev.herald.conformance;

import dev.herald.config.HeraldConfig;
import dev.herald.transport.engineio.EngineOptions;
import dev.herald.transport.engineio.EngineServer;
import dev.herald.transport.engineio.EngineSocket;
import dev.herald.transport.socketio.Namespace;
import dev.herald.transport.socketio.SocketIoServer;
import dev.herald.transport.websocket.WebSocketUpgrades;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the official protocol test suites ({@code test-suite/test-suite.js} of
 * github.com/socketio/engine.io-protocol and github.com/socketio/socket.io-protocol) expect on one
 * port: {@code /engine.io/} echoing every message, {@code /socket.io/} with their test application,
 * pingInterval 300, pingTimeout 200, maxPayload 1000000, connectTimeout 1000, any origin.
 */
public final class ConformanceServer {
  private ConformanceServer() {}

  /** The settings the suites assume. */
  public static HeraldConfig.Engine engineSettings() {
    return new HeraldConfig.Engine(Duration.ofMillis(300), Duration.ofMillis(200), 1_000_000,
        Duration.ofMillis(1_000), Duration.ofMillis(10_000), List.of("*"));
  }

  /** Starts the conformance endpoints on {@code port} (0 picks one) and completes with the server. */
  public static Future<HttpServer> start(int port) {
    return start(Vertx.vertx(vertxOptions()), port);
  }

  /**
   * Vert.x as {@code herald serve} runs it: Linux's epoll when it loads. The suites are then checked
   * against the I/O path Herald ships, which also reads requests that arrive together in arrival
   * order (the JDK selector handled them in either order: the second of two polls sent 5 ms apart
   * came first in about 2 of 100 tries, 13 of 100 when sent together; with epoll in none).
   */
  public static VertxOptions vertxOptions() {
    return new VertxOptions().setPreferNativeTransport(true);
  }

  /** Starts the conformance endpoints on {@code vertx}; closing {@code vertx} stops them. */
  public static Future<HttpServer> start(Vertx vertx, int port) {
    HeraldMetrics metrics = new HeraldMetrics();
    EngineOptions options = new EngineOptions(engineSettings(), 16 * 1024 * 1024);
    EngineServer echo = new EngineServer(options, metrics, ConformanceServer::echo);
    Map<String, Namespace> namespaces = Map.of(
        "/", new ConformanceNamespace(true), "/custom", new ConformanceNamespace(false));
    EngineServer socketIo = new EngineServer(options, metrics, new SocketIoServer(namespaces, engineSettings()));
    HttpServerOptions http = new HttpServerOptions().setPort(port)
        .setPerFrameWebSocketCompressionSupported(false).setPerMessageWebSocketCompressionSupported(false)
        .setHttp2ClearTextEnabled(false);
    WebSocketUpgrades.Router upgrades = req -> !"websocket".equals(req.param("transport")) ? null
        : req.path().startsWith("/engine.io/") ? echo::upgrade
        : req.path().startsWith("/socket.io/") ? socketIo::upgrade : null;
    return vertx.createHttpServer(http).connectionHandler(conn -> WebSocketUpgrades.install(conn, upgrades))
        .requestHandler(req -> {
      if (req.path().startsWith("/engine.io/")) {
        echo.handle(req);
      } else if (req.path().startsWith("/socket.io/")) {
        socketIo.handle(req);
      } else {
        req.response().setStatusCode(404).end();
      }
    }).listen().onSuccess(s -> System.out.println(
        "Herald conformance endpoints on http://localhost:" + s.actualPort() + "/engine.io/ and /socket.io/"));
  }

  private static void echo(EngineSocket socket, EngineServer.Handshake handshake) {
    socket.setHandler(new EngineSocket.Handler() {
      @Override
      public void onMessage(String text) {
        socket.send(text);
      }

      @Override
      public void onBinary(Buffer data) {
        socket.sendBinary(data);
      }

      @Override
      public void onClose(String reason) {
        // nothing to release
      }
    });
  }
}
