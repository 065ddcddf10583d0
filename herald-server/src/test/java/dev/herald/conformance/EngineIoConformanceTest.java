package dev.herald.conformance;

import static dev.herald.conformance.SuiteWebSocket.Type.CLOSE;
import static dev.herald.conformance.SuiteWebSocket.Type.MESSAGE;
import static dev.herald.conformance.SuiteWebSocket.Type.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.conformance.SuiteRuntime.Response;
import dev.herald.conformance.SuiteWebSocket.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official Engine.IO v4 suite, socketio/engine.io-protocol {@code test-suite/test-suite.js} at
 * the commit {@code conformance/official-suites.txt} names, ported step by step: one test per
 * {@code it}, named by its describe path, taking the same steps in the same order and asserting what
 * the suite asserts, no more and no less, against {@code /engine.io/} of the conformance server.
 * {@link SuiteRuntime} runs each test the way Node and mocha run the original; what the suite
 * leaves unchecked is checked in {@link EngineIoBeyondTheSuitesTest}, not here.
 *
 * <p>The {@code sleep(...)}s are the suite's own: they are part of what it checks (the ping timeout
 * test waits exactly pingInterval + pingTimeout on purpose), not synchronisation.
 */
@ExtendWith(OfficialSuiteServer.class)
@TestMethodOrder(OfficialSuites.InFileOrder.class)
class EngineIoConformanceTest {
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

  private String initLongPollingSession() {
    Response response = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling"));
    String content = response.text();
    return SuiteJson.parse(content.substring(1)).get("sid").asText();
  }

  private static Object data(SuiteWebSocket.Event message) {
    return ((Message) message).data();
  }

  // ---- handshake ----

  @Test
  @DisplayName("Engine.IO protocol › handshake › HTTP long-polling › successfully opens a session")
  void pollingHandshakeSuccessfullyOpensASession() {
    Response response = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling"));

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
  @DisplayName("Engine.IO protocol › handshake › HTTP long-polling › fails with an invalid 'EIO' query parameter")
  void pollingHandshakeFailsWithAnInvalidEioQueryParameter() {
    Response response = js.await(js.fetch(URL + "/engine.io/?transport=polling"));

    assertThat(response.status()).isEqualTo(400);

    Response response2 = js.await(js.fetch(URL + "/engine.io/?EIO=abc&transport=polling"));

    assertThat(response2.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("Engine.IO protocol › handshake › HTTP long-polling › fails with an invalid 'transport' query parameter")
  void pollingHandshakeFailsWithAnInvalidTransportQueryParameter() {
    Response response = js.await(js.fetch(URL + "/engine.io/?EIO=4"));

    assertThat(response.status()).isEqualTo(400);

    Response response2 = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=abc"));

    assertThat(response2.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("Engine.IO protocol › handshake › HTTP long-polling › fails with an invalid request method")
  void pollingHandshakeFailsWithAnInvalidRequestMethod() {
    Response response = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling", "post", null));

    assertThat(response.status()).isEqualTo(400);

    Response response2 = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling", "put", null));

    assertThat(response2.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("Engine.IO protocol › handshake › WebSocket › successfully opens a session")
  void webSocketHandshakeSuccessfullyOpensASession() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/engine.io/?EIO=4&transport=websocket");

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
   * The suite starts both attempts and awaits neither close ({@code waitFor} without
   * {@code await}), with their errors ignored: it passes whatever the server answers, so this port
   * checks nothing either. {@link EngineIoBeyondTheSuitesTest} awaits the ends.
   */
  @Test
  @DisplayName("Engine.IO protocol › handshake › WebSocket › fails with an invalid 'EIO' query parameter")
  void webSocketHandshakeFailsWithAnInvalidEioQueryParameter() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/engine.io/?transport=websocket");

    socket.onError(e -> { }); // if (isNodejs)

    waitFor(socket, CLOSE);

    SuiteWebSocket socket2 = js.webSocket(WS_URL + "/engine.io/?EIO=abc&transport=websocket");

    socket2.onError(e -> { });

    waitFor(socket2, CLOSE);
  }

  /** As the previous test: nothing awaited, nothing checked; see {@link EngineIoBeyondTheSuitesTest}. */
  @Test
  @DisplayName("Engine.IO protocol › handshake › WebSocket › fails with an invalid 'transport' query parameter")
  void webSocketHandshakeFailsWithAnInvalidTransportQueryParameter() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/engine.io/?EIO=4");

    socket.onError(e -> { });

    waitFor(socket, CLOSE);

    SuiteWebSocket socket2 = js.webSocket(WS_URL + "/engine.io/?EIO=4&transport=abc");

    socket2.onError(e -> { });

    waitFor(socket2, CLOSE);
  }

  // ---- message ----

  @Test
  @DisplayName("Engine.IO protocol › message › HTTP long-polling › sends and receives a payload containing one plain text packet")
  void pollingSendsAndReceivesAPayloadContainingOnePlainTextPacket() {
    sendsAndReceives("4hello", "4hello");
  }

  @Test
  @DisplayName("Engine.IO protocol › message › HTTP long-polling › sends and receives a payload containing several plain text packets")
  void pollingSendsAndReceivesAPayloadContainingSeveralPlainTextPackets() {
    sendsAndReceives("4test1\u001e4test2\u001e4test3", "4test1\u001e4test2\u001e4test3");
  }

  @Test
  @DisplayName("Engine.IO protocol › message › HTTP long-polling › sends and receives a payload containing plain text and binary packets")
  void pollingSendsAndReceivesAPayloadContainingPlainTextAndBinaryPackets() {
    sendsAndReceives("4hello\u001ebAQIDBA==", "4hello\u001ebAQIDBA==");
  }

  /** The three "sends and receives" tests, identical but for the payload. */
  private void sendsAndReceives(String body, String expected) {
    String sid = initLongPollingSession();

    Response pushResponse = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid, "post", body));

    assertThat(pushResponse.status()).isEqualTo(200);

    String postContent = pushResponse.text();

    assertThat(postContent).isEqualTo("ok");

    Response pollResponse = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid));

    assertThat(pollResponse.status()).isEqualTo(200);

    String pollContent = pollResponse.text();

    assertThat(pollContent).isEqualTo(expected);
  }

  /**
   * The suite's {@code catch} around the POST swallows a failed request and a failed
   * {@code expect} alike, so only the poll after it is checked.
   */
  @Test
  @DisplayName("Engine.IO protocol › message › HTTP long-polling › closes the session upon invalid packet format")
  void pollingClosesTheSessionUponInvalidPacketFormat() {
    String sid = initLongPollingSession();

    try {
      Response pushResponse = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid, "post", "abc"));

      assertThat(pushResponse.status()).isEqualTo(400);
    } catch (SuiteRuntime.MochaFailure mocha) {
      throw mocha;
    } catch (RuntimeException | AssertionError e) {
      // node-fetch throws when the request is closed abnormally
    }

    Response pollResponse = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid));

    assertThat(pollResponse.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("Engine.IO protocol › message › HTTP long-polling › closes the session upon duplicate poll requests")
  void pollingClosesTheSessionUponDuplicatePollRequests() {
    String sid = initLongPollingSession();

    List<Response> pollResponses = js.await(js.all(
        js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid),
        sleep(5).thenCompose(v -> js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid + "&t=burst"))));

    assertThat(pollResponses.get(0).status()).isEqualTo(200);

    String content = pollResponses.get(0).text();

    assertThat(content).isEqualTo("1");

    // the Node.js implementation uses HTTP 500 (Internal Server Error), but HTTP 400 seems more suitable
    assertThat(pollResponses.get(1).status()).isIn(400, 500);

    Response pollResponse = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid));

    assertThat(pollResponse.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("Engine.IO protocol › message › WebSocket › sends and receives a plain text packet")
  void webSocketSendsAndReceivesAPlainTextPacket() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/engine.io/?EIO=4&transport=websocket");

    js.await(waitFor(socket, OPEN));

    js.await(waitFor(socket, MESSAGE)); // handshake

    socket.send("4hello");

    Object data = data(js.await(waitFor(socket, MESSAGE)));

    assertThat(data).isEqualTo("4hello");

    socket.close();
  }

  @Test
  @DisplayName("Engine.IO protocol › message › WebSocket › sends and receives a binary packet")
  void webSocketSendsAndReceivesABinaryPacket() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/engine.io/?EIO=4&transport=websocket");
    // socket.binaryType = "arraybuffer": binary data arrives as bytes here in any case

    js.await(waitFor(socket, MESSAGE)); // handshake

    socket.send((byte) 1, (byte) 2, (byte) 3, (byte) 4);

    Object data = data(js.await(waitFor(socket, MESSAGE)));

    assertThat(data).isInstanceOf(byte[].class);
    assertThat((byte[]) data).containsExactly(1, 2, 3, 4);

    socket.close();
  }

  @Test
  @DisplayName("Engine.IO protocol › message › WebSocket › closes the session upon invalid packet format")
  void webSocketClosesTheSessionUponInvalidPacketFormat() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/engine.io/?EIO=4&transport=websocket");

    js.await(waitFor(socket, MESSAGE)); // handshake

    socket.send("abc");

    js.await(waitFor(socket, CLOSE));

    socket.close();
  }

  // ---- heartbeat (this.timeout(5000)) ----

  @Test
  @DisplayName("Engine.IO protocol › heartbeat › HTTP long-polling › sends ping/pong packets")
  void pollingSendsPingPongPackets() {
    String sid = initLongPollingSession();

    for (int i = 0; i < 3; i++) {
      Response pollResponse = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid));

      assertThat(pollResponse.status()).isEqualTo(200);

      String pollContent = pollResponse.text();

      assertThat(pollContent).isEqualTo("2");

      Response pushResponse = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid, "post", "3"));

      assertThat(pushResponse.status()).isEqualTo(200);
    }
  }

  /** Issue 11, defect 1: Herald answered this poll 200, its ping-timeout deadline counted from a late tick. */
  @Test
  @DisplayName("Engine.IO protocol › heartbeat › HTTP long-polling › closes the session upon ping timeout")
  void pollingClosesTheSessionUponPingTimeout() {
    String sid = initLongPollingSession();

    // the suite's own wait, exactly pingInterval + pingTimeout: by then the session must be gone
    js.await(sleep(PING_INTERVAL + PING_TIMEOUT));

    Response pollResponse = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid));

    assertThat(pollResponse.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("Engine.IO protocol › heartbeat › WebSocket › sends ping/pong packets")
  void webSocketSendsPingPongPackets() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/engine.io/?EIO=4&transport=websocket");

    js.await(waitFor(socket, MESSAGE)); // handshake

    for (int i = 0; i < 3; i++) {
      Object data = data(js.await(waitFor(socket, MESSAGE)));

      assertThat(data).isEqualTo("2");

      socket.send("3");
    }

    socket.close();
  }

  @Test
  @DisplayName("Engine.IO protocol › heartbeat › WebSocket › closes the session upon ping timeout")
  void webSocketClosesTheSessionUponPingTimeout() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/engine.io/?EIO=4&transport=websocket");

    js.await(waitFor(socket, CLOSE)); // handshake
  }

  // ---- close ----

  @Test
  @DisplayName("Engine.IO protocol › close › HTTP long-polling › forcefully closes the session")
  void pollingForcefullyClosesTheSession() {
    String sid = initLongPollingSession();

    Response pollResponse = js.await(js.all(
        js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid),
        js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid, "post", "1"))).get(0);

    assertThat(pollResponse.status()).isEqualTo(200);

    String pullContent = pollResponse.text();

    assertThat(pullContent).isEqualTo("6");

    Response pollResponse2 = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid));

    assertThat(pollResponse2.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("Engine.IO protocol › close › WebSocket › forcefully closes the session")
  void webSocketForcefullyClosesTheSession() {
    SuiteWebSocket socket = js.webSocket(WS_URL + "/engine.io/?EIO=4&transport=websocket");

    js.await(waitFor(socket, MESSAGE)); // handshake

    socket.send("1");

    js.await(waitFor(socket, CLOSE));
  }

  // ---- upgrade ----

  @Test
  @DisplayName("Engine.IO protocol › upgrade › successfully upgrades from HTTP long-polling to WebSocket")
  void successfullyUpgradesFromHttpLongPollingToWebSocket() {
    String sid = initLongPollingSession();

    SuiteWebSocket socket = js.webSocket(WS_URL + "/engine.io/?EIO=4&transport=websocket&sid=" + sid);

    js.await(waitFor(socket, OPEN));

    // send probe
    socket.send("2probe");

    Object probeResponse = data(js.await(waitFor(socket, MESSAGE)));

    assertThat(probeResponse).isEqualTo("3probe");

    Response pollResponse = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid));

    assertThat(pollResponse.status()).isEqualTo(200);

    String pollContent = pollResponse.text();

    assertThat(pollContent).isEqualTo("6"); // "noop" packet to cleanly end the HTTP long-polling request

    // complete upgrade
    socket.send("5");

    socket.send("4hello");

    Object data = data(js.await(waitFor(socket, MESSAGE)));

    assertThat(data).isEqualTo("4hello");
  }

  /** The "3probe" answer arrives while the suite awaits the fetch, with no listener: it is not seen. */
  @Test
  @DisplayName("Engine.IO protocol › upgrade › ignores HTTP requests with same sid after upgrade")
  void ignoresHttpRequestsWithSameSidAfterUpgrade() {
    String sid = initLongPollingSession();

    SuiteWebSocket socket = js.webSocket(WS_URL + "/engine.io/?EIO=4&transport=websocket&sid=" + sid);

    js.await(waitFor(socket, OPEN));
    socket.send("2probe");
    socket.send("5");

    Response pollResponse = js.await(js.fetch(URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid));

    assertThat(pollResponse.status()).isEqualTo(400);

    socket.send("4hello");

    Object data = data(js.await(waitFor(socket, MESSAGE)));

    assertThat(data).isEqualTo("4hello");
  }

  /**
   * Issue 11, defect 1: Herald refused the second WebSocket with HTTP 400, an {@code error} event
   * nobody listens for, which fails the test; it must be accepted, then closed.
   */
  @Test
  @DisplayName("Engine.IO protocol › upgrade › ignores WebSocket connection with same sid after upgrade")
  void ignoresWebSocketConnectionWithSameSidAfterUpgrade() {
    String sid = initLongPollingSession();

    SuiteWebSocket socket = js.webSocket(WS_URL + "/engine.io/?EIO=4&transport=websocket&sid=" + sid);

    js.await(waitFor(socket, OPEN));
    socket.send("2probe");
    socket.send("5");

    SuiteWebSocket socket2 = js.webSocket(WS_URL + "/engine.io/?EIO=4&transport=websocket&sid=" + sid);

    js.await(waitFor(socket2, CLOSE));

    socket.send("4hello");

    Object data = data(js.await(waitFor(socket, MESSAGE)));

    assertThat(data).isEqualTo("4hello");
  }
}
