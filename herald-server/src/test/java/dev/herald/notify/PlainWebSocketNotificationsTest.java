package dev.herald.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.TestHerald;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Durable notifications on the plain JSON WebSocket ({@code /ws}, seed 002's protocol). */
class PlainWebSocketNotificationsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of("HERALD_ACK_RETRY_MS", "60000"));

  private static String create(String recipient, String title, boolean requiresAck) throws Exception {
    var r = herald.post("/api/notifications", TestHerald.API_KEY, "{\"type\":\"alert\",\"recipients\":[\"" + recipient
        + "\"],\"title\":\"" + title + "\",\"requiresAck\":" + requiresAck + "}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).get("ids").get(0).asText();
  }

  @Test
  void notificationArrivesAsItselfAndAnAckIsAnsweredWithItsStatus() throws Exception {
    try (JsonWsRecorder ws = JsonWsRecorder.connect(herald, TestHerald.token("ws-acker", null))) {
      String id = create("ws-acker", "ack over ws", true);

      JsonNode n = ws.next();
      assertThat(n.get("id").asText()).isEqualTo(id);
      assertThat(n.get("type").asText()).isEqualTo("alert");
      assertThat(n.get("requiresAck").asBoolean()).isTrue();
      assertThat(n.get("timestamp").asText()).endsWith("Z");

      ws.send("{\"type\":\"ack\",\"notificationId\":\"" + id + "\",\"requestId\":7}");
      JsonNode acked = ws.next("acked");
      assertThat(acked.get("notificationId").asText()).isEqualTo(id);
      assertThat(acked.get("status").asText()).isEqualTo("delivered");
      assertThat(acked.get("requestId").asInt()).isEqualTo(7);
    }
  }

  @Test
  void ackOfAnUnknownOrForeignNotificationIsAnErrorAndChangesNothing() throws Exception {
    String foreign = create("ws-owner", "not yours", true);
    try (JsonWsRecorder ws = JsonWsRecorder.connect(herald, TestHerald.token("ws-intruder", null))) {
      ws.send("{\"type\":\"ack\",\"notificationId\":\"" + foreign + "\"}");
      JsonNode error = ws.next("error");
      assertThat(error.get("code").asText()).isEqualTo("not_found");

      ws.send("{\"type\":\"ack\",\"notificationId\":\"not-a-uuid\"}");
      assertThat(ws.next("error").get("code").asText()).isEqualTo("not_found");
      ws.send("{\"type\":\"ack\"}");
      assertThat(ws.next("error").get("code").asText()).isEqualTo("bad_request");
    }
    var stored = herald.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(herald.url() + "/api/notifications/" + foreign))
        .header("authorization", "Bearer " + TestHerald.token("ws-owner", null)).build());
    assertThat(JSON.readTree(stored.body()).get("status").asText()).isEqualTo("pending");
  }

  @Test
  void missedNotificationsAreReplayedInOrderThenSummarised() throws Exception {
    for (int i = 1; i <= 3; i++) {
      create("ws-away", "away " + i, false);
    }
    try (JsonWsRecorder ws = JsonWsRecorder.connect(herald, TestHerald.token("ws-away", null))) {
      ws.send("{\"type\":\"requestMissedNotifications\",\"since\":1,\"requestId\":\"r1\"}");

      assertThat(ws.next().get("title").asText()).isEqualTo("away 2");
      assertThat(ws.next().get("title").asText()).isEqualTo("away 3");
      JsonNode summary = ws.next("missedNotifications");
      assertThat(summary.get("count").asInt()).isEqualTo(2);
      assertThat(summary.get("lastSequence").asLong()).isEqualTo(3);
      assertThat(summary.get("hasMore").asBoolean()).isFalse();
      assertThat(summary.get("requestId").asText()).isEqualTo("r1");

      ws.send("{\"type\":\"requestMissedNotifications\",\"since\":\"yesterday\"}");
      assertThat(ws.next("error").get("code").asText()).isEqualTo("bad_request");
    }
  }
}
