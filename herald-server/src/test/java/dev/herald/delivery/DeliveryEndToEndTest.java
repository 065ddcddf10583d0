package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.NodeProject;
import dev.herald.testing.TestHerald;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole way out, through a real node and its engine: a create with {@code deliverVia} reaches a
 * real SMTP server (GreenMail) and a webhook receiver that checks signatures with the Standard
 * Webhooks reference library (npm {@code standardwebhooks}); the job is delivered in
 * {@code /api/deliveries} with its attempt, the notification lists the channel in
 * {@code deliveredVia}, the user's session hears {@code notificationStatus}, and reading the
 * notification sends {@code notification.read} to the endpoint that follows it.
 */
class DeliveryEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final GreenMailExtension GREENMAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
      .withPerMethodLifecycle(false);

  private static TestHerald herald;
  private static Process receiver;
  private static int receiverPort;
  private static final List<JsonNode> received = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    NodeProject project = NodeProject.prepare();
    java.util.concurrent.BlockingQueue<String> first = new java.util.concurrent.LinkedBlockingQueue<>();
    receiver = project.start("webhook-receiver.mjs", Map.of("NO_COLOR", "1"), line -> {
      if (line.startsWith("{")) {
        try {
          received.add(JSON.readTree(line));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      } else {
        first.add(line);
      }
    });
    String listening = first.poll(60, TimeUnit.SECONDS);
    assertThat(listening).as("the receiver's first line").isNotNull().startsWith("listening ");
    receiverPort = Integer.parseInt(listening.substring("listening ".length()).trim());
    herald = TestHerald.start(Map.of(
        "HERALD_SMTP_URL", "smtp://127.0.0.1:" + GREENMAIL.getSmtp().getPort(),
        "HERALD_ALLOW_PRIVATE_TARGETS", "true",
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

  private static JsonNode json(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  private static String create(String recipient, String deliverVia, String title) throws Exception {
    JsonNode created = json(herald.post("/api/notifications", TestHerald.ACME_KEY, """
        {"type": "order.shipped", "recipients": ["%s"], "title": "%s", "message": "It is on its way",
         "channel": "orders", "priority": "high", "deliverVia": [%s]}""".formatted(recipient, title, deliverVia)), 201);
    return created.at("/notifications/0/id").asText(created.at("/ids/0").asText());
  }

  private static JsonNode deliveries(String notificationId) throws Exception {
    return json(herald.call("GET", "/api/deliveries?notificationId=" + notificationId, TestHerald.ACME_KEY, null), 200)
        .get("deliveries");
  }

  @Test
  void anEmailReachesTheInboxAndTheUserHearsItWasDelivered() throws Exception {
    json(herald.call("PUT", "/api/users/e2e-alice", TestHerald.ACME_KEY,
        "{\"email\": \"alice@example.org\", \"name\": \"Alice\"}"), 200);
    try (JsonWsRecorder alice = JsonWsRecorder.connect(herald, TestHerald.token("e2e-alice", "acme"))) {
      String id = create("e2e-alice", "\"email\"", "Order 1001 shipped");

      await().atMost(Duration.ofSeconds(10)).until(() -> GREENMAIL.getReceivedMessages().length > 0);
      MimeMessage mail = GREENMAIL.getReceivedMessages()[0];
      assertThat(mail.getSubject()).isEqualTo("Order 1001 shipped");
      assertThat(mail.getAllRecipients()[0].toString()).contains("alice@example.org");
      assertThat(mail.getHeader("X-Herald-Notification-Id")[0]).isEqualTo(id);

      assertThat(alice.next("order.shipped").path("id").asText()).isEqualTo(id);
      JsonNode status = alice.nextEvent("notificationStatus").path("data");
      assertThat(status.path("notificationId").asText()).isEqualTo(id);
      assertThat(status.path("status").asText()).isEqualTo("delivered");
      assertThat(status.path("channel").asText()).isEqualTo("email");

      JsonNode job = deliveries(id).get(0);
      assertThat(job.path("channel").asText()).isEqualTo("email");
      assertThat(job.path("status").asText()).isEqualTo("delivered");
      assertThat(job.path("userId").asText()).isEqualTo("e2e-alice");
      assertThat(job.path("attemptCount").asInt()).isEqualTo(1);
      assertThat(job.path("attempts").get(0).path("status").asText()).isEqualTo("delivered");
      assertThat(job.path("target").asText()).contains("alice@example.org");
      JsonNode seen = json(herald.call("GET", "/api/notifications/" + id, TestHerald.token("e2e-alice", "acme"), null), 200);
      assertThat(seen.path("deliveredVia").toString()).contains("email");
    }
  }

  @Test
  void aUserWithoutAnAddressIsSkippedAsNoAddress() throws Exception {
    String id = create("e2e-nobody", "\"email\"", "Nowhere to go");
    await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(id).get(0).path("status").asText().equals("skipped"));
    assertThat(deliveries(id).get(0).path("reason").asText()).isEqualTo("no-address");
  }

  @Test
  void aWebhookIsSignedForTheReferenceVerifierAndFollowsTheNotificationToItsRead() throws Exception {
    JsonNode endpoint = json(herald.post("/api/webhooks", TestHerald.ACME_KEY,
        "{\"url\": \"http://127.0.0.1:" + receiverPort + "/hook/e2e\"}"), 201);
    String secret = endpoint.path("secret").asText();
    HttpResponse<String> registered = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + receiverPort + "/register/e2e?secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8)))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(registered.statusCode()).isEqualTo(204);
    try {
      String id = create("e2e-bob", "\"webhook\"", "Webhook me");

      JsonNode created = await().atMost(Duration.ofSeconds(10)).until(() -> find(id, "notification.created"),
          r -> r != null);
      assertThat(created.path("ok").asBoolean()).as(created.toString()).isTrue();
      assertThat(created.path("results").path("registered").asText()).isEqualTo("ok");
      assertThat(created.path("id").asText()).startsWith("msg_");
      await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(id).get(0).path("status").asText().equals("delivered"));

      json(herald.call("PUT", "/api/notifications/" + id + "/read", TestHerald.token("e2e-bob", "acme"), null), 200);
      JsonNode read = await().atMost(Duration.ofSeconds(10)).until(() -> find(id, "notification.read"), r -> r != null);
      assertThat(read.path("ok").asBoolean()).isTrue();
      // one job per event, each its own webhook-id
      assertThat(read.path("id").asText()).isNotEqualTo(created.path("id").asText());
      List<String> events = new ArrayList<>();
      deliveries(id).forEach(d -> events.add(d.path("event").asText()));
      assertThat(events).containsExactlyInAnyOrder("notification.created", "notification.read");
    } finally {
      herald.call("DELETE", "/api/webhooks/" + endpoint.path("id").asText(), TestHerald.ACME_KEY, null);
    }
  }

  private static JsonNode find(String notificationId, String event) {
    return received.stream().filter(r -> notificationId.equals(r.path("notificationId").asText())
        && event.equals(r.path("event").asText())).findFirst().orElse(null);
  }
}
