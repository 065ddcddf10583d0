package dev.herald.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One Socket.IO session cannot take its event loop, or the sessions sharing it, down with it: a
 * packet left unfinished is dropped after a while, and a handler that fails closes only its own
 * session. Real Engine.IO and Socket.IO layers on a single event loop ({@link SioTestNode}), real
 * WebSocket clients, and a bystander on that loop that must still receive an event afterwards.
 */
class SioSessionIsolationTest {
  private static final Duration PARTIAL_PACKET_TIMEOUT = Duration.ofMillis(300);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static SioTestNode node;

  @BeforeAll
  static void start() {
    node = SioTestNode.start(new SioLimits(8, 100_000, PARTIAL_PACKET_TIMEOUT));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /**
   * Issue 11, defect 8: a header whose attachments never all came was kept as long as the session
   * lived. It may wait {@code partialPacketTimeout} for its last attachment, then the session closes
   * with 4001.
   */
  @Test
  void packetLeftUnfinishedClosesTheSessionAfterThePartialPacketTimeout() {
    try (SioWsClient bystander = SioWsClient.connect(node.wsUrl(), "{}");
        SioWsClient hostile = SioWsClient.connect(node.wsUrl(), "{}")) {
      hostile.send("52-[\"upload\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
      hostile.sendAttachment(new byte[1_000]);

      assertThat(hostile.awaitClose()).isEqualTo(4001);
      node.publish("still.served");
      bystander.awaitEvent("still.served");
    }
  }

  /**
   * Issue 11, defect 8: an error thrown while one session's packet was handled (the reported
   * OutOfMemoryError in the reassembly, a bug in a namespace) escaped into the event loop and the
   * session went on as if nothing had happened. It closes that session with 1011 (internal error);
   * the others on the loop and new connections are served.
   */
  @ParameterizedTest
  @EnumSource(SioTestNode.Failure.class)
  void errorInOneSessionsHandlerClosesThatSessionOnlyWithInternalError(SioTestNode.Failure failure) {
    try (SioWsClient bystander = SioWsClient.connect(node.wsUrl(), "{}");
        SioWsClient failing = SioWsClient.connect(node.wsUrl(), "{}")) {
      failing.send("2[\"fail\",\"" + failure + "\"]");

      assertThat(failing.awaitClose()).isEqualTo(1011);
      node.publish("still.served");
      bystander.awaitEvent("still.served");
      try (SioWsClient newcomer = SioWsClient.connect(node.wsUrl(), "{}")) {
        node.publish("welcome");
        newcomer.awaitEvent("welcome");
      }
    }
  }

  /**
   * Issue 11, defect 8, over HTTP long-polling, where no WebSocket stands between the session and
   * the request that carried the packet: the POST is answered, the session is closed (its next poll
   * gets the close packet) and a bystander on the loop is served.
   */
  @Test
  void errorInALongPollingSessionsHandlerClosesThatSessionOnly() throws Exception {
    try (SioWsClient bystander = SioWsClient.connect(node.wsUrl(), "{}")) {
      String open = send(HttpRequest.newBuilder(pollingUri(null))).body();
      String sid = new ObjectMapper().readTree(open.substring(1)).get("sid").asText();
      assertThat(post(sid, "0").body()).isEqualTo("ok");
      assertThat(poll(sid).body()).startsWith("40{\"sid\":");

      assertThat(post(sid, "2[\"fail\",\"EXCEPTION\"]").body()).isEqualTo("ok");
      assertThat(poll(sid).body()).as("the close packet").isEqualTo("1");
      node.publish("still.served");
      bystander.awaitEvent("still.served");
    }
  }

  private static URI pollingUri(String sid) {
    return URI.create(node.url() + "/socket.io/?EIO=4&transport=polling" + (sid == null ? "" : "&sid=" + sid));
  }

  private static HttpResponse<String> poll(String sid) {
    return send(HttpRequest.newBuilder(pollingUri(sid)));
  }

  /** POSTs one Socket.IO packet in one Engine.IO message. */
  private static HttpResponse<String> post(String sid, String packet) {
    return send(HttpRequest.newBuilder(pollingUri(sid)).POST(HttpRequest.BodyPublishers.ofString("4" + packet)));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.timeout(SioWsClient.WAIT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
