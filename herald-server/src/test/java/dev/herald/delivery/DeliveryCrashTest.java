package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.HeraldProcess;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import dev.herald.testing.WebhookReceiver;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, "Bad input and faults": {@code kill -9} of Herald in the middle of 20,000 webhook
 * deliveries. Herald runs as a JVM of its own on a database of the test's PostgreSQL (which outlives
 * it); a receiver in the test counts requests per {@code webhook-id}. After the kill a node starts
 * on the same database and every job ends delivered; the receiver saw every id, no id twice at
 * once, and no more duplicates than jobs that were {@code running} when the node died (at least
 * once: those are the only ones that may have been sent without their end being recorded).
 *
 * <p>The first node sends to the receiver through few slots ({@code HERALD_DELIVERY_TARGET_CONCURRENCY=4},
 * 5-15 ms answers), so that the creates end long before the deliveries do and the kill falls in the
 * middle of the run; the second node sends at full speed.
 */
class DeliveryCrashTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CREATES = 200;
  private static final int RECIPIENTS = 100;
  private static final int JOBS = CREATES * RECIPIENTS;
  private static final Duration START = Duration.ofSeconds(60);

  private final TestDatabase db = TestDatabase.get();
  private String url;
  private WebhookReceiver receiver;
  private final List<HeraldProcess> nodes = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    url = db.createDatabase();
    receiver = WebhookReceiver.listening();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (HeraldProcess node : nodes) {
      node.close();
    }
    receiver.close();
    db.dropDatabase(url);
  }

  private HeraldProcess node(String name, Map<String, String> extra) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "HERALD_DATABASE_URL", url,
        "HERALD_DATA_DIR", Files.createTempDirectory("herald-crash").toString(),
        "HERALD_API_KEYS", TestHerald.API_KEY + ",acme:" + TestHerald.ACME_KEY,
        "HERALD_JWT_SECRET", TestHerald.SECRET,
        "HERALD_NODE_NAME", name,
        "HERALD_ALLOW_PRIVATE_TARGETS", "true",
        "HERALD_EVENT_LOOPS", "2",
        "HERALD_DRAIN_TIMEOUT_MS", "1000"));
    env.putAll(extra);
    HeraldProcess node = HeraldProcess.start(env);
    nodes.add(node);
    return node.awaitHealthy(START);
  }

  private long count(String where) {
    return (Long) db.scalar(url, "select count(*) from delivery_job where " + where);
  }

  /** 200 creates of 100 recipients each, four at a time; every one must be accepted. */
  private static void create20000(HeraldProcess node) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      for (int c = 0; c < CREATES; c++) {
        int batch = c;
        String recipients = IntStream.range(0, RECIPIENTS).mapToObj(i -> "\"u" + batch + "-" + i + "\"")
            .collect(Collectors.joining(","));
        String body = "{\"type\":\"crash.test\",\"title\":\"n " + batch + "\",\"recipients\":[" + recipients
            + "],\"deliverVia\":[\"webhook\"]}";
        answers.add(clients.submit(() -> node.post("/api/notifications", TestHerald.ACME_KEY, body)));
      }
      for (Future<HttpResponse<String>> a : answers) {
        HttpResponse<String> r = a.get();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      }
    } finally {
      clients.shutdownNow();
    }
  }

  /** Runs 20,000 webhook jobs on a first node, kills it with SIGKILL mid-run, finishes them on {@code second}. */
  private void killMidRunAndFinishOn(String firstName, String secondName, Map<String, String> both) throws Exception {
    receiver.minDelayMs = 5;
    receiver.maxDelayMs = 15;
    Map<String, String> slow = new HashMap<>(both);
    slow.put("HERALD_DELIVERY_TARGET_CONCURRENCY", "4");
    HeraldProcess first = node(firstName, slow);
    HttpResponse<String> endpoint = first.post("/api/webhooks", TestHerald.ACME_KEY,
        "{\"url\":\"" + receiver.url("/hooks") + "\"}");
    assertThat(endpoint.statusCode()).as(endpoint.body()).isEqualTo(201);
    assertThat(JSON.readTree(endpoint.body()).path("secret").asText()).isNotEmpty();

    create20000(first);
    assertThat(count("true")).as("one webhook job per notification").isEqualTo(JOBS);
    await().atMost(Duration.ofSeconds(60)).until(() -> receiver.requests() >= 300);

    first.kill();
    long runningAtKill = count("state = 'running'");
    long unfinishedAtKill = count("state not in ('delivered', 'failed', 'skipped')");
    int receivedAtKill = receiver.requests();
    assertThat(unfinishedAtKill).as("the kill must fall in the middle of the run, or the test proves nothing")
        .isGreaterThan(1000);

    receiver.minDelayMs = 1;
    receiver.maxDelayMs = 3;
    node(secondName, both);
    await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
        .until(() -> count("state not in ('delivered', 'failed', 'skipped')") == 0);

    System.out.printf("[%s -> %s] received before the kill: %d; running at the kill: %d; unfinished at the kill: %d; "
            + "requests: %d; duplicates at the receiver: %d%n", firstName, secondName, receivedAtKill, runningAtKill,
        unfinishedAtKill, receiver.requests(), receiver.duplicates());
    assertThat(count("state = 'delivered'")).as("every job delivered").isEqualTo(JOBS);
    String ids = (String) db.scalar(url, "select string_agg('msg_' || id, ',') from delivery_job");
    assertThat(receiver.ids()).as("every webhook-id received at least once, and nothing else")
        .isEqualTo(Set.of(ids.split(",")));
    assertThat(receiver.duplicates()).as("duplicates: at most the jobs running when the node died")
        .isLessThanOrEqualTo((int) runningAtKill);
    assertThat(receiver.overlapping()).as("no webhook-id in flight twice at once").isEmpty();
  }

  @Test
  void killedMidRunTheSameNodeRestartedDeliversEveryJobWithDuplicatesOnlyOfThoseRunning() throws Exception {
    killMidRunAndFinishOn("crash-a", "crash-a", Map.of());
  }

  /**
   * Another node (another name) takes the dead node's jobs once their leases run out. The lease is
   * 5 s, not 2 s: a node's claimer expires every lease past its time, its own included, and a job
   * may wait up to 2 s for a receiver slot before its attempt even starts.
   */
  @Test
  void killedMidRunAnotherNodeTakesOverTheJobsWhenTheirLeasesRunOut() throws Exception {
    killMidRunAndFinishOn("crash-a", "crash-b", Map.of("HERALD_DELIVERY_LEASE_MS", "5000",
        "HERALD_WEBHOOK_TIMEOUT_MS", "1500", "HERALD_SMTP_TIMEOUT_MS", "1500"));
    assertThat(count("leased_by is not null")).isZero();
  }
}
