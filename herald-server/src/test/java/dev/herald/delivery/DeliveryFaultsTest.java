package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.herald.testing.TestHerald;
import dev.herald.testing.WebhookReceiver;
import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, "Bad input and faults": receivers that are down, refuse for good, or hang. Each test
 * runs its own node (short retry delays, loopback receivers allowed) with its SMTP server on a port
 * chosen before the node starts, so the server can be stopped and started again on it.
 */
class DeliveryFaultsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final int smtpPort = freePort();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private GreenMail greenMail;
  private TestHerald herald;

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    if (herald != null) {
      herald.close();
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
    if (greenMail != null) {
      greenMail.stop();
    }
  }

  private void startHerald(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of(
        "HERALD_ALLOW_PRIVATE_TARGETS", "true",
        "HERALD_DELIVERY_RETRY_DELAYS", "200ms,400ms,800ms,1600ms,3200ms",
        "HERALD_SMTP_URL", "smtp://127.0.0.1:" + smtpPort));
    env.putAll(extra);
    herald = TestHerald.start(env);
  }

  private void startGreenMail() {
    // a new server each time, on the port the node was configured with
    greenMail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    greenMail.start();
  }

  private WebhookReceiver receiver(boolean listening) throws Exception {
    WebhookReceiver r = listening ? WebhookReceiver.listening() : WebhookReceiver.notListening();
    closing.add(r);
    return r;
  }

  private String endpoint(WebhookReceiver r, String path) throws Exception {
    HttpResponse<String> created = herald.post("/api/webhooks", TestHerald.ACME_KEY,
        "{\"url\":\"" + r.url(path) + "\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return JSON.readTree(created.body()).get("id").asText();
  }

  /** One create for {@code users} recipients {@code <prefix>0..n-1}, each inline with an address. */
  private HttpResponse<String> create(String prefix, int users, String deliverVia) {
    String recipients = IntStream.range(0, users)
        .mapToObj(i -> "{\"id\":\"" + prefix + i + "\",\"email\":\"" + prefix + i + "@example.org\"}")
        .collect(Collectors.joining(","));
    return herald.post("/api/notifications", TestHerald.ACME_KEY, "{\"type\":\"faults\",\"title\":\"Faults\","
        + "\"recipients\":[" + recipients + "],\"deliverVia\":" + deliverVia + "}");
  }

  private long jobs(String where, Object... params) {
    return (Long) herald.queryDatabase("select count(*) from delivery_job where " + where, params);
  }

  /** Jobs of which at least one attempt is in the delivery log as a retry whose error starts with {@code error}. */
  private long retriedWith(String channel, String error) {
    return (Long) herald.queryDatabase("select count(distinct l.job_id) from delivery_log l join delivery_job j "
        + "on j.id = l.job_id where j.delivery_channel = ? and l.status = 'retrying' and l.error like ?",
        channel, error + "%");
  }

  private JsonNode deliveries(String query) throws Exception {
    HttpResponse<String> page = herald.call("GET", "/api/deliveries?" + query, TestHerald.ACME_KEY, null);
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    return JSON.readTree(page.body()).get("deliveries");
  }

  private Set<String> webhookIds(String endpointId) {
    String ids = (String) herald.queryDatabase("select string_agg('msg_' || id, ',') from delivery_job "
        + "where endpoint_id = ?::uuid", endpointId);
    return Set.of(ids.split(","));
  }

  @Test
  void aWebhookReceiverThatIsDownGetsEveryJobOnceItIsBackWhileTheApiKeepsAnswering() throws Exception {
    startHerald(Map.of());
    WebhookReceiver down = receiver(false);
    String endpoint = endpoint(down, "/hooks");

    assertThat(create("wd", 20, "[\"webhook\"]").statusCode()).isEqualTo(201);
    // attempts fail until the breaker opens; the jobs it defers wait unlogged (see the SMTP test)
    await().atMost(WAIT).until(() -> retriedWith("webhook", "cannot connect") >= TargetGates.FAILURES_TO_OPEN);
    assertThat(jobs("state in ('delivered', 'failed')")).isZero();
    // the API answers meanwhile: a create, and the list of jobs waiting with their error
    assertThat(create("wd-more", 5, "[\"webhook\"]").statusCode()).isEqualTo(201);
    // (a job the open breaker deferred before its first attempt waits without an error of its own)
    List<JsonNode> attempted = new ArrayList<>();
    deliveries("status=retrying&channel=webhook&limit=100").forEach(d -> {
      if (!d.get("attempts").isEmpty()) {
        attempted.add(d);
      }
    });
    assertThat(attempted).isNotEmpty().allSatisfy(d -> {
      assertThat(d.get("lastError").asText()).startsWith("cannot connect");
      assertThat(d.get("attempts").get(0).get("error").asText()).startsWith("cannot connect");
    });

    down.start();
    await().atMost(WAIT).until(() -> jobs("state = 'delivered'") == 25);
    assertThat(jobs("true")).isEqualTo(25);
    assertThat(down.ids()).isEqualTo(webhookIds(endpoint));
    assertThat(down.duplicates()).isZero();
  }

  @Test
  void anSmtpServerThatIsDownGetsEveryMessageOnceItIsBackOnTheSamePort() throws Exception {
    startHerald(Map.of());

    assertThat(create("md", 10, "[\"email\"]").statusCode()).isEqualTo(201);
    // attempts fail until the breaker opens: how many of the 10 were tried before it did depends on
    // how many were running at once, so the count is at least the failures that open it
    await().atMost(WAIT).until(() -> retriedWith("email", "") >= TargetGates.FAILURES_TO_OPEN);
    assertThat(jobs("delivery_channel = 'email' and state in ('delivered', 'failed')")).isZero();
    assertThat(herald.call("GET", "/api/deliveries?channel=email", TestHerald.ACME_KEY, null).statusCode())
        .isEqualTo(200);

    startGreenMail();
    await().atMost(WAIT).until(() -> jobs("delivery_channel = 'email' and state = 'delivered'") == 10);
    MimeMessage[] received = greenMail.getReceivedMessages();
    List<String> to = new ArrayList<>();
    for (MimeMessage m : received) {
      for (Address a : m.getAllRecipients()) {
        to.add(a.toString());
      }
    }
    assertThat(to).containsExactlyInAnyOrderElementsOf(
        IntStream.range(0, 10).mapToObj(i -> "md" + i + "@example.org").toList());
  }

  @Test
  void aWebhookReceiverThatSaysGoneFailsTheJobAtOnceDisablesTheEndpointAndARetryEndsSkipped() throws Exception {
    startHerald(Map.of());
    WebhookReceiver gone = receiver(true);
    gone.status = 410;
    String endpoint = endpoint(gone, "/hooks");

    assertThat(create("gone", 1, "[\"webhook\"]").statusCode()).isEqualTo(201);
    await().atMost(WAIT).until(() -> jobs("state = 'failed'") == 1);
    assertThat(herald.queryDatabase("select attempts || ' ' || reason || ' ' || last_error from delivery_job"))
        .isEqualTo("1 rejected HTTP 410 (endpoint disabled)");
    JsonNode failed = deliveries("status=failed");
    assertThat(failed).hasSize(1);
    assertThat(failed.get(0).get("endpointId").asText()).isEqualTo(endpoint);
    assertThat(herald.queryDatabase("select enabled from webhook_endpoint where id = ?::uuid", endpoint))
        .isEqualTo(false);

    HttpResponse<String> retried = herald.post("/api/deliveries/retry", TestHerald.ACME_KEY, "{\"status\":\"failed\"}");
    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
    assertThat(JSON.readTree(retried.body()).get("retried").asInt()).isEqualTo(1);
    // the receiver said it is gone for good: the endpoint stays disabled and nothing is sent to it
    await().atMost(WAIT).until(() -> jobs("state = 'skipped' and reason = 'endpoint-disabled'") == 1);
    assertThat(gone.requests()).isEqualTo(1);

    // its owner fixes the receiver and turns the endpoint back on; a retry of the skipped job delivers
    gone.status = 204;
    HttpResponse<String> enabled = herald.call("POST", "/api/webhooks/" + endpoint + "/enable", TestHerald.ACME_KEY, null);
    assertThat(enabled.statusCode()).as(enabled.body()).isEqualTo(200);
    assertThat(JSON.readTree(enabled.body()).get("enabled").asBoolean()).isTrue();
    assertThat(herald.post("/api/deliveries/retry", TestHerald.ACME_KEY, "{\"status\":\"skipped\",\"channel\":\"webhook\"}")
        .statusCode()).isEqualTo(200);
    await().atMost(WAIT).until(() -> jobs("state = 'delivered'") == 1);
    assertThat(gone.requests()).isEqualTo(2);
  }

  @Test
  void aHangingWebhookReceiverDelaysNeitherEmailNorAnotherEndpoint() throws Exception {
    startHerald(Map.of("HERALD_WEBHOOK_TIMEOUT_MS", "5000"));
    startGreenMail();
    WebhookReceiver hanging = receiver(true);
    hanging.hang = true;
    WebhookReceiver fast = receiver(true);
    String hangingEndpoint = endpoint(hanging, "/hang");
    String fastEndpoint = endpoint(fast, "/fast");

    assertThat(create("hang", 10, "[\"webhook\",\"email\"]").statusCode()).isEqualTo(201);
    // (the emails' delivery adds notification.delivered events for both endpoints: counted apart)
    await().atMost(WAIT).until(() -> jobs("endpoint_id = ?::uuid and event = 'notification.created' "
        + "and state = 'delivered'", fastEndpoint) == 10
        && jobs("delivery_channel = 'email' and state = 'delivered'") == 10);
    // at this moment the other receiver still holds its requests, and none of its attempts has ended
    assertThat(hanging.open()).isPositive();
    assertThat((Long) herald.queryDatabase("select count(*) from delivery_log l join delivery_job j on j.id = l.job_id "
        + "where j.endpoint_id = ?::uuid", hangingEndpoint)).isZero();
    assertThat(greenMail.getReceivedMessages()).hasSize(10);

    // and the hanging receiver's attempts end at the webhook timeout, as retries
    await().atMost(WAIT).until(() -> retriedWith("webhook", "no answer within 5000 ms") > 0);
    assertThat(jobs("endpoint_id = ?::uuid and state = 'delivered'", hangingEndpoint)).isZero();
  }
}
