package dev.herald.delivery.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.NodeProject;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Web Push through a real node and its engine to a push service that decrypts with the npm
 * {@code http_ece} package and verifies the VAPID header with Node's crypto
 * ({@code src/test/node/push-receiver.mjs}, itself checked against the reference sender
 * {@code web-push}): the browser's subscription goes in through {@code /api/push/subscriptions},
 * the create's push job is delivered with seed 000's payload, and a push service that answers 410
 * removes the subscription.
 */
class WebPushEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static TestHerald herald;
  private static Process receiver;
  private static int port;
  private static final List<JsonNode> pushes = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    BlockingQueue<String> first = new LinkedBlockingQueue<>();
    receiver = NodeProject.prepare().start("push-receiver.mjs", Map.of("NO_COLOR", "1"), line -> {
      if (line.startsWith("{")) {
        try {
          pushes.add(JSON.readTree(line));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      } else {
        first.add(line);
      }
    });
    String listening = first.poll(60, TimeUnit.SECONDS);
    assertThat(listening).isNotNull().startsWith("listening ");
    port = Integer.parseInt(listening.substring("listening ".length()).trim());
    herald = TestHerald.start(Map.of("HERALD_ALLOW_PRIVATE_TARGETS", "true",
        "HERALD_DELIVERY_RETRY_DELAYS", "100ms,200ms"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (herald != null) {
      herald.close();
    }
    if (receiver != null) {
      receiver.destroy();
      receiver.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String receiverGet(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isBetween(200, 204);
    return r.body();
  }

  /** A browser's subscription for {@code user}, registered with Herald; its id. */
  private static String subscribe(String user, String name) throws Exception {
    String subscription = receiverGet("/subscribe/" + name);
    HttpResponse<String> r = herald.call("POST", "/api/push/subscriptions", TestHerald.token(user, "acme"), subscription);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).path("id").asText();
  }

  private static String create(String user, String title) throws Exception {
    HttpResponse<String> r = herald.post("/api/notifications", TestHerald.ACME_KEY, """
        {"type": "chat.message", "recipients": ["%s"], "title": "%s", "message": "Are you there? ✓",
         "channel": "chat", "priority": "urgent", "actionUrl": "https://app.example/chat/7", "deliverVia": ["push"]}"""
        .formatted(user, title));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).at("/ids/0").asText();
  }

  private static JsonNode job(String notification) throws Exception {
    return JSON.readTree(herald.call("GET", "/api/deliveries?notificationId=" + notification, TestHerald.ACME_KEY, null)
        .body()).path("deliveries").get(0);
  }

  @Test
  void aPushIsEncryptedAndAuthorisedSoThatAnIndependentServiceReadsIt() throws Exception {
    subscribe("phone-user", "phone");
    String id = create("phone-user", "New message from Ana");

    JsonNode push = await().atMost(Duration.ofSeconds(15)).until(() -> pushes.stream()
        .filter(p -> "phone".equals(p.path("name").asText())).findFirst().orElse(null), p -> p != null);
    assertThat(push.path("ok").asBoolean()).as(push.toString()).isTrue();
    assertThat(push.path("encoding").asText()).isEqualTo("aes128gcm");
    assertThat(push.path("urgency").asText()).isEqualTo("high");
    assertThat(push.path("topic").asText()).isEqualTo(id.replace("-", ""));
    assertThat(push.path("aud").asText()).isEqualTo("http://127.0.0.1:" + port);
    JsonNode payload = push.path("payload");
    assertThat(payload.path("title").asText()).isEqualTo("New message from Ana");
    assertThat(payload.path("body").asText()).isEqualTo("Are you there? ✓");
    assertThat(payload.path("data").path("notificationId").asText()).isEqualTo(id);
    assertThat(payload.path("data").path("url").asText()).isEqualTo("https://app.example/chat/7");
    assertThat(payload.path("type").asText()).isEqualTo("chat.message");
    await().atMost(Duration.ofSeconds(10)).until(() -> job(id).path("status").asText().equals("delivered"));
  }

  @Test
  void aDigestGoesAsOnePushRenderedFromItsTemplateAndAnIndependentServiceReadsIt() throws Exception {
    HttpResponse<String> type = herald.call("PUT", "/api/types/chat.batched", TestHerald.ACME_KEY,
        "{\"channels\": [\"inApp\", \"push\"], \"digest\": {\"window\": \"PT1H\", \"maxItems\": 2}}");
    assertThat(type.statusCode()).as(type.body()).isIn(200, 201);
    HttpResponse<String> template = herald.post("/api/templates", TestHerald.ACME_KEY, """
        {"name": "chat.batched.digest", "deliveryChannel": "push", "title": "{{total}} new chats",
         "message": "{{#items}}{{title}}; {{/items}}"}""");
    assertThat(template.statusCode()).as(template.body()).isEqualTo(201);
    subscribe("digest-user", "digest-phone");
    for (String title : new String[] {"From Ana", "From Ben", "From Cy"}) {
      HttpResponse<String> r = herald.post("/api/notifications", TestHerald.ACME_KEY, """
          {"type": "chat.batched", "recipients": ["digest-user"], "title": "%s"}""".formatted(title));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
    String digest = (String) herald.queryDatabase("select id::text from digest where recipient = 'digest-user'");
    assertThat(pushes.stream().noneMatch(p -> "digest-phone".equals(p.path("name").asText()))).isTrue();
    // the window would end in an hour: bring it forward
    herald.queryDatabase("with u as (update delivery_job set run_at = now() where digest_id = ?::uuid "
        + "and notification_id is null returning 1) select count(*) from u", digest);
    herald.queryDatabase("select pg_notify('herald_delivery', '')");

    JsonNode push = await().atMost(Duration.ofSeconds(15)).until(() -> pushes.stream()
        .filter(p -> "digest-phone".equals(p.path("name").asText())).findFirst().orElse(null), p -> p != null);
    assertThat(push.path("ok").asBoolean()).as(push.toString()).isTrue();
    assertThat(push.path("topic").asText()).isEqualTo(digest.replace("-", ""));
    JsonNode payload = push.path("payload");
    assertThat(payload.path("title").asText()).isEqualTo("3 new chats");
    assertThat(payload.path("body").asText()).isEqualTo("From Ana; From Ben; ");
    assertThat(payload.path("tag").asText()).isEqualTo("digest:type:chat.batched");
    assertThat(pushes.stream().filter(p -> "digest-phone".equals(p.path("name").asText())).count()).isEqualTo(1);
  }

  @Test
  void aSubscriptionThePushServiceSaysIsGoneIsRemoved() throws Exception {
    String subscription = subscribe("gone-user", "gone");
    receiverGet("/status/gone?code=410");
    String id = create("gone-user", "Nobody home");

    await().atMost(Duration.ofSeconds(15)).until(() -> job(id).path("status").asText().equals("skipped"));
    assertThat(job(id).path("reason").asText()).isEqualTo("subscription-gone");
    await().atMost(Duration.ofSeconds(5)).until(() -> (Long) herald.queryDatabase(
        "select count(*) from push_subscription where id = ?::uuid", subscription) == 0L);
  }

  @Test
  void aUserWithoutSubscriptionsGetsNoPushUnderTheDefaultTypeButAnExplicitOneIsRecordedSkipped() throws Exception {
    HttpResponse<String> r = herald.post("/api/notifications", TestHerald.ACME_KEY,
        "{\"type\": \"never.defined\", \"recipients\": [\"no-browser\"], \"title\": \"Hi\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String implicit = JSON.readTree(r.body()).at("/ids/0").asText();
    assertThat(herald.queryDatabase("select count(*) from delivery_job where notification_id = ?::uuid "
        + "and delivery_channel = 'push'", implicit)).isEqualTo(0L);
    String explicit = create("no-browser", "Asked for push");
    assertThat(herald.queryDatabase("select state || ':' || reason from delivery_job where notification_id = ?::uuid",
        explicit)).isEqualTo("skipped:no-subscription");
  }
}
