package dev.herald.delivery.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.delivery.DeliveryJob;
import dev.herald.delivery.Outcome;
import dev.herald.delivery.TargetAddresses;
import dev.herald.testing.NodeProject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WebhookChannel}'s messages verified by an independent implementation of Standard Webhooks:
 * the {@code standardwebhooks} npm package in {@code src/test/node/webhook-receiver.mjs}, over real
 * HTTP on 127.0.0.1. Node.js 20+ must be on the PATH; without it this test fails, it never skips.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NodeWebhookVerifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OffsetDateTime CREATED = OffsetDateTime.now();

  private static Process receiver;
  private static int port;
  private static final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final FakeEndpointStore store = new FakeEndpointStore();
  private final WebhookChannel channel = WebhookChannel.over(store, TargetAddresses.of(true), Duration.ofSeconds(10));

  @BeforeAll
  static void startReceiver() throws Exception {
    NodeProject project = NodeProject.prepare();
    receiver = project.start("webhook-receiver.mjs", Map.of("NO_COLOR", "1"), lines::add);
    String first = lines.poll(60, TimeUnit.SECONDS);
    assertThat(first).as("the receiver's first line").isNotNull().startsWith("listening ");
    port = Integer.parseInt(first.substring("listening ".length()).trim());
  }

  @AfterAll
  static void stopReceiver() throws Exception {
    if (receiver != null) {
      receiver.destroy();
      if (!receiver.waitFor(10, TimeUnit.SECONDS)) {
        receiver.destroyForcibly();
      }
    }
  }

  /** An endpoint of the receiver whose verifiers hold {@code verifiers} (name → secret). */
  private WebhookEndpoint endpoint(Map<String, String> verifiers, String secret, String previous) {
    StringBuilder url = new StringBuilder("http://127.0.0.1:" + port + "/hook");
    char sep = '?';
    for (Map.Entry<String, String> v : verifiers.entrySet()) {
      url.append(sep).append(v.getKey()).append('=').append(URLEncoder.encode(v.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return store.put(new WebhookEndpoint(UUID.randomUUID(), "acme", url.toString(), null, null, secret, previous,
        previous == null ? null : OffsetDateTime.now().plusHours(24), true, null, CREATED, CREATED));
  }

  private static DeliveryJob job(WebhookEndpoint e, String title) {
    UUID id = UUID.randomUUID();
    return new DeliveryJob(UUID.randomUUID(), "webhook", "acme", "zoë", id, e.id(), "notification.created", null, "",
        1, CREATED, new DeliveryJob.Notification(id, "greeting", title, "Grüße aus Wien ✓ — \"quoted\" \\ slash",
            "general", "normal", "unread", "{\"emoji\":\"🎉\",\"n\":[1,2,3]}", null, false, CREATED, null, List.of()));
  }

  /** The receiver's report of message {@code webhookId}. */
  private static JsonNode report(String webhookId) throws Exception {
    for (String line; (line = lines.poll(30, TimeUnit.SECONDS)) != null; ) {
      if (line.startsWith("{")) {
        JsonNode r = JSON.readTree(line);
        if (webhookId.equals(r.path("id").asText())) {
          return r;
        }
      }
    }
    throw new AssertionError("the receiver reported nothing for " + webhookId);
  }

  @Test
  void theReferenceLibraryAcceptsEveryDelivery() throws Exception {
    String secret = WebhookSignature.newSecret();
    WebhookEndpoint e = endpoint(Map.of("only", secret), secret, null);

    for (String title : List.of("first", "zweite Nachricht", "third: ✓ 🎉")) {
      DeliveryJob job = job(e, title);
      Outcome outcome = channel.attempt(job);

      assertThat(outcome).as(title).isEqualTo(new Outcome.Delivered(e.url(), "HTTP 204"));
      assertThat(report(WebhookChannel.webhookId(job.id())).path("results").path("only").asText()).isEqualTo("ok");
    }
  }

  @Test
  void duringARotationAVerifierOfTheOldSecretAndOneOfTheNewBothAccept() throws Exception {
    String old = WebhookSignature.newSecret();
    String current = WebhookSignature.newSecret();
    Map<String, String> verifiers = new LinkedHashMap<>();
    verifiers.put("old", old);
    verifiers.put("new", current);
    WebhookEndpoint e = endpoint(verifiers, current, old);
    DeliveryJob job = job(e, "rotating");

    Outcome outcome = channel.attempt(job);

    assertThat(outcome).isEqualTo(new Outcome.Delivered(e.url(), "HTTP 204"));
    JsonNode results = report(WebhookChannel.webhookId(job.id())).path("results");
    assertThat(results.path("old").asText()).isEqualTo("ok");
    assertThat(results.path("new").asText()).isEqualTo("ok");
  }

  @Test
  void aVerifierOfAnotherSecretRefuses() throws Exception {
    WebhookEndpoint e = endpoint(Map.of("stranger", WebhookSignature.newSecret()), WebhookSignature.newSecret(), null);
    DeliveryJob job = job(e, "not for you");

    Outcome outcome = channel.attempt(job);

    assertThat(outcome).isInstanceOf(Outcome.Retry.class);
    assertThat(((Outcome.Retry) outcome).error()).startsWith("HTTP 401");
    assertThat(report(WebhookChannel.webhookId(job.id())).path("results").path("stranger").asText())
        .isNotEqualTo("ok");
  }

  @Test
  void aTamperedBodyIsRefused() throws Exception {
    JdkWebhookClient real = new JdkWebhookClient(Duration.ofSeconds(10));
    // signed by the channel, then one byte changed on the way
    WebhookClient tampering = (url, headers, body, timeout) -> {
      byte[] changed = body.clone();
      int i = new String(changed, StandardCharsets.ISO_8859_1).indexOf("tampered me");
      changed[i] = 'T';
      return real.post(url, headers, changed, timeout);
    };
    WebhookChannel intercepted = new WebhookChannel(store, tampering, TargetAddresses.of(true), Duration.ofSeconds(10),
        Clock.systemUTC());
    String secret = WebhookSignature.newSecret();
    WebhookEndpoint e = endpoint(Map.of("only", secret), secret, null);
    DeliveryJob job = job(e, "tampered me");

    Outcome outcome = intercepted.attempt(job);

    assertThat(outcome).isInstanceOf(Outcome.Retry.class);
    assertThat(((Outcome.Retry) outcome).error()).startsWith("HTTP 401");
    assertThat(report(WebhookChannel.webhookId(job.id())).path("results").path("only").asText())
        .isNotEqualTo("ok");
  }
}
