package dev.herald.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A WebSocket whose listener throws while handling a message, on an endpoint whose one event loop
 * also serves other connections: the listener echoes every text message, and fails on
 * {@code exception}, {@code stack-overflow} and {@code out-of-memory} as their names say.
 */
class WebSocketListenerFailureTest {
  private static Vertx vertx;
  private static int port;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    WebSocketSettings settings = new WebSocketSettings(64 * 1024, 1 << 20);
    WebSocketUpgrades.Router router = req -> req.path().equals("/echo")
        ? upgrade -> upgrade.accept(settings, new FailingEcho())
        : null;
    port = vertx.createHttpServer(new HttpServerOptions().setPort(0).setHost("127.0.0.1"))
        .connectionHandler(conn -> WebSocketUpgrades.install(conn, router))
        .requestHandler(req -> req.response().setStatusCode(404).end())
        .listen().await().actualPort();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  /**
   * Issue 11, defect 8: what a listener threw was logged by Vert.x and the connection went on, in
   * whatever state the failure left it. The connection fails with 1011 (RFC 6455 7.4.1: "an
   * unexpected condition that prevented it from fulfilling the request"); the loop's other
   * connections and new ones are served.
   */
  @ParameterizedTest
  @ValueSource(strings = {"exception", "stack-overflow", "out-of-memory"})
  void listenerFailureClosesThatConnectionWith1011AndTheLoopServesTheOthers(String failure) throws IOException {
    try (RawWebSocket bystander = open(); RawWebSocket failing = open()) {
      failing.sendText(failure);

      RawWebSocket.Frame close = failing.readFrame();
      assertThat(close.opcode()).as("a close frame").isEqualTo(0x8);
      assertThat(close.closeCode()).isEqualTo(1011);
      bystander.sendText("still served");
      assertThat(bystander.readFrame().text()).isEqualTo("still served");
      try (RawWebSocket newcomer = open()) {
        newcomer.sendText("welcome");
        assertThat(newcomer.readFrame().text()).isEqualTo("welcome");
      }
    }
  }

  private static RawWebSocket open() throws IOException {
    RawWebSocket ws = new RawWebSocket(port);
    ws.write(RawWebSocket.upgradeRequest("/echo", "13", ""));
    assertThat(ws.readHead().status()).isEqualTo(101);
    return ws;
  }

  /** Echoes text messages; fails on the three failure names. Called on the connection's loop. */
  private static final class FailingEcho implements WebSocket.Listener {
    @Override
    public void onText(WebSocket socket, String text) {
      switch (text) {
        case "exception" -> throw new IllegalStateException("a listener bug");
        case "stack-overflow" -> throw new StackOverflowError("a listener recursing without end");
        case "out-of-memory" -> throw new OutOfMemoryError("a listener that ran out of heap");
        default -> socket.sendText(text);
      }
    }

    @Override
    public void onBinary(WebSocket socket, byte[] data) {
      socket.sendBinary(data);
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason) {
      // nothing to release
    }
  }
}
