package dev.herald.conformance;

import static dev.herald.conformance.SuiteWebSocket.Type.CLOSE;
import static dev.herald.conformance.SuiteWebSocket.Type.MESSAGE;
import static dev.herald.conformance.SuiteWebSocket.Type.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.conformance.SuiteRuntime.Response;
import dev.herald.conformance.SuiteWebSocket.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official Socket.IO v5 suite, socketio/socket.io-protocol {@code test-suite/test-suite.js} at
 * the commit {@code conformance/official-suites.txt} names, ported step by step like
 * {@link EngineIoConformanceTest}: its Engine.IO part and its Socket.IO part, against
 * {@code /socket.io/} of the conformance server (the suite's application: {@code auth} echoed on
 * connect, {@code message} answered with {@code message-back}, {@code message-with-ack} acked).
 * What the suite leaves unchecked is checked in {@link SocketIoBeyondTheSuitesTest}.
 *
 * <p>The {@code sleep(...)} is the suite's own: the ping timeout test waits exactly pingInterval +
 * pingTimeout on purpose.
 */
@ExtendWith(OfficialSuiteServer.class)
@TestMethodOrder(OfficialSuites.InFileOrder.class)
class SocketIoConformanceTest {
  static final int PING_INTERVAL = 300;
  static final int PING_TIMEOUT = 200;

  private String URL;
  private String WS_URL;
  private SuiteRuntime js;

  @BeforeEach
  void start(TestInfo test) {
    URL = OfficialSuiteServer.url();
    WS_URL = OfficialSuiteServer.wsUrl();
    // mocha's default timeout, and describe("heartbeat")'s this.timeout(5000)
    boolean heartbeat = test.getDisplayName().startsWith("Engine.IO protocol › heartbeat › ");
    js = new SuiteRuntime(OfficialSuiteServer.http(), Duration.ofMillis(heartbeat ? 5000 : 2000));
  }

  @AfterEach
  void stop() {
    js.close();
  }

  private CompletableFuture<Void> sleep(long delay) {
    return js.sleep(delay);
  }

  private CompletableFuture<SuiteWebSocket.Event> waitFor(SuiteWebSocket socket, SuiteWebSocket.Type eventType) {
    CompletableFuture<SuiteWebSocket.Event> promise = new CompletableFuture<>();
    socket.addEventListener(eventType, promise::complete, true);
    return promise;
  }

  private CompletableFuture<List<Object>> waitForPackets(SuiteWebSocket socket, int count) {
    List<Object> packets = new ArrayList<>();
    CompletableFuture<List<Object>> promise = new CompletableFuture<>();
    Consumer<SuiteWebSocket.Event> handler = new Consumer<>() {
      @Override
      public void accept(SuiteWebSocket.Event event) {
        if ("2".equals(data(event))) {
          // ignore PING packets
          return;
        }
        packets.add(data(event));
        if (packets.size() == count) {
          socket.removeEventListener(MESSAGE, this);
          promise.complete(packets);
        }
      }
    };
    socket.addEventListener(MESSAGE, handler, false);
    return promise;
  }

  private String initLongPollingSession() {
    Response response = js.await(js.fetch(URL + "/socket.io/?EIO=4&transport=polling"));
    String content = response.text();
    return SuiteJson.parse(content.substring(1)).get("sid").asText();
  }

  private SuiteWebSocket initSocketIOConnection() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=websocket");
    // socket.binaryType = "arraybuffer": binary data arrives as bytes here in any case

    js.await(waitFor(socket, MESSAGE)); // Engine.IO handshake

    socket.send("40");

    js.await(waitFor(socket, MESSAGE)); // Socket.IO handshake
    js.await(waitFor(socket, MESSAGE)); // "auth" packet

    return socket;
  }

  private static Object data(SuiteWebSocket.Event message) {
    return ((Message) message).data();
  }

  // ==== Engine.IO protocol › handshake ====

  @Test
  @DisplayName("Engine.IO protocol › handshake › HTTP long-polling › should successfully open a session")
  void pollingHandshakeShouldSuccessfullyOpenASession() {
    Response response = js.await(js.fetch(URL + "/socket.io/?EIO=4&transport=polling"));

    assertThat(response.status()).isEqualTo(200);

    String content = response.text();

    assertThat(content).startsWith("0");

    JsonNode value = SuiteJson.parse(content.substring(1));

    SuiteJson.assertAllKeys(value, "sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload");
    assertThat(value.get("sid").isTextual()).as("sid is a string").isTrue();
    assertThat(value.get("upgrades")).isEqualTo(SuiteJson.parse("[\"websocket\"]"));
    assertThat(value.get("pingInterval")).isEqualTo(SuiteJson.number(PING_INTERVAL));
    assertThat(value.get("pingTimeout")).isEqualTo(SuiteJson.number(PING_TIMEOUT));
    assertThat(value.get("maxPayload")).isEqualTo(SuiteJson.number(1000000));
  }

  @Test
  @DisplayName("Engine.IO protocol › handshake › HTTP long-polling › should fail with an invalid 'EIO' query parameter")
  void pollingHandshakeShouldFailWithAnInvalidEioQueryParameter() {
    Response response = js.await(js.fetch(URL + "/socket.io/?transport=polling"));

    assertThat(response.status()).isEqualTo(400);

    Response response2 = js.await(js.fetch(URL + "/socket.io/?EIO=abc&transport=polling"));

    assertThat(response2.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("Engine.IO protocol › handshake › HTTP long-polling › should fail with an invalid 'transport' query parameter")
  void pollingHandshakeShouldFailWithAnInvalidTransportQueryParameter() {
    Response response = js.await(js.fetch(URL + "/socket.io/?EIO=4"));

    assertThat(response.status()).isEqualTo(400);

    Response response2 = js.await(js.fetch(URL + "/socket.io/?EIO=4&transport=abc"));

    assertThat(response2.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("Engine.IO protocol › handshake › HTTP long-polling › should fail with an invalid request method")
  void pollingHandshakeShouldFailWithAnInvalidRequestMethod() {
    Response response = js.await(js.fetch(URL + "/socket.io/?EIO=4&transport=polling", "post", null));

    assertThat(response.status()).isEqualTo(400);

    Response response2 = js.await(js.fetch(URL + "/socket.io/?EIO=4&transport=polling", "put", null));

    assertThat(response2.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("Engine.IO protocol › handshake › WebSocket › should successfully open a session")
  void webSocketHandshakeShouldSuccessfullyOpenASession() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=websocket");

    String data = (String) data(js.await(waitFor(socket, MESSAGE)));

    assertThat(data).startsWith("0");

    JsonNode value = SuiteJson.parse(data.substring(1));

    SuiteJson.assertAllKeys(value, "sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload");
    assertThat(value.get("sid").isTextual()).as("sid is a string").isTrue();
    assertThat(value.get("upgrades")).isEqualTo(SuiteJson.parse("[]"));
    assertThat(value.get("pingInterval")).isEqualTo(SuiteJson.number(PING_INTERVAL));
    assertThat(value.get("pingTimeout")).isEqualTo(SuiteJson.number(PING_TIMEOUT));
    assertThat(value.get("maxPayload")).isEqualTo(SuiteJson.number(1000000));

    socket.close();
  }

  /**
   * The suite awaits neither close and ignores errors: it passes whatever the server answers, and
   * so does this port. {@link EngineIoBeyondTheSuitesTest} awaits the ends.
   */
  @Test
  @DisplayName("Engine.IO protocol › handshake › WebSocket › should fail with an invalid 'EIO' query parameter")
  void webSocketHandshakeShouldFailWithAnInvalidEioQueryParameter() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?transport=websocket");

    socket.onError(e -> { }); // if (isNodejs)

    waitFor(socket, CLOSE);

    SuiteWebSocket socket2 = js.webSocket(WS_URL + "/socket.io/?EIO=abc&transport=websocket");

    socket2.onError(e -> { });

    waitFor(socket2, CLOSE);
  }

  /** As the previous test: nothing awaited, nothing checked. */
  @Test
  @DisplayName("Engine.IO protocol › handshake › WebSocket › should fail with an invalid 'transport' query parameter")
  void webSocketHandshakeShouldFailWithAnInvalidTransportQueryParameter() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?EIO=4");

    socket.onError(e -> { });

    waitFor(socket, CLOSE);

    SuiteWebSocket socket2 = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=abc");

    socket2.onError(e -> { });

    waitFor(socket2, CLOSE);
  }

  // ==== Engine.IO protocol › heartbeat (this.timeout(5000)) ====

  @Test
  @DisplayName("Engine.IO protocol › heartbeat › HTTP long-polling › should send ping/pong packets")
  void pollingShouldSendPingPongPackets() {
    String sid = initLongPollingSession();

    for (int i = 0; i < 3; i++) {
      Response pollResponse = js.await(js.fetch(URL + "/socket.io/?EIO=4&transport=polling&sid=" + sid));

      assertThat(pollResponse.status()).isEqualTo(200);

      String pollContent = pollResponse.text();

      assertThat(pollContent).isEqualTo("2");

      Response pushResponse = js.await(js.fetch(URL + "/socket.io/?EIO=4&transport=polling&sid=" + sid, "post", "3"));

      assertThat(pushResponse.status()).isEqualTo(200);
    }
  }

  /** Issue 11, defect 1: Herald answered this poll 200, its ping-timeout deadline counted from a late tick. */
  @Test
  @DisplayName("Engine.IO protocol › heartbeat › HTTP long-polling › should close the session upon ping timeout")
  void pollingShouldCloseTheSessionUponPingTimeout() {
    String sid = initLongPollingSession();

    // the suite's own wait, exactly pingInterval + pingTimeout: by then the session must be gone
    js.await(sleep(PING_INTERVAL + PING_TIMEOUT));

    Response pollResponse = js.await(js.fetch(URL + "/socket.io/?EIO=4&transport=polling&sid=" + sid));

    assertThat(pollResponse.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("Engine.IO protocol › heartbeat › WebSocket › should send ping/pong packets")
  void webSocketShouldSendPingPongPackets() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=websocket");

    js.await(waitFor(socket, MESSAGE)); // handshake

    for (int i = 0; i < 3; i++) {
      Object data = data(js.await(waitFor(socket, MESSAGE)));

      assertThat(data).isEqualTo("2");

      socket.send("3");
    }

    socket.close();
  }

  @Test
  @DisplayName("Engine.IO protocol › heartbeat › WebSocket › should close the session upon ping timeout")
  void webSocketShouldCloseTheSessionUponPingTimeout() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=websocket");

    js.await(waitFor(socket, CLOSE)); // handshake
  }

  // ==== Engine.IO protocol › close ====

  @Test
  @DisplayName("Engine.IO protocol › close › HTTP long-polling › should forcefully close the session")
  void pollingShouldForcefullyCloseTheSession() {
    String sid = initLongPollingSession();

    Response pollResponse = js.await(js.all(
        js.fetch(URL + "/socket.io/?EIO=4&transport=polling&sid=" + sid),
        js.fetch(URL + "/socket.io/?EIO=4&transport=polling&sid=" + sid, "post", "1"))).get(0);

    assertThat(pollResponse.status()).isEqualTo(200);

    String pullContent = pollResponse.text();

    assertThat(pullContent).isEqualTo("6");

    Response pollResponse2 = js.await(js.fetch(URL + "/socket.io/?EIO=4&transport=polling&sid=" + sid));

    assertThat(pollResponse2.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("Engine.IO protocol › close › WebSocket › should forcefully close the session")
  void webSocketShouldForcefullyCloseTheSession() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=websocket");

    js.await(waitFor(socket, MESSAGE)); // handshake

    socket.send("1");

    js.await(waitFor(socket, CLOSE));
  }

  // ==== Engine.IO protocol › upgrade ====

  @Test
  @DisplayName("Engine.IO protocol › upgrade › should successfully upgrade from HTTP long-polling to WebSocket")
  void shouldSuccessfullyUpgradeFromHttpLongPollingToWebSocket() {
    String sid = initLongPollingSession();

    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=websocket&sid=" + sid);

    js.await(waitFor(socket, OPEN));

    // send probe
    socket.send("2probe");

    Object probeResponse = data(js.await(waitFor(socket, MESSAGE)));

    assertThat(probeResponse).isEqualTo("3probe");

    // complete upgrade
    socket.send("5");
  }

  @Test
  @DisplayName("Engine.IO protocol › upgrade › should ignore HTTP requests with same sid after upgrade")
  void shouldIgnoreHttpRequestsWithSameSidAfterUpgrade() {
    String sid = initLongPollingSession();

    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=websocket&sid=" + sid);

    js.await(waitFor(socket, OPEN));
    socket.send("2probe");
    socket.send("5");

    Response pollResponse = js.await(js.fetch(URL + "/socket.io/?EIO=4&transport=polling&sid=" + sid));

    assertThat(pollResponse.status()).isEqualTo(400);
  }

  /** Issue 11, defect 1: Herald refused the second WebSocket with HTTP 400, an uncaught {@code error}. */
  @Test
  @DisplayName("Engine.IO protocol › upgrade › should ignore WebSocket connection with same sid after upgrade")
  void shouldIgnoreWebSocketConnectionWithSameSidAfterUpgrade() {
    String sid = initLongPollingSession();

    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=websocket&sid=" + sid);

    js.await(waitFor(socket, OPEN));
    socket.send("2probe");
    socket.send("5");

    SuiteWebSocket socket2 = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=websocket&sid=" + sid);

    js.await(waitFor(socket2, CLOSE));
  }

  // ==== Socket.IO protocol › connect ====

  @Test
  @DisplayName("Socket.IO protocol › connect › should allow connection to the main namespace")
  void shouldAllowConnectionToTheMainNamespace() {
    connectsAndGetsAuth("40", "40", 2, "42[\"auth\",{}]");
  }

  @Test
  @DisplayName("Socket.IO protocol › connect › should allow connection to the main namespace with a payload")
  void shouldAllowConnectionToTheMainNamespaceWithAPayload() {
    connectsAndGetsAuth("40{\"token\":\"123\"}", "40", 2, "42[\"auth\",{\"token\":\"123\"}]");
  }

  @Test
  @DisplayName("Socket.IO protocol › connect › should allow connection to a custom namespace")
  void shouldAllowConnectionToACustomNamespace() {
    connectsAndGetsAuth("40/custom,", "40/custom,", 10, "42/custom,[\"auth\",{}]");
  }

  @Test
  @DisplayName("Socket.IO protocol › connect › should allow connection to a custom namespace with a payload")
  void shouldAllowConnectionToACustomNamespaceWithAPayload() {
    connectsAndGetsAuth("40/custom,{\"token\":\"abc\"}", "40/custom,", 10, "42/custom,[\"auth\",{\"token\":\"abc\"}]");
  }

  /** The four "should allow connection" tests, identical but for the packets. */
  private void connectsAndGetsAuth(String connect, String prefix, int handshakeAt, String auth) {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=websocket");

    js.await(waitFor(socket, MESSAGE)); // Engine.IO handshake

    socket.send(connect);

    String data = (String) data(js.await(waitFor(socket, MESSAGE)));

    assertThat(data).startsWith(prefix);

    JsonNode handshake = SuiteJson.parse(data.substring(handshakeAt));

    SuiteJson.assertAllKeys(handshake, "sid");
    assertThat(handshake.get("sid").isTextual()).as("sid is a string").isTrue();

    Object authPacket = data(js.await(waitFor(socket, MESSAGE)));

    assertThat(authPacket).isEqualTo(auth);
  }

  @Test
  @DisplayName("Socket.IO protocol › connect › should disallow connection to an unknown namespace")
  void shouldDisallowConnectionToAnUnknownNamespace() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=websocket");

    js.await(waitFor(socket, MESSAGE)); // Engine.IO handshake

    socket.send("40/random");

    Object data = data(js.await(waitFor(socket, MESSAGE)));

    assertThat(data).isEqualTo("44/random,{\"message\":\"Invalid namespace\"}");
  }

  @Test
  @DisplayName("Socket.IO protocol › connect › should disallow connection with an invalid handshake")
  void shouldDisallowConnectionWithAnInvalidHandshake() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=websocket");

    js.await(waitFor(socket, MESSAGE)); // Engine.IO handshake

    socket.send("4abc");

    js.await(waitFor(socket, CLOSE));
  }

  @Test
  @DisplayName("Socket.IO protocol › connect › should close the connection if no handshake is received")
  void shouldCloseTheConnectionIfNoHandshakeIsReceived() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/socket.io/?EIO=4&transport=websocket");

    js.await(waitFor(socket, CLOSE));
  }

  // ==== Socket.IO protocol › disconnect ====

  @Test
  @DisplayName("Socket.IO protocol › disconnect › should disconnect from the main namespace")
  void shouldDisconnectFromTheMainNamespace() {
    SuiteWebSocket socket = initSocketIOConnection();

    socket.send("41");

    Object data = data(js.await(waitFor(socket, MESSAGE)));

    assertThat(data).isEqualTo("2");
  }

  @Test
  @DisplayName("Socket.IO protocol › disconnect › should connect then disconnect from a custom namespace")
  void shouldConnectThenDisconnectFromACustomNamespace() {
    SuiteWebSocket socket = initSocketIOConnection();

    js.await(waitFor(socket, MESSAGE)); // ping

    socket.send("40/custom");

    js.await(waitFor(socket, MESSAGE)); // Socket.IO handshake
    js.await(waitFor(socket, MESSAGE)); // auth packet

    socket.send("41/custom");
    socket.send("42[\"message\",\"message to main namespace\"]");

    Object data = data(js.await(waitFor(socket, MESSAGE)));

    assertThat(data).isEqualTo("42[\"message-back\",\"message to main namespace\"]");
  }

  // ==== Socket.IO protocol › message ====

  @Test
  @DisplayName("Socket.IO protocol › message › should send a plain-text packet")
  void shouldSendAPlainTextPacket() {
    SuiteWebSocket socket = initSocketIOConnection();

    socket.send("42[\"message\",1,\"2\",{\"3\":[true]}]");

    Object data = data(js.await(waitFor(socket, MESSAGE)));

    assertThat(data).isEqualTo("42[\"message-back\",1,\"2\",{\"3\":[true]}]");
  }

  @Test
  @DisplayName("Socket.IO protocol › message › should send a packet with binary attachments")
  void shouldSendAPacketWithBinaryAttachments() {
    SuiteWebSocket socket = initSocketIOConnection();

    socket.send("452-[\"message\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    socket.send((byte) 1, (byte) 2, (byte) 3);
    socket.send((byte) 4, (byte) 5, (byte) 6);

    List<Object> packets = js.await(waitForPackets(socket, 3));

    assertThat(packets.get(0)).isEqualTo(
        "452-[\"message-back\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    assertThat(packets.get(1)).isInstanceOf(byte[].class);
    assertThat((byte[]) packets.get(1)).containsExactly(1, 2, 3);
    assertThat(packets.get(2)).isInstanceOf(byte[].class);
    assertThat((byte[]) packets.get(2)).containsExactly(4, 5, 6);

    socket.close();
  }

  @Test
  @DisplayName("Socket.IO protocol › message › should send a plain-text packet with an ack")
  void shouldSendAPlainTextPacketWithAnAck() {
    SuiteWebSocket socket = initSocketIOConnection();

    socket.send("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");

    Object data = data(js.await(waitFor(socket, MESSAGE)));

    assertThat(data).isEqualTo("43456[1,\"2\",{\"3\":[false]}]");
  }

  @Test
  @DisplayName("Socket.IO protocol › message › should send a packet with binary attachments and an ack")
  void shouldSendAPacketWithBinaryAttachmentsAndAnAck() {
    SuiteWebSocket socket = initSocketIOConnection();

    socket.send("452-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    socket.send((byte) 1, (byte) 2, (byte) 3);
    socket.send((byte) 4, (byte) 5, (byte) 6);

    List<Object> packets = js.await(waitForPackets(socket, 3));

    assertThat(packets.get(0)).isEqualTo("462-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    assertThat(packets.get(1)).isInstanceOf(byte[].class);
    assertThat((byte[]) packets.get(1)).containsExactly(1, 2, 3);
    assertThat(packets.get(2)).isInstanceOf(byte[].class);
    assertThat((byte[]) packets.get(2)).containsExactly(4, 5, 6);

    socket.close();
  }

  @Test
  @DisplayName("Socket.IO protocol › message › should close the connection upon invalid format (unknown packet type)")
  void shouldCloseTheConnectionUponInvalidFormatUnknownPacketType() {
    closesUpon("4abc");
  }

  @Test
  @DisplayName("Socket.IO protocol › message › should close the connection upon invalid format (invalid payload format)")
  void shouldCloseTheConnectionUponInvalidFormatInvalidPayloadFormat() {
    closesUpon("42{}");
  }

  @Test
  @DisplayName("Socket.IO protocol › message › should close the connection upon invalid format (invalid ack id)")
  void shouldCloseTheConnectionUponInvalidFormatInvalidAckId() {
    closesUpon("42abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");
  }

  /** The three "should close the connection upon invalid format" tests, identical but for the packet. */
  private void closesUpon(String packet) {
    SuiteWebSocket socket = initSocketIOConnection();

    socket.send(packet);

    js.await(waitFor(socket, CLOSE));
  }
}
