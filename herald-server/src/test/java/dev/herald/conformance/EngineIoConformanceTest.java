package dev.herald.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official Engine.IO v4 protocol suite (socket.io monorepo,
 * docs/engine.io-protocol/v4-test-suite/test-suite.js, newer version 36d2324d) against
 * {@code /engine.io/}, and its Engine.IO part as run by the Socket.IO v5 suite
 * (docs/socket.io-protocol/v5-test-suite) against {@code /socket.io/}. Test cases that exist in both
 * suites are parameterized by path. The checklist with every expectation is
 * notes/conformance-checks.md, sections 3 and 4.
 */
class EngineIoConformanceTest {
  static final String ENGINE_IO = "/engine.io/";
  static final String SOCKET_IO = "/socket.io/";
  static final long PING_INTERVAL = 300;
  static final long PING_TIMEOUT = 200;

  private static Vertx vertx;
  private static HttpClient http;
  private static int port;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    port = ConformanceServer.start(vertx, 0).await().actualPort();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
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

  static Polling polling(String path) {
    return new Polling(http, port, path);
  }

  static URI ws(String path, String query) {
    return URI.create("ws://localhost:" + port + path + query);
  }

  static WsRecorder openWs(String path, String query) {
    return WsRecorder.open(http, ws(path, query));
  }

  /** Asserts the open packet's JSON: exactly the five keys, with the suites' settings. */
  static void assertOpenPacket(JsonNode open, List<String> upgrades) {
    assertThat(open.isObject()).as("open packet JSON is an object: %s", open).isTrue();
    assertThat(open.properties()).extracting(Map.Entry::getKey)
        .containsExactlyInAnyOrder("sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload");
    assertThat(open.get("sid").isTextual()).as("sid is a string").isTrue();
    // the suites put the sid into URLs unencoded
    assertThat(open.get("sid").asText()).matches("[A-Za-z0-9_-]+");
    assertThat(open.get("upgrades").isArray()).isTrue();
    assertThat(open.get("upgrades")).extracting(JsonNode::asText).containsExactlyElementsOf(upgrades);
    assertThat(open.get("pingInterval").isNumber()).isTrue();
    assertThat(open.get("pingInterval").asLong()).isEqualTo(PING_INTERVAL);
    assertThat(open.get("pingTimeout").isNumber()).isTrue();
    assertThat(open.get("pingTimeout").asLong()).isEqualTo(PING_TIMEOUT);
    assertThat(open.get("maxPayload").isNumber()).isTrue();
    assertThat(open.get("maxPayload").asLong()).isEqualTo(1_000_000);
  }

  /** Asserts a WebSocket attempt ends (refused upgrade or closed socket) without any packet. */
  static void assertRefused(String path, String query) {
    try (WsRecorder socket = WsRecorder.attempt(http, ws(path, query))) {
      WsRecorder.Close close = socket.awaitClose();
      assertThat(close.refusedWithStatus()).as("refusal of %s%s: %s", path, query, close).isIn(0, 400);
      assertThat(socket.queued()).as("frames on a refused WebSocket").isEmpty();
    }
  }

  /**
   * Returns once the server has read every request and frame written to it before this call, and
   * queued for the session what they asked: the answer to a request refused at once. The
   * conformance server is started outside a verticle, so all its connections share one event loop,
   * which reads them in order of arrival and runs their hops onto the session in order. This
   * replaces the suites' {@code sleep(5)} and the luck of "the GET is issued first".
   */
  static void serverHasReadEverythingSentSoFar() {
    assertThat(polling(ENGINE_IO).get("?EIO=4&transport=abc").statusCode()).isEqualTo(400);
  }

  static String errorCode(HttpResponse<String> r) throws Exception {
    return Polling.JSON.readTree(r.body()).path("code").asText();
  }

  @Nested
  class Handshake {
    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void pollingHandshakeAnswersOnlyTheOpenPacketWithTheFiveSettings(String path) {
      HttpResponse<String> r = polling(path).get("?EIO=4&transport=polling");

      assertThat(r.statusCode()).isEqualTo(200);
      // JSON.parse(content.substring(1)) must succeed: nothing may follow the open packet
      assertOpenPacket(Polling.openPacket(r.body()), List.of("websocket"));
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void pollingHandshakeWithMissingOrNonNumericEioIsRefusedWith400(String path) throws Exception {
      HttpResponse<String> missing = polling(path).get("?transport=polling");
      HttpResponse<String> abc = polling(path).get("?EIO=abc&transport=polling");

      assertThat(missing.statusCode()).isEqualTo(400);
      assertThat(abc.statusCode()).isEqualTo(400);
      assertThat(errorCode(abc)).as("engine.io 'Unsupported protocol version'").isEqualTo("5");
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void pollingHandshakeWithMissingOrUnknownTransportIsRefusedWith400(String path) throws Exception {
      HttpResponse<String> missing = polling(path).get("?EIO=4");
      HttpResponse<String> abc = polling(path).get("?EIO=4&transport=abc");

      assertThat(missing.statusCode()).isEqualTo(400);
      assertThat(abc.statusCode()).isEqualTo(400);
      assertThat(errorCode(abc)).as("engine.io 'Transport unknown'").isEqualTo("0");
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void pollingHandshakeByPostOrPutIsRefusedWith400(String path) throws Exception {
      HttpResponse<String> post = polling(path).send("POST", "?EIO=4&transport=polling", null);
      HttpResponse<String> put = polling(path).send("PUT", "?EIO=4&transport=polling", null);

      assertThat(post.statusCode()).isEqualTo(400);
      assertThat(put.statusCode()).isEqualTo(400);
      assertThat(errorCode(put)).as("engine.io 'Bad handshake method'").isEqualTo("2");
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void websocketHandshakeSendsTheOpenPacketAsTextWithNoUpgrades(String path) {
      try (WsRecorder socket = openWs(path, "?EIO=4&transport=websocket")) {
        assertOpenPacket(Polling.openPacket(socket.awaitText()), List.of());
      }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void websocketWithMissingOrNonNumericEioEndsInClose(String path) {
      assertRefused(path, "?transport=websocket");
      assertRefused(path, "?EIO=abc&transport=websocket");
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void websocketWithMissingOrUnknownTransportEndsInClose(String path) {
      assertRefused(path, "?EIO=4");
      assertRefused(path, "?EIO=4&transport=abc");
    }
  }

  /** Section 1.4: what a browser running the suites (index.html) needs; node-fetch ignores CORS. */
  @Nested
  class Cors {
    private static final String ORIGIN = "http://localhost:8080";

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void preflightOfThePutHandshakeAllowsTheOriginAndMethodSoTheBrowserSeesThe400(String path) {
      HttpRequest.Builder preflight = HttpRequest.newBuilder(polling(path).uri("?EIO=4&transport=polling"))
          .header("Origin", ORIGIN).header("Access-Control-Request-Method", "PUT");
      HttpResponse<String> r = polling(path).sendAsync(preflight, "OPTIONS", null).join();

      assertThat(r.statusCode()).isBetween(200, 299);
      assertThat(r.headers().firstValue("access-control-allow-origin")).hasValueSatisfying(
          v -> assertThat(v).isIn("*", ORIGIN));
      assertThat(r.headers().firstValue("access-control-allow-methods")).hasValueSatisfying(
          v -> assertThat(v.split(",")).extracting(String::trim).contains("PUT"));
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void errorResponsesAllowTheOriginSoTheBrowserCanReadTheStatus(String path) {
      HttpRequest.Builder put = HttpRequest.newBuilder(polling(path).uri("?EIO=4&transport=polling"))
          .header("Origin", ORIGIN);
      HttpResponse<String> r = polling(path).sendAsync(put, "PUT", null).join();

      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.headers().firstValue("access-control-allow-origin")).hasValueSatisfying(
          v -> assertThat(v).isIn("*", ORIGIN));
    }
  }

  /** "message": only on {@code /engine.io/}, whose application echoes every message. */
  @Nested
  class Message {
    private final Polling polling = polling(ENGINE_IO);

    @Test
    void postedTextPacketIsAnsweredOkAndEchoedOnTheNextPoll() {
      String sid = polling.openSession();

      HttpResponse<String> push = polling.post(Polling.sessionQuery(sid), "4hello");
      assertThat(push.statusCode()).isEqualTo(200);
      assertThat(push.body()).isEqualTo("ok");

      HttpResponse<String> poll = polling.get(Polling.sessionQuery(sid));
      assertThat(poll.statusCode()).isEqualTo(200);
      assertThat(poll.body()).isEqualTo("4hello");
    }

    @Test
    void severalPostedTextPacketsComeBackTogetherInOnePollPayload() {
      String sid = polling.openSession();

      HttpResponse<String> push = polling.post(Polling.sessionQuery(sid), "4test1\u001e4test2\u001e4test3");
      assertThat(push.statusCode()).isEqualTo(200);
      assertThat(push.body()).isEqualTo("ok");

      HttpResponse<String> poll = polling.get(Polling.sessionQuery(sid));
      assertThat(poll.statusCode()).isEqualTo(200);
      assertThat(poll.body()).isEqualTo("4test1\u001e4test2\u001e4test3");
    }

    @Test
    void postedTextAndBinaryPacketsComeBackWithTheBinaryOneAsBase64() {
      String sid = polling.openSession();

      HttpResponse<String> push = polling.post(Polling.sessionQuery(sid), "4hello\u001ebAQIDBA==");
      assertThat(push.statusCode()).isEqualTo(200);
      assertThat(push.body()).isEqualTo("ok");

      HttpResponse<String> poll = polling.get(Polling.sessionQuery(sid));
      assertThat(poll.statusCode()).isEqualTo(200);
      assertThat(poll.body()).isEqualTo("4hello\u001ebAQIDBA==");
    }

    @Test
    void postedPayloadWithAnInvalidPacketIsRefusedWith400AndEndsTheSession() {
      String sid = polling.openSession();

      HttpResponse<String> push = polling.post(Polling.sessionQuery(sid), "abc");
      assertThat(push.statusCode()).isEqualTo(400);

      assertThat(polling.get(Polling.sessionQuery(sid)).statusCode()).isEqualTo(400);
    }

    @Test
    void duplicatePollClosesTheSessionAndReleasesTheFirstPollWithClose() {
      try (RawHttp first = new RawHttp(port)) {
        String sid = first.openSession(ENGINE_IO);
        // held: nothing is buffered
        first.sendGet(ENGINE_IO + Polling.sessionQuery(sid));
        serverHasReadEverythingSentSoFar();

        HttpResponse<String> second = polling.get(Polling.sessionQuery(sid) + "&t=burst");

        RawHttp.Response released = first.read();
        assertThat(released.status()).isEqualTo(200);
        assertThat(released.body()).isEqualTo("1");
        assertThat(second.statusCode()).isIn(400, 500);
        assertThat(polling.get(Polling.sessionQuery(sid)).statusCode()).isEqualTo(400);
      }
    }

    @Test
    void cancelledPollClosesTheSession() {
      String sid;
      try (RawHttp connection = new RawHttp(port)) {
        sid = connection.openSession(ENGINE_IO);
        connection.sendGet(ENGINE_IO + Polling.sessionQuery(sid));
        connection.abort();
      }

      HttpResponse<String> poll = polling.get(Polling.sessionQuery(sid));
      if (poll.statusCode() == 200) {
        // the server may read the cancelled GET after this one (the reset races the data): then this
        // poll is the one held when the session closes, and it receives the close packet instead
        assertThat(poll.body()).as("poll held while the session closed").isEqualTo("1");
        poll = polling.get(Polling.sessionQuery(sid));
      }
      assertThat(poll.statusCode()).as("poll after the cancelled one, answered: %s", poll.body()).isEqualTo(400);
    }

    @Test
    void websocketTextPacketIsEchoedAsText() {
      try (WsRecorder socket = openWs(ENGINE_IO, "?EIO=4&transport=websocket")) {
        socket.awaitText(); // handshake

        socket.sendText("4hello");

        assertThat(socket.awaitText()).isEqualTo("4hello");
      }
    }

    @Test
    void websocketBinaryPacketIsEchoedAsARawBinaryFrame() {
      try (WsRecorder socket = openWs(ENGINE_IO, "?EIO=4&transport=websocket")) {
        socket.awaitText(); // handshake

        socket.sendBinary((byte) 1, (byte) 2, (byte) 3, (byte) 4);

        assertThat(socket.awaitBinary()).containsExactly(1, 2, 3, 4);
      }
    }

    @Test
    void websocketInvalidPacketMakesTheServerCloseTheSocket() {
      try (WsRecorder socket = openWs(ENGINE_IO, "?EIO=4&transport=websocket")) {
        socket.awaitText(); // handshake

        socket.sendText("abc");

        socket.awaitClose();
        assertThat(socket.queued()).as("frames after the invalid packet").isEmpty();
      }
    }
  }

  /** "heartbeat" (mocha timeout 5000 ms in the suites). */
  @Nested
  class Heartbeat {
    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void pollingSessionGetsAPingOnEachPollAndStaysOpenWhileItPongs(String path) {
      Polling polling = polling(path);
      String sid = polling.openSession();

      for (int i = 0; i < 3; i++) {
        HttpResponse<String> poll = polling.get(Polling.sessionQuery(sid));
        assertThat(poll.statusCode()).as("poll %d", i).isEqualTo(200);
        assertThat(poll.body()).as("poll %d", i).isEqualTo("2");

        HttpResponse<String> pong = polling.post(Polling.sessionQuery(sid), "3");
        assertThat(pong.statusCode()).as("pong %d", i).isEqualTo(200);
      }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void pollingSessionThatNeverPongsIsGoneAfterPingIntervalPlusPingTimeout(String path) {
      Polling polling = polling(path);
      long start = System.nanoTime();
      String sid = polling.openSession();

      // the suite sleeps pingInterval + pingTimeout, then expects 400; poll until then instead
      await().atMost(Duration.ofMillis(PING_INTERVAL + PING_TIMEOUT + 1_000))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> polling.get(Polling.sessionQuery(sid)).statusCode() == 400);
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(elapsedMillis).as("ms until the session was gone")
          .isGreaterThanOrEqualTo(PING_INTERVAL + PING_TIMEOUT - 20);
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void websocketGetsPingsAsTextFramesAndStaysOpenWhileItPongs(String path) {
      try (WsRecorder socket = openWs(path, "?EIO=4&transport=websocket")) {
        socket.awaitText(); // handshake
        long opened = System.nanoTime();

        for (int i = 0; i < 3; i++) {
          assertThat(socket.awaitText()).as("frame %d", i).isEqualTo("2");
          if (i == 0) {
            // the first ping comes one pingInterval after the open, not at once
            assertThat((System.nanoTime() - opened) / 1_000_000).isGreaterThanOrEqualTo(PING_INTERVAL - 50);
          }
          socket.sendText("3");
        }
        assertThat(socket.isClosed()).as("closed although it answered every ping").isFalse();
      }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void websocketThatNeverPongsIsClosedByTheServer(String path) {
      try (WsRecorder socket = openWs(path, "?EIO=4&transport=websocket")) {
        socket.awaitClose(Duration.ofSeconds(5));

        List<WsRecorder.Frame> before = socket.queued();
        assertThat(before).as("what came before the close").hasSize(2);
        assertThat(before.get(0)).isInstanceOfSatisfying(WsRecorder.Text.class,
            open -> assertThat(open.text()).startsWith("0{"));
        assertThat(before.get(1)).as("the unanswered ping").isEqualTo(new WsRecorder.Text("2"));
      }
    }
  }

  @Nested
  class Close {
    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void closePacketPostedDuringAHeldPollReleasesItWithNoopAndEndsTheSession(String path) {
      Polling polling = polling(path);
      try (RawHttp held = new RawHttp(port)) {
        String sid = held.openSession(path);
        // the suite issues the GET first and hopes it arrives first; make sure it does
        held.sendGet(path + Polling.sessionQuery(sid));
        serverHasReadEverythingSentSoFar();

        polling.post(Polling.sessionQuery(sid), "1");

        RawHttp.Response poll = held.read();
        assertThat(poll.status()).isEqualTo(200);
        assertThat(poll.body()).isEqualTo("6");
        assertThat(polling.get(Polling.sessionQuery(sid)).statusCode()).isEqualTo(400);
      }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {ENGINE_IO, SOCKET_IO})
    void websocketClosePacketMakesTheServerCloseTheSocket(String path) {
      try (WsRecorder socket = openWs(path, "?EIO=4&transport=websocket")) {
        socket.awaitText(); // handshake

        socket.sendText("1");

        socket.awaitClose();
        assertThat(socket.queued()).as("frames after the close packet").isEmpty();
      }
    }
  }

  @Nested
  class Upgrade {
    @Test
    void upgradeAnswersTheProbeNoopsThePollAndThenCarriesMessagesOverWebSocket() {
      Polling polling = polling(ENGINE_IO);
      String sid = polling.openSession();
      try (WsRecorder socket = openWs(ENGINE_IO, "?EIO=4&transport=websocket&sid=" + sid)) {
        socket.sendText("2probe");
        // no open packet on an upgrade WebSocket: the first frame answers the probe
        assertThat(socket.awaitText()).isEqualTo("3probe");

        HttpResponse<String> poll = polling.get(Polling.sessionQuery(sid));
        assertThat(poll.statusCode()).isEqualTo(200);
        assertThat(poll.body()).as("noop ending the long-polling request").isEqualTo("6");

        socket.sendText("5");
        socket.sendText("4hello");

        assertThat(socket.awaitText()).isEqualTo("4hello");
      }
    }

    @Test
    void pollingWithTheSidAfterTheUpgradeIsRefusedWhileTheWebSocketKeepsEchoing() {
      Polling polling = polling(ENGINE_IO);
      String sid = polling.openSession();
      try (WsRecorder socket = openWs(ENGINE_IO, "?EIO=4&transport=websocket&sid=" + sid)) {
        socket.sendText("2probe");
        assertThat(socket.awaitText()).isEqualTo("3probe");
        socket.sendText("5");
        serverHasReadEverythingSentSoFar();

        assertThat(polling.get(Polling.sessionQuery(sid)).statusCode()).isEqualTo(400);

        socket.sendText("4hello");
        assertThat(socket.awaitText()).isEqualTo("4hello");
      }
    }

    @Test
    void secondWebSocketWithTheSidAfterTheUpgradeIsRefusedWhileTheFirstKeepsEchoing() {
      Polling polling = polling(ENGINE_IO);
      String sid = polling.openSession();
      try (WsRecorder socket = openWs(ENGINE_IO, "?EIO=4&transport=websocket&sid=" + sid)) {
        socket.sendText("2probe");
        assertThat(socket.awaitText()).isEqualTo("3probe");
        socket.sendText("5");

        assertRefused(ENGINE_IO, "?EIO=4&transport=websocket&sid=" + sid);

        socket.sendText("4hello");
        assertThat(socket.awaitText()).isEqualTo("4hello");
      }
    }

    // The Socket.IO suite's shorter variants: no echo application, and "5" follows "2probe" at once.

    @Test
    void socketIoUpgradeAnswersTheProbeAndAcceptsTheUpgradePacket() {
      Polling polling = polling(SOCKET_IO);
      String sid = polling.openSession();
      try (WsRecorder socket = openWs(SOCKET_IO, "?EIO=4&transport=websocket&sid=" + sid)) {
        socket.sendText("2probe");
        assertThat(socket.awaitText()).isEqualTo("3probe");

        socket.sendText("5");

        // the session now lives on the WebSocket: its heartbeat arrives there
        assertThat(socket.awaitText()).isEqualTo("2");
        assertThat(socket.isClosed()).isFalse();
      }
    }

    @Test
    void socketIoPollingWithTheSidRightAfterProbeAndUpgradeIsRefused() {
      Polling polling = polling(SOCKET_IO);
      String sid = polling.openSession();
      try (WsRecorder socket = openWs(SOCKET_IO, "?EIO=4&transport=websocket&sid=" + sid)) {
        socket.sendText("2probe");
        socket.sendText("5");
        serverHasReadEverythingSentSoFar();

        assertThat(polling.get(Polling.sessionQuery(sid)).statusCode()).isEqualTo(400);
        assertThat(socket.awaitText()).isEqualTo("3probe");
      }
    }

    @Test
    void socketIoSecondWebSocketWithTheSidRightAfterProbeAndUpgradeIsRefused() {
      Polling polling = polling(SOCKET_IO);
      String sid = polling.openSession();
      try (WsRecorder socket = openWs(SOCKET_IO, "?EIO=4&transport=websocket&sid=" + sid)) {
        socket.sendText("2probe");
        socket.sendText("5");

        assertRefused(SOCKET_IO, "?EIO=4&transport=websocket&sid=" + sid);
        assertThat(socket.awaitText()).isEqualTo("3probe");
      }
    }
  }
}
