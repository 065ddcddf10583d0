package dev.herald.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The "Socket.IO protocol" part of the official Socket.IO v5 suite (socket.io monorepo,
 * docs/socket.io-protocol/v5-test-suite/test-suite.js, b4002c28) against {@code /socket.io/}, all
 * over WebSocket. Every Socket.IO packet travels in an Engine.IO message, hence the leading
 * {@code 4}. The checklist is notes/conformance-checks.md, section 5.
 */
class SocketIoConformanceTest {
  private static Vertx vertx;
  private static HttpClient http;
  private static URI wsUri;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    int port = ConformanceServer.start(vertx, 0).await().actualPort();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    wsUri = URI.create("ws://localhost:" + port + "/socket.io/?EIO=4&transport=websocket");
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  /** An Engine.IO WebSocket session whose open packet has been read; no namespace joined yet. */
  static WsRecorder openEngineIo() {
    WsRecorder socket = WsRecorder.open(http, wsUri);
    Polling.openPacket(socket.awaitText());
    return socket;
  }

  /** The suite's {@code initSocketIOConnection()}: joined to {@code /}, CONNECT reply and auth read. */
  static WsRecorder connectToMainNamespace() {
    WsRecorder socket = openEngineIo();
    socket.sendText("40");
    assertThat(socket.awaitText()).startsWith("40{");
    assertThat(socket.awaitText()).isEqualTo("42[\"auth\",{}]");
    return socket;
  }

  /** Asserts {@code json} is a CONNECT reply payload with exactly one key, a string {@code sid}. */
  static void assertConnectReply(String json) throws Exception {
    JsonNode handshake = Polling.JSON.readTree(json);
    assertThat(handshake.isObject()).as("CONNECT reply payload %s", json).isTrue();
    assertThat(handshake.fieldNames()).toIterable().containsExactly("sid");
    assertThat(handshake.get("sid").isTextual()).as("sid is a string").isTrue();
  }

  @Nested
  class Connect {
    @Test
    void connectToTheMainNamespaceIsAnsweredWithOnlyASidAndThenAnEmptyAuth() throws Exception {
      try (WsRecorder socket = openEngineIo()) {
        socket.sendText("40");

        String reply = socket.awaitText();
        assertThat(reply).startsWith("40");
        assertConnectReply(reply.substring(2));
        assertThat(socket.awaitText()).isEqualTo("42[\"auth\",{}]");
      }
    }

    @Test
    void connectToTheMainNamespaceWithAPayloadGetsThatPayloadBackAsAuth() throws Exception {
      try (WsRecorder socket = openEngineIo()) {
        socket.sendText("40{\"token\":\"123\"}");

        String reply = socket.awaitText();
        assertThat(reply).startsWith("40");
        assertConnectReply(reply.substring(2));
        assertThat(socket.awaitText()).isEqualTo("42[\"auth\",{\"token\":\"123\"}]");
      }
    }

    @Test
    void connectToACustomNamespaceIsAnsweredWithItsPrefixAndThenAnEmptyAuth() throws Exception {
      try (WsRecorder socket = openEngineIo()) {
        socket.sendText("40/custom,");

        String reply = socket.awaitText();
        assertThat(reply).startsWith("40/custom,");
        assertConnectReply(reply.substring(10));
        assertThat(socket.awaitText()).isEqualTo("42/custom,[\"auth\",{}]");
      }
    }

    @Test
    void connectToACustomNamespaceWithAPayloadGetsThatPayloadBackAsAuth() throws Exception {
      try (WsRecorder socket = openEngineIo()) {
        socket.sendText("40/custom,{\"token\":\"abc\"}");

        String reply = socket.awaitText();
        assertThat(reply).startsWith("40/custom,");
        assertConnectReply(reply.substring(10));
        assertThat(socket.awaitText()).isEqualTo("42/custom,[\"auth\",{\"token\":\"abc\"}]");
      }
    }

    @Test
    void connectToAnUnknownNamespaceIsAnsweredWithConnectErrorAndLeavesTheConnectionUsable() throws Exception {
      try (WsRecorder socket = openEngineIo()) {
        socket.sendText("40/random");

        assertThat(socket.awaitText()).isEqualTo("44/random,{\"message\":\"Invalid namespace\"}");

        // not in the suite: the refusal touches nothing else (checklist 5.4)
        socket.sendText("40");
        String reply = socket.awaitText();
        assertThat(reply).startsWith("40{");
        assertConnectReply(reply.substring(2));
      }
    }

    @Test
    void invalidPacketTypeInsteadOfConnectMakesTheServerClose() {
      try (WsRecorder socket = openEngineIo()) {
        socket.sendText("4abc");

        socket.awaitClose();
        assertThat(socket.queued()).as("frames after the invalid packet").isEmpty();
      }
    }

    @Test
    void connectionThatNeverSendsConnectIsClosedByTheServer() {
      try (WsRecorder socket = WsRecorder.open(http, wsUri)) {
        socket.awaitClose();
      }
    }
  }

  @Nested
  class Disconnect {
    @Test
    void leavingTheMainNamespaceKeepsTheEngineIoConnectionAndItsHeartbeat() {
      try (WsRecorder socket = connectToMainNamespace()) {
        socket.sendText("41");

        // nothing answers the DISCONNECT; the next frame is the regular ping
        assertThat(socket.awaitText()).isEqualTo("2");
        assertThat(socket.isClosed()).isFalse();
      }
    }

    @Test
    void leavingACustomNamespaceKeepsTheMainNamespaceWorking() {
      try (WsRecorder socket = connectToMainNamespace()) {
        assertThat(socket.awaitText()).as("ping").isEqualTo("2"); // not answered, as in the suite

        socket.sendText("40/custom");
        assertThat(socket.awaitText()).startsWith("40/custom,{\"sid\":");
        assertThat(socket.awaitText()).isEqualTo("42/custom,[\"auth\",{}]");

        socket.sendText("41/custom");
        socket.sendText("42[\"message\",\"message to main namespace\"]");

        assertThat(socket.awaitText()).isEqualTo("42[\"message-back\",\"message to main namespace\"]");
      }
    }
  }

  @Nested
  class Message {
    @Test
    void plainTextEventIsEchoedWithCompactJsonAndKeyOrderKept() {
      try (WsRecorder socket = connectToMainNamespace()) {
        socket.sendText("42[\"message\",1,\"2\",{\"3\":[true]}]");

        assertThat(socket.awaitText()).isEqualTo("42[\"message-back\",1,\"2\",{\"3\":[true]}]");
      }
    }

    @Test
    void binaryEventIsEchoedAsPlaceholdersFollowedByTheAttachmentsInOrder() {
      try (WsRecorder socket = connectToMainNamespace()) {
        socket.sendText("452-[\"message\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
        socket.sendBinary((byte) 1, (byte) 2, (byte) 3);
        socket.sendBinary((byte) 4, (byte) 5, (byte) 6);

        assertThat(socket.awaitFrameSkippingPings()).isEqualTo(new WsRecorder.Text(
            "452-[\"message-back\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]"));
        assertThat(binary(socket.awaitFrameSkippingPings())).containsExactly(1, 2, 3);
        assertThat(binary(socket.awaitFrameSkippingPings())).containsExactly(4, 5, 6);
      }
    }

    @Test
    void eventWithAnAckIdIsAnsweredWithAnAckCarryingTheSameArguments() {
      try (WsRecorder socket = connectToMainNamespace()) {
        socket.sendText("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");

        assertThat(socket.awaitText()).isEqualTo("43456[1,\"2\",{\"3\":[false]}]");
      }
    }

    @Test
    void binaryEventWithAnAckIdIsAnsweredWithABinaryAckAndTheAttachmentsInOrder() {
      try (WsRecorder socket = connectToMainNamespace()) {
        socket.sendText(
            "452-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
        socket.sendBinary((byte) 1, (byte) 2, (byte) 3);
        socket.sendBinary((byte) 4, (byte) 5, (byte) 6);

        assertThat(socket.awaitFrameSkippingPings()).isEqualTo(new WsRecorder.Text(
            "462-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]"));
        assertThat(binary(socket.awaitFrameSkippingPings())).containsExactly(1, 2, 3);
        assertThat(binary(socket.awaitFrameSkippingPings())).containsExactly(4, 5, 6);
      }
    }

    @Test
    void unknownPacketTypeMakesTheServerClose() {
      try (WsRecorder socket = connectToMainNamespace()) {
        socket.sendText("4abc");

        socket.awaitClose();
        assertThat(socket.queued()).as("frames after the invalid packet").isEmpty();
      }
    }

    @Test
    void eventWhosePayloadIsNotAnArrayMakesTheServerClose() {
      try (WsRecorder socket = connectToMainNamespace()) {
        socket.sendText("42{}");

        socket.awaitClose();
        assertThat(socket.queued()).as("frames after the invalid packet").isEmpty();
      }
    }

    @Test
    void eventWithANonNumericAckIdMakesTheServerClose() {
      try (WsRecorder socket = connectToMainNamespace()) {
        socket.sendText("42abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");

        socket.awaitClose();
        assertThat(socket.queued()).as("frames after the invalid packet").isEmpty();
      }
    }
  }

  private static byte[] binary(WsRecorder.Frame frame) {
    assertThat(frame).isInstanceOf(WsRecorder.Binary.class);
    return ((WsRecorder.Binary) frame).bytes();
  }
}
