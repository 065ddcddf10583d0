package dev.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * Presence announcements wait one window ({@code HERALD_PRESENCE_COALESCE_MS}, here 1 s, no grace
 * period) and go out in order; a user who comes and goes inside one window is never announced, and
 * neither is the status they set meanwhile.
 */
class PresenceCoalescingTest {
  private static final Duration WINDOW = Duration.ofSeconds(1);
  private MovableClock clock;
  private ManualScheduler scheduler;
  private TestHerald herald;

  @BeforeEach
  void start() {
    clock = new MovableClock(Instant.parse("2026-12-07T10:00:00Z"));
    scheduler = new ManualScheduler(clock);
    herald = TestHerald.start(Map.of("HERALD_PRESENCE", "true", "HERALD_PRESENCE_GRACE_MS", "0",
        "HERALD_PRESENCE_COALESCE_MS", String.valueOf(WINDOW.toMillis())), clock, scheduler);
  }

  @AfterEach
  void stop() {
    herald.close();
  }

  private void marker(String name) {
    HttpResponse<String> r = herald.post("/api/events", TestHerald.ACME_KEY,
        "{\"room\": \"tenant:acme\", \"event\": \"" + name + "\", \"data\": {}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }

  @Test
  void aUserWhoComesAndGoesInsideOneWindowIsNeverAnnounced() {
    try (JsonWsRecorder obs = JsonWsRecorder.connect(herald, TestHerald.token("observer", "acme")).hearingPresence()) {
      scheduler.advance(WINDOW);
      assertThat(obs.nextEvent("user:online").at("/data/userId").asText()).isEqualTo("observer");

      JsonWsRecorder flicker = JsonWsRecorder.connect(herald, TestHerald.token("flicker", "acme")).hearingPresence();
      flicker.send("{\"type\": \"presence:update\", \"status\": \"AWAY\"}");
      flicker.next("presence:updated");
      JsonWsRecorder stays = JsonWsRecorder.connect(herald, TestHerald.token("stays", "acme")).hearingPresence();
      flicker.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> herald.sessions() == 2);
      scheduler.advance(WINDOW);
      marker("after-window");
      // flicker's online, status and offline cancelled out; stays is announced
      assertThat(obs.nextEvent("user:online").at("/data/userId").asText()).isEqualTo("stays");
      assertThat(obs.nextEvent("after-window")).isNotNull();
      assertThat(herald.get("/metrics").body()).contains("herald_presence_events_total{event=\"coalesced\"} 1.0");
      stays.close();
    }
  }
}
