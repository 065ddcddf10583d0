package dev.herald.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What survives: a restart of Herald loses no accepted notification and still delivers the
 * scheduled ones; a PostgreSQL outage answers 503 with Retry-After and loses nothing accepted.
 */
class DurabilityTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String body(String recipient, String title, String extra) {
    return "{\"type\":\"durable\",\"recipients\":[\"" + recipient + "\"],\"title\":\"" + title + "\"" + extra + "}";
  }

  private static HttpResponse<String> history(TestHerald herald, String user) {
    return herald.send(HttpRequest.newBuilder(URI.create(herald.url() + "/api/notifications?limit=100"))
        .header("authorization", "Bearer " + TestHerald.token(user, null)).GET().build());
  }

  private static List<String> titles(HttpResponse<String> page) throws Exception {
    List<String> out = new ArrayList<>();
    JSON.readTree(page.body()).get("notifications").forEach(n -> out.add(n.get("title").asText()));
    return out;
  }

  @Test
  void restartLosesNothingAcceptedAndStillDeliversScheduledNotifications() throws Exception {
    TestDatabase db = TestDatabase.get();
    String url = db.createDatabase();
    Instant due;
    try {
      try (TestHerald first = TestHerald.start(Map.of("HERALD_DATABASE_URL", url))) {
        for (int i = 1; i <= 3; i++) {
          assertThat(first.post("/api/notifications", TestHerald.API_KEY, body("survivor", "before " + i, ""))
              .statusCode()).isEqualTo(201);
        }
        assertThat(titles(history(first, "survivor"))).containsExactly("before 3", "before 2", "before 1");
        due = Instant.now().plusSeconds(4);
        HttpResponse<String> scheduled = first.post("/api/notifications", TestHerald.API_KEY,
            body("survivor", "scheduled", ",\"scheduledAt\":\"" + due + "\""));
        assertThat(scheduled.statusCode()).isEqualTo(201);
      }
      assertThat(Instant.now()).as("the first node must stop before the scheduled time, or the test proves nothing")
          .isBefore(due);
      try (TestHerald second = TestHerald.start(Map.of("HERALD_DATABASE_URL", url, "HERALD_SCHEDULER_POLL_MS", "100"));
          JsonWsRecorder client = JsonWsRecorder.connect(second, TestHerald.token("survivor", null))) {
        assertThat(titles(history(second, "survivor"))).contains("before 3", "before 2", "before 1");

        JsonNode arrived = client.next();
        while (!arrived.path("title").asText().equals("scheduled")) {
          arrived = client.next();
        }
        assertThat(Instant.now()).isAfterOrEqualTo(due);
        assertThat(arrived.get("sequence").asLong()).isEqualTo(4);
        assertThat(titles(history(second, "survivor"))).containsExactly("scheduled", "before 3", "before 2", "before 1");
      }
    } finally {
      db.dropDatabase(url);
    }
  }

  @Test
  void databaseOutageAnswers503WithRetryAfterAndLosesNothingAccepted() throws Exception {
    Path dir = Files.createTempDirectory("herald-outage-pg");
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).start();
    int port = pg.getPort();
    String url = "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    try (TestHerald herald = TestHerald.start(Map.of("HERALD_DATABASE_URL", url))) {
      for (int i = 1; i <= 3; i++) {
        assertThat(herald.post("/api/notifications", TestHerald.API_KEY, body("outage", "kept " + i, ""))
            .statusCode()).isEqualTo(201);
      }

      pg.close();
      HttpResponse<String> refused = herald.post("/api/notifications", TestHerald.API_KEY, body("outage", "lost", ""));
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("retry-after")).isPresent();
      assertThat(refused.headers().firstValue("content-type")).contains("application/problem+json");
      assertThat(history(herald, "outage").statusCode()).isEqualTo(503);
      // the gateway keeps serving live connections meanwhile
      assertThat(herald.get("/health").statusCode()).isEqualTo(200);

      pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port).start();
      await().atMost(Duration.ofSeconds(30)).until(() -> herald.post("/api/notifications", TestHerald.API_KEY,
          body("outage", "after", "")).statusCode() == 201);
      List<String> kept = titles(history(herald, "outage"));
      assertThat(kept).contains("kept 1", "kept 2", "kept 3", "after").doesNotContain("lost");
    } finally {
      pg.close();
    }
  }
}
