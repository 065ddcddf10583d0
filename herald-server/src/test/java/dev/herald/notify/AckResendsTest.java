package dev.herald.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.ManualScheduler;
import dev.herald.testing.MovableClock;
import dev.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed 002's re-sends (every 5 s, 3 times, until acked) on a scheduler the test moves: five
 * seconds pass in no time, and "nothing more was sent" is proven with a later marker event, which
 * the gateway delivers in publish order behind anything sent before it.
 */
class AckResendsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration INTERVAL = Duration.ofSeconds(5);

  private static MovableClock clock;
  private static ManualScheduler scheduler;
  private static TestHerald herald;

  @BeforeAll
  static void start() {
    clock = new MovableClock(Instant.now());
    scheduler = new ManualScheduler(clock);
    herald = TestHerald.start(Map.of(), clock, scheduler);
  }

  @AfterAll
  static void stop() {
    herald.close();
  }

  @Test
  void unackedNotificationIsResentEveryIntervalThreeTimesThenLoggedUnacknowledged() throws Exception {
    try (JsonWsRecorder ws = JsonWsRecorder.connect(herald, TestHerald.token("resend-me", null))) {
      String id = create("resend-me");
      assertThat(ws.next().path("id").asText()).isEqualTo(id);

      for (int resend = 1; resend <= 3; resend++) {
        scheduler.advance(INTERVAL);
        assertThat(ws.next().path("id").asText()).as("re-send %d", resend).isEqualTo(id);
      }
      scheduler.advance(INTERVAL);
      assertNothingMoreThan(ws, "resend-me");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(herald.queryDatabase("select count(*) from delivery_log where notification_id = ?::uuid "
              + "and status = 'unacknowledged'", id)).isEqualTo(1L));
    }
  }

  @Test
  void ackStopsTheResends() throws Exception {
    try (JsonWsRecorder ws = JsonWsRecorder.connect(herald, TestHerald.token("acks-at-once", null))) {
      String id = create("acks-at-once");
      assertThat(ws.next().path("id").asText()).isEqualTo(id);
      ws.send("{\"type\":\"ack\",\"notificationId\":\"" + id + "\"}");
      ws.next("acked");
      assertThat(ws.nextEvent("notificationStatus").path("data").path("status").asText()).isEqualTo("delivered");
      scheduler.advance(INTERVAL.multipliedBy(4));
      assertNothingMoreThan(ws, "acks-at-once");
    }
  }

  @Test
  void readAllStopsOnlyThatUsersResends() throws Exception {
    try (JsonWsRecorder reader = JsonWsRecorder.connect(herald, TestHerald.token("reads-all", null));
        JsonWsRecorder other = JsonWsRecorder.connect(herald, TestHerald.token("reads-nothing", null))) {
      String mine = create("reads-all");
      String theirs = create("reads-nothing");
      assertThat(reader.next().path("id").asText()).isEqualTo(mine);
      assertThat(other.next().path("id").asText()).isEqualTo(theirs);

      HttpResponse<String> read = herald.call("PUT", "/api/notifications/read-all", TestHerald.token("reads-all", null), null);
      assertThat(read.statusCode()).isEqualTo(200);
      assertThat(reader.nextEvent("notification:all-read").path("data").path("count").asInt()).isEqualTo(1);

      scheduler.advance(INTERVAL);
      assertThat(other.next().path("id").asText()).as("the other user's re-send").isEqualTo(theirs);
      assertNothingMoreThan(reader, "reads-all");
    }
  }

  private static String create(String user) throws Exception {
    HttpResponse<String> r = herald.post("/api/notifications", TestHerald.API_KEY,
        "{\"type\":\"t\",\"recipients\":[\"" + user + "\"],\"title\":\"ack me\",\"requiresAck\":true}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).path("ids").get(0).asText();
  }

  /** A marker published now is the next frame: nothing was sent to {@code user} in between. */
  private static void assertNothingMoreThan(JsonWsRecorder ws, String user) {
    herald.publish("{\"room\":\"user:" + user + "\",\"event\":\"marker\",\"data\":null}");
    JsonNode next = ws.next();
    assertThat(next.path("event").asText()).as("the next frame: %s", next).isEqualTo("marker");
  }
}
