package dev.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Presence as seed 000 announces it (issue 14), over {@code /ws}, on a clock the test moves: the
 * tenant hears {@code user:online} at a user's first session only, {@code user:offline {userId,
 * lastSeenAt}} once the last one closed and the grace period passed without a new one (a reload
 * inside it says nothing), {@code presence:updated} on {@code presence:update}; bad statuses are
 * refused and change nothing; {@code GET /api/presence/{userId}} answers from memory while the user
 * is online and from PostgreSQL after.
 */
class PresenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration GRACE = Duration.ofSeconds(5);

  private MovableClock clock;
  private ManualScheduler scheduler;
  private TestHerald herald;

  @BeforeEach
  void start() {
    clock = new MovableClock(Instant.parse("2026-12-07T10:00:00Z"));
    scheduler = new ManualScheduler(clock);
    // announcements at once here; PresenceCoalescingTest moves through their window
    herald = TestHerald.start(Map.of("HERALD_PRESENCE", "true", "HERALD_PRESENCE_COALESCE_MS", "0"), clock, scheduler);
  }

  @AfterEach
  void stop() {
    herald.close();
  }

  /** An observer of tenant acme, past its own user:online. */
  private JsonWsRecorder observer() {
    JsonWsRecorder obs = JsonWsRecorder.connect(herald, TestHerald.token("observer", "acme")).hearingPresence();
    assertThat(obs.nextEvent("user:online").at("/data/userId").asText()).isEqualTo("observer");
    return obs;
  }

  private void awaitSessions(int n) {
    await().atMost(Duration.ofSeconds(10)).until(() -> herald.sessions() == n);
  }

  /** A marker event to the tenant: the next frame an observer gets once everything before it arrived. */
  private void marker(String name) {
    HttpResponse<String> r = herald.post("/api/events", TestHerald.ACME_KEY,
        "{\"room\": \"tenant:acme\", \"event\": \"" + name + "\", \"data\": {}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }

  private JsonNode presenceOf(String user, String bearer) throws Exception {
    HttpResponse<String> r = herald.call("GET", "/api/presence/" + user, bearer, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void theFirstSessionAnnouncesOnlineAndTheLastOneOfflineAfterTheGracePeriod() throws Exception {
    try (JsonWsRecorder obs = observer()) {
      JsonWsRecorder phone = JsonWsRecorder.connect(herald, TestHerald.token("alice", "acme")).hearingPresence();
      assertThat(obs.nextEvent("user:online").at("/data/userId").asText()).isEqualTo("alice");
      JsonWsRecorder laptop = JsonWsRecorder.connect(herald, TestHerald.token("alice", "acme")).hearingPresence();
      phone.close();
      awaitSessions(2);
      scheduler.advance(GRACE.plusSeconds(1));
      // a second session said nothing, nor did closing one of two
      marker("after-second-session");
      assertThat(obs.nextEvent("after-second-session")).isNotNull();

      laptop.close();
      awaitSessions(1);
      Instant closedAt = clock.instant();
      scheduler.advance(GRACE.minusMillis(1));
      marker("inside-grace");
      assertThat(obs.nextEvent("inside-grace")).isNotNull();
      scheduler.advance(Duration.ofMillis(1));
      JsonNode offline = obs.nextEvent("user:offline").path("data");
      assertThat(offline.path("userId").asText()).isEqualTo("alice");
      assertThat(Instant.parse(offline.path("lastSeenAt").asText())).isEqualTo(closedAt.plus(GRACE));

      // kept in PostgreSQL once the batch is written, and answered from there
      scheduler.advance(Duration.ofSeconds(1));
      await().atMost(Duration.ofSeconds(10)).until(() -> herald.queryDatabase(
          "select count(*) from user_presence where user_id = 'alice'").equals(1L));
      JsonNode seen = presenceOf("alice", TestHerald.token("bob", "acme"));
      assertThat(seen.path("status").asText()).isEqualTo("OFFLINE");
      assertThat(seen.path("online").asBoolean()).isFalse();
      assertThat(Instant.parse(seen.path("lastSeenAt").asText())).isEqualTo(closedAt.plus(GRACE));
    }
  }

  @Test
  void aReloadInsideTheGracePeriodDoesNotFlap() throws Exception {
    try (JsonWsRecorder obs = observer()) {
      JsonWsRecorder before = JsonWsRecorder.connect(herald, TestHerald.token("reloader", "acme")).hearingPresence();
      assertThat(obs.nextEvent("user:online").at("/data/userId").asText()).isEqualTo("reloader");
      before.close();
      awaitSessions(1);
      scheduler.advance(Duration.ofSeconds(2));
      try (JsonWsRecorder after = JsonWsRecorder.connect(herald, TestHerald.token("reloader", "acme")).hearingPresence()) {
        scheduler.advance(GRACE.multipliedBy(2));
        marker("after-reload");
        // neither user:offline nor a second user:online came before the marker
        assertThat(obs.nextEvent("after-reload")).isNotNull();
        assertThat(presenceOf("reloader", TestHerald.ACME_KEY).path("online").asBoolean()).isTrue();
      }
    }
  }

  @Test
  void presenceUpdateIsAnsweredAndAnnouncedAndBadOnesChangeNothing() throws Exception {
    try (JsonWsRecorder obs = observer();
         JsonWsRecorder alice = JsonWsRecorder.connect(herald, TestHerald.token("alice", "acme")).hearingPresence()) {
      obs.nextEvent("user:online");
      alice.nextEvent("user:online");
      alice.send("{\"type\": \"presence:update\", \"status\": \"AWAY\", \"customStatus\": \"At lunch 🍜\"}");
      JsonNode answer = alice.next("presence:updated");
      assertThat(answer.path("status").asText()).isEqualTo("AWAY");
      // alice is a member of her tenant's room too
      assertThat(alice.nextEvent("presence:updated").at("/data/status").asText()).isEqualTo("AWAY");
      JsonNode announced = obs.nextEvent("presence:updated").path("data");
      assertThat(announced.path("userId").asText()).isEqualTo("alice");
      assertThat(announced.path("status").asText()).isEqualTo("AWAY");
      assertThat(announced.path("customStatus").asText()).isEqualTo("At lunch 🍜");

      alice.send("{\"type\": \"presence:update\", \"status\": \"SLEEPING\"}");
      assertThat(alice.next("error").path("code").asText()).isEqualTo("bad_request");
      alice.send("{\"type\": \"presence:update\", \"status\": \"BUSY\", \"customStatus\": \"" + "x".repeat(129) + "\"}");
      assertThat(alice.next("error").path("message").asText()).contains("128");
      alice.send("{\"type\": \"presence:update\", \"status\": \"BUSY\", \"customStatus\": 7}");
      assertThat(alice.next("error").path("code").asText()).isEqualTo("bad_request");

      JsonNode now = presenceOf("alice", TestHerald.token("bob", "acme"));
      assertThat(now.path("status").asText()).isEqualTo("AWAY");
      assertThat(now.path("customStatus").asText()).isEqualTo("At lunch 🍜");
      assertThat(now.path("online").asBoolean()).isTrue();
      // another tenant's user is a stranger there: never seen
      JsonNode elsewhere = presenceOf("alice", TestHerald.token("eve", "other"));
      assertThat(elsewhere.path("status").asText()).isEqualTo("OFFLINE");
      assertThat(elsewhere.path("lastSeenAt").isNull()).isTrue();
      assertThat(herald.get("/metrics").body()).contains("herald_presence_events_total{event=\"presence:updated\"} 1.0");
    }
  }

  @Test
  void theRouteNeedsCredentialsAndAValidUserId() {
    assertThat(herald.call("GET", "/api/presence/alice", null, null).statusCode()).isEqualTo(401);
    assertThat(herald.call("GET", "/api/presence/alice", "not-a-token", null).statusCode()).isEqualTo(401);
    assertThat(herald.call("GET", "/api/presence/" + "a".repeat(200), TestHerald.ACME_KEY, null).statusCode())
        .isEqualTo(400);
  }

  /** A member of {@code document:42}, past its own and others' presence noise. */
  private JsonWsRecorder inDocument(String user) {
    JsonWsRecorder ws = JsonWsRecorder.connect(herald, TestHerald.token(user, "acme", "document:*")).hearingPresence();
    ws.send("{\"type\": \"join\", \"room\": \"document:42\"}");
    JsonNode frame;
    do {
      frame = ws.next();
    } while (!frame.path("type").asText().equals("subscribed"));
    return ws;
  }

  private void docMarker(String name) {
    HttpResponse<String> r = herald.post("/api/events", TestHerald.ACME_KEY,
        "{\"room\": \"document:42\", \"event\": \"" + name + "\", \"data\": {}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }

  /** The next room event of {@code ws} that is not presence of the tenant. */
  private static JsonNode nextDocEvent(JsonWsRecorder ws) {
    JsonNode frame;
    do {
      frame = ws.next("event");
    } while (frame.path("room").asText().startsWith("tenant:"));
    return frame;
  }

  @Test
  void typingReachesTheOtherMembersCoalescedAndStopsOnExpiryStopAndDisconnect() throws Exception {
    JsonWsRecorder alice = inDocument("alice");
    try (JsonWsRecorder bob = inDocument("bob")) {
      assertThat(nextDocEvent(alice).path("event").asText()).isEqualTo("presence:joined");
      int timersBefore = scheduler.pending().size();
      String start = "{\"type\": \"typing:start\", \"resourceType\": \"document\", \"resourceId\": \"42\"}";
      alice.send(start);
      JsonNode started = nextDocEvent(bob);
      assertThat(started.path("event").asText()).isEqualTo("typing:user-started");
      assertThat(started.at("/data/userId").asText()).isEqualTo("alice");
      assertThat(started.at("/data/resourceType").asText()).isEqualTo("document");
      assertThat(started.at("/data/resourceId").asText()).isEqualTo("42");

      // renewed within 2 s: no second relay; the typist never hears herself
      alice.send(start);
      docMarker("after-renewal");
      assertThat(nextDocEvent(bob).path("event").asText()).isEqualTo("after-renewal");
      assertThat(nextDocEvent(alice).path("event").asText()).isEqualTo("after-renewal");
      scheduler.advance(Duration.ofSeconds(2));
      alice.send(start);
      assertThat(nextDocEvent(bob).path("event").asText()).isEqualTo("typing:user-started");

      // not renewed within 8 s: stopped
      scheduler.advance(Duration.ofSeconds(8));
      JsonNode stopped = nextDocEvent(bob);
      assertThat(stopped.path("event").asText()).isEqualTo("typing:user-stopped");
      assertThat(stopped.at("/data/userId").asText()).isEqualTo("alice");

      // an explicit stop
      alice.send(start);
      assertThat(nextDocEvent(bob).path("event").asText()).isEqualTo("typing:user-started");
      alice.send("{\"type\": \"typing:stop\", \"resourceType\": \"document\", \"resourceId\": \"42\"}");
      assertThat(nextDocEvent(bob).path("event").asText()).isEqualTo("typing:user-stopped");

      // a disconnect stops what the session started
      alice.send(start);
      assertThat(nextDocEvent(bob).path("event").asText()).isEqualTo("typing:user-started");
      alice.close();
      assertThat(nextDocEvent(bob).path("event").asText()).isEqualTo("typing:user-stopped");
      // no typing expiry left behind: only alice's grace period is new
      awaitSessions(1);
      assertThat(scheduler.pending()).hasSize(timersBefore + 1);
    }
  }

  @Test
  void typingIntoARoomTheUserIsNotInOrWithoutAResourceIsRefused() {
    try (JsonWsRecorder mallory = JsonWsRecorder.connect(herald, TestHerald.token("mallory", "acme")).hearingPresence()) {
      mallory.send("{\"type\": \"typing:start\", \"resourceType\": \"document\", \"resourceId\": \"42\"}");
      JsonNode refused;
      do {
        refused = mallory.next();
      } while (refused.path("type").asText().equals("event"));
      assertThat(refused.path("type").asText()).isEqualTo("error");
      assertThat(refused.path("code").asText()).isEqualTo("forbidden");
      mallory.send("{\"type\": \"typing:start\", \"resourceType\": \"document\"}");
      assertThat(mallory.next("error").path("code").asText()).isEqualTo("bad_request");
      mallory.send("{\"type\": \"typing:start\", \"resourceType\": \"a:b\", \"resourceId\": \"1\"}");
      assertThat(mallory.next("error").path("code").asText()).isEqualTo("bad_request");
    }
  }

  @Test
  void roomsOfAPresenceKindAnnounceJoinsAndLeavesAndAnswerWhoIsHere() throws Exception {
    try (JsonWsRecorder bob = inDocument("bob")) {
      JsonWsRecorder alice = inDocument("alice");
      JsonNode joined = nextDocEvent(bob);
      assertThat(joined.path("event").asText()).isEqualTo("presence:joined");
      assertThat(joined.at("/data/room").asText()).isEqualTo("document:42");
      assertThat(joined.at("/data/userId").asText()).isEqualTo("alice");
      // a second session of alice in the room says nothing
      JsonWsRecorder aliceTwice = inDocument("alice");
      docMarker("after-second");
      assertThat(nextDocEvent(bob).path("event").asText()).isEqualTo("after-second");

      alice.send("{\"type\": \"presence:update\", \"status\": \"BUSY\"}");
      bob.send("{\"type\": \"presence:who\", \"room\": \"document:42\", \"requestId\": 7}");
      JsonNode who;
      do {
        who = bob.next();
      } while (!who.path("type").asText().equals("presence:who"));
      assertThat(who.path("requestId").asInt()).isEqualTo(7);
      assertThat(who.path("users")).extracting(u -> u.path("userId").asText()).containsExactly("alice", "bob");
      JsonNode rest = JSON.readTree(herald.call("GET", "/api/presence?room=document:42", TestHerald.ACME_KEY, null).body());
      assertThat(rest.path("users")).extracting(u -> u.path("userId").asText()).containsExactly("alice", "bob");
      assertThat(rest.at("/users/0/status").asText()).isEqualTo("BUSY");
      // a user who is not in the room, and another tenant's service, see nothing of it
      assertThat(herald.call("GET", "/api/presence?room=document:42", TestHerald.token("carol", "acme"), null)
          .statusCode()).isEqualTo(403);
      assertThat(herald.call("GET", "/api/presence?room=document:42&tenant=acme", TestHerald.token("bob", "acme"), null)
          .statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(herald.call("GET", "/api/presence?room=document:42", TestHerald.token("eve", "other"), null)
          .body()).path("detail").asText()).contains("members");
      assertThat(herald.call("GET", "/api/presence?room=", TestHerald.ACME_KEY, null).statusCode()).isEqualTo(400);

      // leaving with one of two sessions says nothing; the last one says presence:left
      aliceTwice.close();
      awaitSessions(2);
      alice.send("{\"type\": \"leave\", \"room\": \"document:42\"}");
      JsonNode left = nextDocEvent(bob);
      assertThat(left.path("event").asText()).isEqualTo("presence:left");
      assertThat(left.at("/data/userId").asText()).isEqualTo("alice");
      alice.close();
    }
  }

  @Test
  void whoIsRefusedOutsideTheRoomAndForQuietKinds() {
    try (JsonWsRecorder mallory = JsonWsRecorder.connect(herald, TestHerald.token("mallory", "acme", "channel:*")).hearingPresence()) {
      mallory.send("{\"type\": \"presence:who\", \"room\": \"document:42\"}");
      JsonNode refused;
      do {
        refused = mallory.next();
      } while (refused.path("type").asText().equals("event"));
      assertThat(refused.path("code").asText()).isEqualTo("forbidden");
      mallory.send("{\"type\": \"presence:who\", \"room\": \"tenant:acme\"}");
      assertThat(mallory.next("error").path("code").asText()).isEqualTo("bad_request");
      mallory.send("{\"type\": \"presence:who\"}");
      assertThat(mallory.next("error").path("code").asText()).isEqualTo("bad_request");
    }
  }
}
