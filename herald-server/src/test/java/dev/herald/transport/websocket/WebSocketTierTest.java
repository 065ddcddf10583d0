package dev.herald.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.conformance.ConformanceServer;
import dev.herald.testing.TestHerald;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Herald's own WebSocket handler (transport.websocket) against frames that well-behaved clients never
 * send, over a raw socket: RFC 6455 framing, fragmentation, control frames, the closing handshake,
 * the opening handshake's refusals, and HTTP that must still pass the upgrade interceptor.
 * The echo endpoint of the conformance server ({@code /engine.io/}) answers every message.
 */
class WebSocketTierTest {
  private static final String ECHO = "/engine.io/?EIO=4&transport=websocket";
  private static Vertx vertx;
  private static int port;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    port = ConformanceServer.start(vertx, 0).await().actualPort();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static RawWebSocket open() throws IOException {
    RawWebSocket ws = new RawWebSocket(port);
    ws.write(RawWebSocket.upgradeRequest(ECHO, "13", ""));
    assertThat(ws.readHead().status()).isEqualTo(101);
    assertThat(ws.readFrame().text()).as("Engine.IO open packet").startsWith("0{");
    return ws;
  }

  @Test
  void fragmentedTextMessageIsReassembledBeforeTheSessionSeesIt() throws IOException {
    try (RawWebSocket ws = open()) {
      ws.write(RawWebSocket.frame(false, 0x1, bytes("4hel"), true));
      ws.write(RawWebSocket.frame(false, 0x0, bytes("lo "), true));
      ws.write(RawWebSocket.frame(true, 0x0, bytes("world"), true));

      RawWebSocket.Frame echo = ws.readFrame();
      assertThat(echo.opcode()).isEqualTo(0x1);
      assertThat(echo.text()).isEqualTo("4hello world");
    }
  }

  @Test
  void framesGluedToTheHandshakeAreNotLost() throws IOException {
    try (RawWebSocket ws = new RawWebSocket(port)) {
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      both.writeBytes(RawWebSocket.upgradeRequest(ECHO, "13", ""));
      both.writeBytes(RawWebSocket.text("4early"));
      ws.write(both.toByteArray());

      assertThat(ws.readHead().status()).isEqualTo(101);
      assertThat(ws.readFrame().text()).startsWith("0{");
      assertThat(ws.readFrame().text()).isEqualTo("4early");
    }
  }

  @Test
  void pingIsAnsweredWithAPongCarryingItsData() throws IOException {
    try (RawWebSocket ws = open()) {
      ws.write(RawWebSocket.frame(true, 0x9, bytes("are you there"), true));

      RawWebSocket.Frame pong = ws.readFrame();
      assertThat(pong.opcode()).isEqualTo(0xA);
      assertThat(pong.text()).isEqualTo("are you there");
    }
  }

  @Test
  void unmaskedClientFrameClosesWithProtocolError() throws IOException {
    try (RawWebSocket ws = open()) {
      ws.write(RawWebSocket.frame(true, 0x1, bytes("4not masked"), false));

      assertClosedWith(ws, 1002);
    }
  }

  @Test
  void invalidUtf8InATextMessageClosesWith1007() throws IOException {
    try (RawWebSocket ws = open()) {
      ws.write(RawWebSocket.frame(true, 0x1, new byte[] {'4', (byte) 0xC3, (byte) 0x28}, true));

      assertClosedWith(ws, 1007);
    }
  }

  @Test
  void frameAnnouncingMoreThanTheLimitClosesWithMessageTooBigBeforeItArrives() throws IOException {
    try (RawWebSocket ws = open()) {
      // the header alone: 127, then a 64-bit length of 2,000,000 (the limit is 1,000,000), then the mask
      ws.write(new byte[] {(byte) 0x81, (byte) (0x80 | 127), 0, 0, 0, 0, 0, 0x1E, (byte) 0x84, (byte) 0x80,
          1, 2, 3, 4});

      assertClosedWith(ws, 1009);
    }
  }

  @Test
  void fragmentsAddingUpToMoreThanTheLimitCloseWithMessageTooBig() throws IOException {
    try (RawWebSocket ws = open()) {
      byte[] half = new byte[600_000];
      java.util.Arrays.fill(half, (byte) 'a');
      half[0] = '4';
      ws.write(RawWebSocket.frame(false, 0x1, half, true));
      ws.write(RawWebSocket.frame(true, 0x0, half, true));

      assertClosedWith(ws, 1009);
    }
  }

  @Test
  void continuationWithoutAStartClosesWithProtocolError() throws IOException {
    try (RawWebSocket ws = open()) {
      ws.write(RawWebSocket.frame(true, 0x0, bytes("orphan"), true));

      assertClosedWith(ws, 1002);
    }
  }

  @Test
  void clientCloseIsAnsweredWithItsCodeAndTheConnectionEnds() throws IOException {
    try (RawWebSocket ws = open()) {
      ws.write(RawWebSocket.frame(true, 0x8, new byte[] {0x03, (byte) 0xE8}, true));

      assertClosedWith(ws, 1000);
    }
  }

  @Test
  void unsupportedProtocolVersionIsRefusedWith426NamingVersion13() throws IOException {
    try (RawWebSocket ws = new RawWebSocket(port)) {
      ws.write(RawWebSocket.upgradeRequest(ECHO, "8", ""));

      RawWebSocket.Head head = ws.readHead();
      assertThat(head.status()).isEqualTo(426);
      assertThat(head.text().toLowerCase(java.util.Locale.ROOT)).contains("sec-websocket-version: 13");
      assertThat(ws.readBody(head)).contains("version 13");
      assertThat(ws.closedByServer()).as("connection closed after the refusal").isTrue();
    }
  }

  @Test
  void malformedKeyIsRefusedWith400() throws IOException {
    try (RawWebSocket ws = new RawWebSocket(port)) {
      String request = new String(RawWebSocket.upgradeRequest(ECHO, "13", ""), StandardCharsets.US_ASCII)
          .replaceFirst("Sec-WebSocket-Key: [^\r]*", "Sec-WebSocket-Key: not-base64!");
      ws.write(request.getBytes(StandardCharsets.US_ASCII));

      assertThat(ws.readHead().status()).isEqualTo(400);
    }
  }

  @Test
  void engineIoErrorsAreAnsweredBeforeTheUpgradeWithTheirJsonBody() throws IOException {
    try (RawWebSocket ws = new RawWebSocket(port)) {
      ws.write(RawWebSocket.upgradeRequest("/engine.io/?EIO=3&transport=websocket", "13", ""));

      RawWebSocket.Head head = ws.readHead();
      assertThat(head.status()).isEqualTo(400);
      assertThat(ws.readBody(head)).isEqualTo("{\"code\":5,\"message\":\"Unsupported protocol version\"}");
    }
  }

  @Test
  void ordinaryRequestsKeepTheirConnectionAliveThroughTheInterceptor() throws IOException {
    try (TestHerald herald = TestHerald.start(); RawWebSocket http = new RawWebSocket(herald.port())) {
      for (int i = 0; i < 2; i++) {
        http.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        RawWebSocket.Head head = http.readHead();
        assertThat(head.status()).as("request %d on one connection", i).isEqualTo(200);
        assertThat(http.readBody(head)).contains("\"status\":\"UP\"");
      }
    }
  }

  private static void assertClosedWith(RawWebSocket ws, int code) throws IOException {
    RawWebSocket.Frame close = ws.readFrame();
    assertThat(close.opcode()).as("a close frame").isEqualTo(0x8);
    assertThat(close.closeCode()).isEqualTo(code);
    assertThat(ws.closedByServer()).as("TCP connection closed after the close frame").isTrue();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
