package dev.herald.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.TestHerald;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Honest delivery status (issue 11, defect 3): a notification is {@code delivered} when a session
 * of its recipient had it written (for {@code requiresAck}: when acked), not when it was inserted
 * while the recipient had a session. Before the fix the insert wrote {@code delivered} for a
 * recipient with a live session, so a client that never got the bytes was recorded as having them.
 */
class DeliveredMeansWrittenTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Bytes of events that fill the kernel's send buffer to a client that does not read (tcp_wmem max is 4 MiB). */
  private static final int FILLER_EVENTS = 120;
  private static final int FILLER_BYTES = 60_000;

  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of(
      // far above what the filler needs, so the server queues instead of closing a slow consumer
      "HERALD_OUTBOUND_BUFFER_BYTES", String.valueOf(64 << 20)));

  @Test
  void notificationStuckBehindAFullConnectionStaysPendingUntilItIsWritten() throws Exception {
    String user = "stuck-reader";
    try (Socket socket = new Socket()) {
      // a tiny window: what the server writes piles up in its own send buffer, then in Netty's queue
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", herald.port()));
      handshake(socket, TestHerald.token(user, null));
      String filler = "x".repeat(FILLER_BYTES);
      for (int i = 0; i < FILLER_EVENTS; i++) {
        assertThat(herald.publish("{\"room\":\"user:" + user + "\",\"event\":\"filler\",\"data\":\"" + filler + "\"}")
            .statusCode()).isEqualTo(202);
      }

      String id = create(user, false);

      JsonNode stored = get(user, id);
      assertThat(stored.path("status").asText()).as("not written yet: behind %s MB the client has not read",
          FILLER_EVENTS * FILLER_BYTES / 1_000_000).isEqualTo("pending");
      assertThat(stored.path("deliveredVia")).isEmpty();

      readUntil(socket.getInputStream(), id);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(get(user, id).path("status").asText()).isEqualTo("delivered"));
      JsonNode delivered = get(user, id);
      assertThat(delivered.path("deliveredVia")).extracting(JsonNode::asText).containsExactly("inApp");
      assertThat(delivered.path("deliveredAt").isTextual()).isTrue();
    }
  }

  @Test
  void writtenNotificationIsRecordedDeliveredOnce() throws Exception {
    String user = "two-tabs";
    try (JsonWsRecorder tab1 = JsonWsRecorder.connect(herald, TestHerald.token(user, null));
        JsonWsRecorder tab2 = JsonWsRecorder.connect(herald, TestHerald.token(user, null))) {
      String id = create(user, false);
      assertThat(tab1.next().path("id").asText()).isEqualTo(id);
      assertThat(tab2.next().path("id").asText()).isEqualTo(id);

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(get(user, id).path("status").asText()).isEqualTo("delivered"));
      JsonNode delivered = get(user, id);
      assertThat(delivered.path("deliveredVia")).as("once, though two sessions wrote it")
          .extracting(JsonNode::asText).containsExactly("inApp");
      String at = delivered.path("deliveredAt").asText();
      // a later receipt (a replay to one of the tabs) changes nothing
      tab1.send("{\"type\":\"requestMissedNotifications\",\"since\":0}");
      assertThat(tab1.next().path("id").asText()).isEqualTo(id);
      tab1.next("missedNotifications");
      herald.publish("{\"room\":\"user:" + user + "\",\"event\":\"marker\",\"data\":null}");
      tab1.nextEvent("marker");
      assertThat(get(user, id).path("deliveredAt").asText()).isEqualTo(at);
    }
  }

  @Test
  void notificationForSomeoneAwayIsDeliveredWhenTheReplayIsWritten() throws Exception {
    String user = "came-back";
    String id = create(user, false);
    assertThat(get(user, id).path("status").asText()).isEqualTo("pending");

    try (JsonWsRecorder ws = JsonWsRecorder.connect(herald, TestHerald.token(user, null))) {
      ws.send("{\"type\":\"requestMissedNotifications\",\"since\":0}");
      assertThat(ws.next().path("id").asText()).isEqualTo(id);
      ws.next("missedNotifications");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(get(user, id).path("status").asText()).isEqualTo("delivered"));
    }
  }

  @Test
  void notificationThatRequiresAnAckIsDeliveredByTheAckNotByTheWrite() throws Exception {
    String user = "acker";
    try (JsonWsRecorder ws = JsonWsRecorder.connect(herald, TestHerald.token(user, null))) {
      String id = create(user, true);
      assertThat(ws.next().path("id").asText()).isEqualTo(id);
      // written, and a later event written after it: still pending, the ack decides
      herald.publish("{\"room\":\"user:" + user + "\",\"event\":\"marker\",\"data\":null}");
      ws.nextEvent("marker");
      assertThat(get(user, id).path("status").asText()).isEqualTo("pending");

      ws.send("{\"type\":\"ack\",\"notificationId\":\"" + id + "\"}");
      ws.next("acked");
      JsonNode acked = get(user, id);
      assertThat(acked.path("status").asText()).isEqualTo("delivered");
      assertThat(acked.path("deliveredVia")).extracting(JsonNode::asText).containsExactly("inApp");
    }
  }

  @Test
  void notificationWaitingForALongPollIsPendingUntilAPollResponseCarriedIt() throws Exception {
    String user = "poller";
    String base = "/socket.io/?EIO=4&transport=polling";
    HttpResponse<String> open = herald.get(base);
    String sid = JSON.readTree(open.body().substring(1)).path("sid").asText();
    String session = base + "&sid=" + sid;
    assertThat(herald.post(session, null, "40{\"token\":\"" + TestHerald.token(user, null) + "\"}").statusCode())
        .isEqualTo(200);
    assertThat(herald.get(session).body()).as("the CONNECT answer").startsWith("40{\"sid\"");

    String id = create(user, false);
    // queued for the next poll, not written to any connection yet
    assertThat(get(user, id).path("status").asText()).isEqualTo("pending");

    assertThat(herald.get(session).body()).contains("42[\"notification\"").contains(id);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(get(user, id).path("status").asText()).isEqualTo("delivered"));
  }

  @Test
  void notificationWrittenToAnSseStreamIsDelivered() throws Exception {
    String user = "sse-reader";
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(herald.url() + "/api/stream"))
        .header("authorization", "Bearer " + TestHerald.token(user, null)).build();
    HttpResponse<java.util.stream.Stream<String>> stream = java.net.http.HttpClient.newHttpClient()
        .send(request, HttpResponse.BodyHandlers.ofLines());
    try (java.util.stream.Stream<String> lines = stream.body()) {
      var it = lines.iterator();
      assertThat(it.next()).isEqualTo("retry: 1000");
      String id = create(user, false);
      String line;
      do {
        line = it.next();
      } while (!line.startsWith("data: {\"id\""));
      assertThat(line).contains(id);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(get(user, id).path("status").asText()).isEqualTo("delivered"));
    }
  }

  private static String create(String user, boolean requiresAck) throws Exception {
    HttpResponse<String> r = herald.post("/api/notifications", TestHerald.API_KEY,
        "{\"type\":\"t\",\"recipients\":[\"" + user + "\"],\"title\":\"hello\",\"requiresAck\":" + requiresAck + "}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).path("ids").get(0).asText();
  }

  private static JsonNode get(String user, String id) throws Exception {
    HttpResponse<String> r = herald.call("GET", "/api/notifications/" + id, TestHerald.token(user, null), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** The opening handshake of RFC 6455 by hand; returns once the 101 head was read. */
  private static void handshake(Socket socket, String token) throws Exception {
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    OutputStream out = socket.getOutputStream();
    out.write(("GET /ws?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        + Base64.getEncoder().encodeToString(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("the handshake answer: %s", head).isNotNegative();
      head.append((char) b);
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 101");
  }

  /** Reads the connection until the text {@code marker} went past (frames are not parsed: the id is ASCII). */
  private static void readUntil(InputStream in, String marker) throws Exception {
    byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
    byte[] buf = new byte[64 * 1024];
    int matched = 0;
    for (int n; (n = in.read(buf)) > 0; ) {
      for (int i = 0; i < n; i++) {
        matched = buf[i] == needle[matched] ? matched + 1 : buf[i] == needle[0] ? 1 : 0;
        if (matched == needle.length) {
          return;
        }
      }
    }
    throw new AssertionError("the connection ended before " + marker + " arrived");
  }
}
