package dev.herald.delivery.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.delivery.DeliveryJob;
import dev.herald.delivery.Outcome;
import dev.herald.delivery.TargetAddresses;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WebhookChannelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  private static final OffsetDateTime CREATED = OffsetDateTime.parse("2026-12-07T09:59:58.123Z");
  private static final String URL = "https://hooks.example.com/herald";
  private static final TargetAddresses PUBLIC_DNS = new TargetAddresses(false,
      host -> new InetAddress[] {InetAddress.getByName(host.equals("hooks.example.com") ? "93.184.216.34" : "10.0.0.7")});

  private final FakeEndpointStore store = new FakeEndpointStore();
  private final RecordingWebhookClient client = new RecordingWebhookClient();
  private final WebhookChannel channel = new WebhookChannel(store, client, PUBLIC_DNS, Duration.ofSeconds(15),
      Clock.fixed(NOW, ZoneOffset.UTC));

  private WebhookEndpoint endpoint(String url, String previousSecret, OffsetDateTime previousUntil, boolean enabled) {
    return store.put(new WebhookEndpoint(UUID.randomUUID(), "acme", url, null, null, WebhookSignature.newSecret(),
        previousSecret, previousUntil, enabled, enabled ? null : "gone", CREATED, CREATED));
  }

  private WebhookEndpoint endpoint() {
    return endpoint(URL, null, null, true);
  }

  private static DeliveryJob job(WebhookEndpoint e, String payload) {
    DeliveryJob.Notification n = new DeliveryJob.Notification(UUID.fromString("0193a5c0-0000-7000-8000-000000000001"),
        "order.shipped", "Shipped", "Your order is on its way", "orders", "high", "unread", "{\"order\":42}",
        "https://shop.example.com/o/42", true, CREATED, null, List.of("inApp"));
    return new DeliveryJob(UUID.fromString("0193a5c0-0000-7000-8000-0000000000aa"), "webhook", "acme", "alice",
        n.id(), e.id(), "notification.created", payload, "", 1, CREATED, n);
  }

  @Test
  void twoHundredAndTwoHundredFourDeliver() throws Exception {
    WebhookEndpoint e = endpoint();
    client.answer(200, "ok", null).answer(204, "", null);

    assertThat(channel.attempt(job(e, null))).isEqualTo(new Outcome.Delivered(URL, "HTTP 200"));
    assertThat(channel.attempt(job(e, null))).isEqualTo(new Outcome.Delivered(URL, "HTTP 204"));
  }

  @Test
  void theRequestCarriesStandardWebhooksHeadersThatVerify() throws Exception {
    WebhookEndpoint e = endpoint();
    client.answer(204, "", null);

    channel.attempt(job(e, null));

    RecordingWebhookClient.Request r = client.last();
    assertThat(r.url().toString()).isEqualTo(URL);
    assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(r.headers()).containsEntry("content-type", "application/json")
        .containsEntry("webhook-id", "msg_0193a5c0-0000-7000-8000-0000000000aa")
        .containsEntry("webhook-timestamp", Long.toString(NOW.getEpochSecond()))
        .containsKey("user-agent");
    assertThat(r.headers().get("webhook-signature")).isEqualTo("v1," + WebhookSignature.sign(e.secret(),
        r.headers().get("webhook-id"), NOW.getEpochSecond(), r.body().getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theWebhookIdIsTheSameOnEveryAttemptOfAJob() throws Exception {
    WebhookEndpoint e = endpoint();
    client.answer(503, "", null).answer(204, "", null);

    channel.attempt(job(e, null));
    channel.attempt(job(e, null));

    assertThat(client.requests).extracting(r -> r.headers().get("webhook-id")).containsOnly(
        "msg_0193a5c0-0000-7000-8000-0000000000aa").hasSize(2);
  }

  @Test
  void duringARotationBothSecretsSignAndAfterItOnlyTheNewOne() throws Exception {
    String old = WebhookSignature.newSecret();
    WebhookEndpoint rotating = endpoint(URL, old, OffsetDateTime.ofInstant(NOW.plusSeconds(60), ZoneOffset.UTC), true);
    WebhookEndpoint rotated = endpoint(URL, old, OffsetDateTime.ofInstant(NOW.minusSeconds(1), ZoneOffset.UTC), true);
    client.answer(204, "", null).answer(204, "", null);

    channel.attempt(job(rotating, null));
    String during = client.last().headers().get("webhook-signature");
    byte[] body = client.last().body().getBytes(StandardCharsets.UTF_8);
    String id = client.last().headers().get("webhook-id");
    channel.attempt(job(rotated, null));

    assertThat(during.split(" ")).containsExactly(
        "v1," + WebhookSignature.sign(rotating.secret(), id, NOW.getEpochSecond(), body),
        "v1," + WebhookSignature.sign(old, id, NOW.getEpochSecond(), body));
    assertThat(client.last().headers().get("webhook-signature").split(" ")).hasSize(1);
  }

  @Test
  void theBodyIsTheEventItsTimeAndTheNotificationAsClientsSeeItWithTheUser() throws Exception {
    client.answer(204, "", null);

    channel.attempt(job(endpoint(), null));

    JsonNode body = JSON.readTree(client.last().body());
    assertThat(body.get("type").asText()).isEqualTo("notification.created");
    assertThat(body.get("timestamp").asText()).isEqualTo("2026-12-07T10:00:00.000Z");
    JsonNode data = body.get("data");
    assertThat(data.get("id").asText()).isEqualTo("0193a5c0-0000-7000-8000-000000000001");
    assertThat(data.get("type").asText()).isEqualTo("order.shipped");
    assertThat(data.get("title").asText()).isEqualTo("Shipped");
    assertThat(data.get("message").asText()).isEqualTo("Your order is on its way");
    assertThat(data.get("channel").asText()).isEqualTo("orders");
    assertThat(data.get("priority").asText()).isEqualTo("high");
    assertThat(data.get("status").asText()).isEqualTo("unread");
    assertThat(data.get("createdAt").asText()).isEqualTo("2026-12-07T09:59:58.123Z");
    assertThat(data.get("timestamp").asText()).isEqualTo("2026-12-07T09:59:58.123Z");
    assertThat(data.get("readAt").isNull()).isTrue();
    assertThat(data.get("data").get("order").asInt()).isEqualTo(42);
    assertThat(data.get("requiresAck").asBoolean()).isTrue();
    assertThat(data.get("actionUrl").asText()).isEqualTo("https://shop.example.com/o/42");
    assertThat(data.get("userId").asText()).isEqualTo("alice");
  }

  @Test
  void aJobWithAPayloadOfItsOwnSendsThatAsData() throws Exception {
    client.answer(204, "", null);

    channel.attempt(job(endpoint(), "{\"notificationId\":\"n1\",\"channel\":\"email\"}"));

    JsonNode data = JSON.readTree(client.last().body()).get("data");
    assertThat(data.get("notificationId").asText()).isEqualTo("n1");
    assertThat(data.has("title")).isFalse();
  }

  @Test
  void fourTenDisablesTheEndpointAndFailsTheJob() throws Exception {
    WebhookEndpoint e = endpoint();
    client.answer(410, "gone for good", null);

    Outcome outcome = channel.attempt(job(e, null));

    assertThat(outcome).isInstanceOf(Outcome.Failed.class);
    assertThat(((Outcome.Failed) outcome).error()).startsWith("HTTP 410: gone for good");
    assertThat(store.stored(e.id()).enabled()).isFalse();
    assertThat(store.stored(e.id()).disabledReason()).contains("410").contains("2026-12-07T10:00:00.000Z");
  }

  @Test
  void fourTwentyNineIsRetriedAfterWhatRetryAfterAsks() throws Exception {
    client.answer(429, "slow down", "7").answer(503, "", "Mon, 07 Dec 2026 10:02:00 GMT");

    assertThat(channel.attempt(job(endpoint(), null)))
        .isEqualTo(new Outcome.Retry(URL, "HTTP 429: slow down", Duration.ofSeconds(7)));
    assertThat(channel.attempt(job(endpoint(), null)))
        .isEqualTo(new Outcome.Retry(URL, "HTTP 503", Duration.ofMinutes(2)));
  }

  @Test
  void fiveHundredIsRetriedByThePolicyWithTheStartOfTheBody() throws Exception {
    client.answer(500, "x".repeat(1000), null);

    Outcome outcome = channel.attempt(job(endpoint(), null));

    assertThat(outcome).isInstanceOf(Outcome.Retry.class);
    Outcome.Retry retry = (Outcome.Retry) outcome;
    assertThat(retry.after()).isNull();
    assertThat(retry.error()).isEqualTo("HTTP 500: " + "x".repeat(200) + "…");
  }

  @Test
  void otherAnswersAreRetriedToo() throws Exception {
    client.answer(302, "", null).answer(400, "bad", null);

    assertThat(channel.attempt(job(endpoint(), null))).isInstanceOf(Outcome.Retry.class);
    assertThat(channel.attempt(job(endpoint(), null))).isInstanceOf(Outcome.Retry.class);
  }

  @Test
  void aTimeoutOrARefusedConnectionIsRetried() throws Exception {
    client.fail(new HttpTimeoutException("request timed out")).fail(new ConnectException("Connection refused"));

    assertThat(channel.attempt(job(endpoint(), null)))
        .isEqualTo(new Outcome.Retry(URL, "no answer within 15000 ms", null));
    assertThat(channel.attempt(job(endpoint(), null)))
        .isEqualTo(new Outcome.Retry(URL, "cannot connect: Connection refused", null));
  }

  @Test
  void aTargetThatNowResolvesToAPrivateAddressFailsWithoutASend() throws Exception {
    WebhookEndpoint e = endpoint("https://rebound.example.com/hook", null, null, true);

    Outcome outcome = channel.attempt(job(e, null));

    assertThat(outcome).isInstanceOf(Outcome.Failed.class);
    assertThat(((Outcome.Failed) outcome).error()).contains("10.0.0.7").contains("private");
    assertThat(client.requests).isEmpty();
  }

  @Test
  void aDisabledOrMissingEndpointIsSkipped() throws Exception {
    WebhookEndpoint disabled = endpoint(URL, null, null, false);
    WebhookEndpoint otherTenants = store.put(new WebhookEndpoint(UUID.randomUUID(), "globex", URL, null, null,
        WebhookSignature.newSecret(), null, null, true, null, CREATED, CREATED));

    assertThat(channel.attempt(job(disabled, null))).isEqualTo(new Outcome.Skipped(URL, "endpoint-disabled"));
    assertThat(channel.attempt(job(otherTenants, null))).isEqualTo(new Outcome.Skipped(null, "no-endpoint"));
    assertThat(client.requests).isEmpty();
  }

  @Test
  void theTargetKeyIsTheEndpoint() {
    WebhookEndpoint e = endpoint();
    assertThat(channel.targetKey(job(e, null))).isEqualTo(e.id().toString());
    assertThat(channel.name()).isEqualTo("webhook");
  }

  @Test
  void aTestSendReportsTheAnswerAndItsWebhookId() throws Exception {
    client.answer(500, "boom", null);

    JsonNode report = JSON.readTree(channel.test(endpoint()).toJson().toString());

    assertThat(report.get("delivered").asBoolean()).isFalse();
    assertThat(report.get("status").asInt()).isEqualTo(500);
    assertThat(report.get("error").asText()).isEqualTo("HTTP 500: boom");
    assertThat(report.get("webhookId").asText()).startsWith("msg_").isEqualTo(client.last().headers().get("webhook-id"));
    assertThat(JSON.readTree(client.last().body()).get("type").asText()).isEqualTo("webhook.test");
  }
}
