package dev.herald.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What Herald's Socket.IO endpoint promises beyond the official suite's Socket.IO checks (ported
 * exactly in {@link SocketIoConformanceTest}): a refused namespace leaves the connection usable, and
 * a packet that breaks the protocol is the last thing the connection carries.
 */
@ExtendWith(OfficialSuiteServer.class)
class SocketIoBeyondTheSuitesTest {
  static URI wsUri() {
    return URI.create(OfficialSuiteServer.wsUrl() + "/socket.io/?EIO=4&transport=websocket");
  }

  /** An Engine.IO WebSocket session whose open packet has been read; no namespace joined yet. */
  static WsRecorder openEngineIo() {
    WsRecorder socket = WsRecorder.open(OfficialSuiteServer.http(), wsUri());
    Polling.openPacket(socket.awaitText());
    return socket;
  }

  /** Joined to {@code /}: CONNECT reply and auth read. */
  static WsRecorder connectToMainNamespace() {
    WsRecorder socket = openEngineIo();
    socket.sendText("40");
    assertThat(socket.awaitFrameSkippingPings()).isInstanceOfSatisfying(WsRecorder.Text.class,
        reply -> assertThat(reply.text()).startsWith("40{"));
    assertThat(socket.awaitFrameSkippingPings()).isEqualTo(new WsRecorder.Text("42[\"auth\",{}]"));
    return socket;
  }

  @Test
  void connectToAnUnknownNamespaceIsRefusedAndLeavesTheConnectionUsable() throws Exception {
    try (WsRecorder socket = openEngineIo()) {
      socket.sendText("40/random");
      assertThat(socket.awaitText()).isEqualTo("44/random,{\"message\":\"Invalid namespace\"}");

      socket.sendText("40");

      String reply = socket.awaitText();
      assertThat(reply).startsWith("40");
      JsonNode handshake = Polling.JSON.readTree(reply.substring(2));
      assertThat(handshake.fieldNames()).toIterable().containsExactly("sid");
    }
  }

  @Test
  void invalidPacketInsteadOfConnectIsTheLastThingTheConnectionCarries() {
    try (WsRecorder socket = openEngineIo()) {
      socket.sendText("4abc");

      socket.awaitClose();
      assertThat(socket.queued()).as("frames after the invalid packet").isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"4abc", "42{}", "42abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]"})
  void invalidPacketAfterConnectIsTheLastThingTheConnectionCarries(String packet) {
    try (WsRecorder socket = connectToMainNamespace()) {
      socket.sendText(packet);

      socket.awaitClose();
      assertThat(socket.queued()).as("frames after the invalid packet").isEmpty();
    }
  }
}
