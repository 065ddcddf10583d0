package dev.herald.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A type's {@code throttle: {max, per}} (issue 13): per recipient and delivery channel, the first
 * {@code max} email/push messages of a window go, the rest go to the type's digest or end
 * {@code skipped: throttled}, and the stored explanation says so. The count is in PostgreSQL: it
 * holds across a restart and under concurrent creates. A window's end is brought forward in the
 * database rather than waited for.
 */
class ThrottlingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final TestDatabase db = TestDatabase.get();
  private String url;
  private TestHerald herald;

  @BeforeEach
  void setUp() throws Exception {
    url = db.createDatabase();
    herald = node();
    type("alert.cpu", "{\"channels\": [\"inApp\", \"email\"], \"email\": {\"when\": \"always\"}, "
        + "\"throttle\": {\"max\": 2, \"per\": \"PT1H\"}}");
  }

  @AfterEach
  void tearDown() {
    if (herald != null) {
      herald.close();
    }
    db.dropDatabase(url);
  }

  private TestHerald node() {
    // no SMTP server: a job that goes ends skipped: no-transport, which tells it apart from a throttled one
    return TestHerald.start(Map.of("HERALD_DATABASE_URL", url));
  }

  private void type(String name, String body) {
    HttpResponse<String> r = herald.call("PUT", "/api/types/" + name, TestHerald.ACME_KEY, body);
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
  }

  private String create(String type, String recipient) throws Exception {
    HttpResponse<String> r = herald.post("/api/notifications", TestHerald.ACME_KEY,
        "{\"type\": \"" + type + "\", \"recipients\": [\"" + recipient + "\"], \"title\": \"CPU at 99 %\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).at("/ids/0").asText();
  }

  /** The email job's outcome at insert: {@code throttled}, {@code digested}, or {@code went}. */
  private String outcome(String notification) {
    String reason = (String) db.scalar(url, "select coalesce(reason, '') from delivery_job "
        + "where notification_id = ?::uuid and delivery_channel = 'email'", notification);
    return switch (reason) {
      case "throttled", "digested" -> reason;
      default -> "went";
    };
  }

  private JsonNode explain(String notification) throws Exception {
    return JSON.readTree((String) db.scalar(url, "select explain::text from notification where id = ?::uuid",
        notification));
  }

  @Test
  void beyondMaxInTheWindowMessagesAreSkippedAsThrottledAndTheExplanationSaysSo() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(create("alert.cpu", "ops"));
    }
    assertThat(ids.stream().map(this::outcome).toList()).containsExactly("went", "went", "throttled", "throttled");
    JsonNode within = explain(ids.get(0)).get("email");
    assertThat(within.at("/throttle/result").asText()).isEqualTo("within");
    assertThat(within.at("/throttle/max").asInt()).isEqualTo(2);
    JsonNode beyond = explain(ids.get(2)).get("email");
    assertThat(beyond.path("decision").asText()).isEqualTo("skipped");
    assertThat(beyond.path("reason").asText()).isEqualTo("throttled");
    assertThat(beyond.path("rule").asText()).isEqualTo("type:throttle");
    assertThat(beyond.at("/throttle/result").asText()).isEqualTo("beyond");
    // in-app is never throttled
    assertThat(db.scalar(url, "select count(*) from notification where recipient = 'ops' and live")).isEqualTo(4L);
    // another recipient has a window of their own
    assertThat(outcome(create("alert.cpu", "dev"))).isEqualTo("went");
    assertThat(herald.get("/metrics").body()).contains("herald_delivery_jobs_throttled_total 2.0");
  }

  @Test
  void theCountHoldsAcrossARestartAndANewWindowLetsMessagesGoAgain() throws Exception {
    create("alert.cpu", "ops");
    create("alert.cpu", "ops");
    herald.close();
    herald = node();
    assertThat(outcome(create("alert.cpu", "ops"))).isEqualTo("throttled");
    // the window opened an hour and a minute ago: the next message opens a new one
    db.scalar(url, "update throttle_window set window_start = now() - interval '61 minutes' "
        + "where recipient = 'ops' returning 1");
    assertThat(outcome(create("alert.cpu", "ops"))).isEqualTo("went");
    assertThat(outcome(create("alert.cpu", "ops"))).isEqualTo("went");
    assertThat(outcome(create("alert.cpu", "ops"))).isEqualTo("throttled");
  }

  @Test
  void concurrentCreatesLetExactlyMaxThrough() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        ids.add(clients.submit(() -> create("alert.cpu", "busy")));
      }
      int went = 0;
      for (Future<String> id : ids) {
        went += outcome(id.get()).equals("went") ? 1 : 0;
      }
      assertThat(went).isEqualTo(2);
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void withADigestTheMessagesBeyondMaxGoToTheNextDigest() throws Exception {
    type("alert.disk", "{\"channels\": [\"inApp\", \"email\"], \"email\": {\"when\": \"always\"}, "
        + "\"throttle\": {\"max\": 1, \"per\": \"PT1H\"}, \"digest\": {\"window\": \"PT30M\", \"maxItems\": 10}}");
    String first = create("alert.disk", "ops");
    String second = create("alert.disk", "ops");
    String third = create("alert.disk", "ops");
    assertThat(List.of(outcome(first), outcome(second), outcome(third))).containsExactly("went", "digested", "digested");
    assertThat(db.scalar(url, "select item_count from digest where recipient = 'ops' and state = 'open'")).isEqualTo(2);
    assertThat(herald.get("/metrics").body()).contains("herald_delivery_jobs_digested_total 2.0");
    JsonNode beyond = explain(second).get("email");
    assertThat(beyond.path("decision").asText()).isEqualTo("digested");
    assertThat(beyond.path("rule").asText()).isEqualTo("type:throttle");
    assertThat(beyond.at("/digest/key").asText()).isEqualTo("type:alert.disk");
  }

  @Test
  void aScheduledNotificationIsNeitherThrottledNorDigested() throws Exception {
    create("alert.cpu", "ops");
    create("alert.cpu", "ops");
    HttpResponse<String> r = herald.post("/api/notifications", TestHerald.ACME_KEY, "{\"type\": \"alert.cpu\", "
        + "\"recipients\": [\"ops\"], \"title\": \"later\", \"scheduledAt\": \""
        + java.time.Instant.now().plusSeconds(3600) + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String id = JSON.readTree(r.body()).at("/ids/0").asText();
    assertThat(outcome(id)).isEqualTo("went");
  }
}
