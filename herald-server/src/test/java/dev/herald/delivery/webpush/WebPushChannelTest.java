package dev.herald.delivery.webpush;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.delivery.DeliveryJob;
import dev.herald.delivery.Outcome;
import dev.herald.delivery.TargetAddresses;
import dev.herald.delivery.webhook.WebhookClient;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The channel's answers to a push service's refusals, against a scripted push service: a 413
 * ("payload too large" from a service that takes less than 4 KB) is answered by one more push
 * without the body, title and id kept (issue 13), and fails when that is refused too.
 */
class WebPushChannelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KeyPair BROWSER = P256.generate();
  private static final byte[] AUTH = new byte[16];

  /** A push service answering with the scripted statuses in turn, keeping each body it got. */
  private static final class Scripted implements WebhookClient {
    final Deque<Integer> statuses = new ArrayDeque<>();
    final List<byte[]> bodies = new ArrayList<>();

    @Override
    public Answer post(java.net.URI url, java.util.Map<String, String> headers, byte[] body, Duration timeout) {
      bodies.add(body);
      return new Answer(statuses.removeFirst(), "", null);
    }
  }

  private static WebPushChannel channel(Scripted service) {
    return new WebPushChannel(new WebPushEncryption(), new Vapid(Vapid.generateKeyPair(), "mailto:t@example.org",
        Clock.systemUTC()), service, TargetAddresses.of(true), id -> { }, Duration.ofSeconds(5), null,
        Clock.systemUTC());
  }

  private static DeliveryJob job() {
    UUID id = UUID.randomUUID();
    var n = new DeliveryJob.Notification(id, "chat.message", "From Ana", "x".repeat(3000), "chat", "normal",
        "pending", null, null, false, OffsetDateTime.now(), null, List.of());
    var subscription = new DeliveryJob.Subscription(UUID.randomUUID(), "https://push.example/s1",
        Base64Url.encode(P256.encode((ECPublicKey) BROWSER.getPublic())), Base64Url.encode(AUTH));
    return new DeliveryJob(UUID.randomUUID(), "push", "acme", "ana", id, null, null, null, "", 1,
        OffsetDateTime.now(), n, null, subscription);
  }

  private static JsonNode payload(byte[] body) throws Exception {
    return JSON.readTree(BrowserSide.decrypt(body, BROWSER, AUTH).plaintext());
  }

  @Test
  void a413IsAnsweredByOneMorePushWithoutTheBody() throws Exception {
    Scripted service = new Scripted();
    service.statuses.add(413);
    service.statuses.add(201);
    DeliveryJob job = job();
    Outcome outcome = channel(service).attempt(job);
    assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
    assertThat(service.bodies).hasSize(2);
    assertThat(payload(service.bodies.get(0)).path("body").asText()).hasSize(3000);
    JsonNode second = payload(service.bodies.get(1));
    assertThat(second.has("body")).isFalse();
    assertThat(second.path("title").asText()).isEqualTo("From Ana");
    assertThat(second.at("/data/notificationId").asText()).isEqualTo(job.notificationId().toString());
  }

  @Test
  void a413ToTheShortPushTooFailsTheJob() throws Exception {
    Scripted service = new Scripted();
    service.statuses.add(413);
    service.statuses.add(413);
    Outcome outcome = channel(service).attempt(job());
    assertThat(outcome).isInstanceOf(Outcome.Failed.class);
    assertThat(service.bodies).hasSize(2);
  }

  @Test
  void aPushServiceGetsTheNodesWholeConcurrencyNotOneEndpointsShare() {
    assertThat(channel(new Scripted()).slotsPerTarget(32, 256)).isEqualTo(256);
    assertThat(channel(new Scripted()).slotsPerTarget(512, 256)).isEqualTo(512);
  }
}
