package dev.herald.delivery.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.delivery.DeliveryJob;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PushPayloadTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ID = "01936f6e-7c1a-7b3e-9d2a-4f5e6a7b8c9d";
  private static final Instant AT = Instant.parse("2026-12-01T08:00:00.123Z");

  @Test
  void carriesSeed000sShapeWithTypeTagAndTimestamp() throws Exception {
    UUID id = UUID.fromString(ID);
    var n = new DeliveryJob.Notification(id, "order.shipped", "Shipped", "Your parcel is on its way", "orders", "high",
        "unread", null, "https://shop.example.com/orders/7", false, OffsetDateTime.ofInstant(AT, ZoneOffset.UTC), null,
        List.of());

    JsonNode json = JSON.readTree(PushPayload.of(n, "/icon.png").toJson());

    assertThat(json.get("title").asText()).isEqualTo("Shipped");
    assertThat(json.get("body").asText()).isEqualTo("Your parcel is on its way");
    assertThat(json.get("icon").asText()).isEqualTo("/icon.png");
    assertThat(json.get("type").asText()).isEqualTo("order.shipped");
    assertThat(json.get("tag").asText()).isEqualTo(ID);
    assertThat(json.get("timestamp").asLong()).isEqualTo(AT.toEpochMilli());
    assertThat(json.get("data").get("notificationId").asText()).isEqualTo(ID);
    assertThat(json.get("data").get("url").asText()).isEqualTo("https://shop.example.com/orders/7");
  }

  @Test
  void absentMembersAreLeftOut() throws Exception {
    JsonNode json = JSON.readTree(new PushPayload("Hi", null, null, ID, null, null, null, null).toJson());

    assertThat(json.fieldNames()).toIterable().containsExactly("title", "data");
    assertThat(json.get("data").fieldNames()).toIterable().containsExactly("notificationId");
  }

  @Test
  void aLongBodyOfThreeByteCharactersIsShortenedFirstToFitTheLimit() throws Exception {
    String body = "€".repeat(2000); // 6000 bytes of UTF-8

    byte[] bytes = payload("Title stays", body).toJson();
    JsonNode json = JSON.readTree(bytes);

    assertThat(bytes.length).isLessThanOrEqualTo(PushPayload.MAX_BYTES).isGreaterThan(PushPayload.MAX_BYTES - 3 - 3);
    assertThat(json.get("title").asText()).isEqualTo("Title stays");
    assertThat(json.get("body").asText()).endsWith("…").startsWith("€€€");
    assertThat(json.get("body").asText().replace("…", "")).matches("€+");
    assertThat(json.get("data").get("notificationId").asText()).isEqualTo(ID);
  }

  @Test
  void emojiAreNeverCutInHalf() throws Exception {
    String body = "🍉".repeat(1500); // surrogate pairs, 4 bytes each in UTF-8

    byte[] bytes = payload("t", body).toJson();
    String text = JSON.readTree(bytes).get("body").asText();

    assertThat(bytes.length).isLessThanOrEqualTo(PushPayload.MAX_BYTES);
    assertThat(text.replace("…", "")).matches("(🍉)+");
    assertThat(new String(bytes, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8)).isEqualTo(bytes);
  }

  @Test
  void aTitleTooLongEvenWithoutBodyIsShortenedAfterTheBodyIsEmptied() throws Exception {
    String title = "Ü".repeat(3000); // 6000 bytes

    byte[] bytes = payload(title, "a body").toJson();
    JsonNode json = JSON.readTree(bytes);

    assertThat(bytes.length).isLessThanOrEqualTo(PushPayload.MAX_BYTES);
    assertThat(json.get("body").asText()).isEmpty();
    assertThat(json.get("title").asText()).startsWith("ÜÜÜ").endsWith("…");
    assertThat(json.get("icon").asText()).isEqualTo("/icon.png");
    assertThat(json.get("data").get("notificationId").asText()).isEqualTo(ID);
  }

  @Test
  void escapedControlCharactersAreMeasuredAsWritten() throws Exception {
    String body = "\u0001".repeat(1000); // each written as \u0001: 6 bytes

    byte[] bytes = payload("t", body).toJson();

    assertThat(bytes.length).isLessThanOrEqualTo(PushPayload.MAX_BYTES);
    assertThat(JSON.readTree(bytes).get("body").asText()).startsWith("\u0001").endsWith("…");
  }

  @Test
  void optionalMembersGoWhenEvenEmptyTextsDoNotFitButTheNotificationIdStays() throws Exception {
    String hugeUrl = "https://example.com/" + "a".repeat(5000);

    byte[] bytes = new PushPayload("t", "b", "/icon.png", ID, hugeUrl, "order.shipped", "tag", AT).toJson();
    JsonNode json = JSON.readTree(bytes);

    assertThat(bytes.length).isLessThanOrEqualTo(PushPayload.MAX_BYTES);
    assertThat(json.get("data").get("notificationId").asText()).isEqualTo(ID);
    assertThat(json.get("data").has("url")).isFalse();
    assertThat(json.get("timestamp").asLong()).isEqualTo(AT.toEpochMilli());
  }

  @Test
  void aShortenedPayloadEncryptsToAtMost4096Bytes() {
    KeyPair ua = P256.generate();
    SubscriptionKeys keys =
        SubscriptionKeys.parse(Base64Url.encode(P256.encode((ECPublicKey) ua.getPublic())), Base64Url.encode(new byte[16]));

    byte[] body = new WebPushEncryption().encrypt(payload("Ärger", "ß".repeat(4000)).toJson(), keys);

    assertThat(body.length).isLessThanOrEqualTo(4096);
  }

  @Test
  void aPayloadWithoutNotificationIdCannotBeMade() {
    assertThatThrownBy(() -> new PushPayload("t", "b", null, null, null, null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("notificationId");
  }

  private static PushPayload payload(String title, String body) {
    return new PushPayload(title, body, "/icon.png", ID, "https://example.com/n/1", "order.shipped", ID, AT);
  }

  @Test
  void aDigestSaysHowManyListsTheTitlesAndIsTaggedByItsKey() throws Exception {
    var items = java.util.List.of(
        new dev.herald.delivery.DeliveryJob.Notification(java.util.UUID.randomUUID(), "comment", "First", "m", "c",
            "normal", "pending", null, null, false, null, null, java.util.List.of()),
        new dev.herald.delivery.DeliveryJob.Notification(java.util.UUID.randomUUID(), "comment", "Second", "m", "c",
            "normal", "pending", null, null, false, null, null, java.util.List.of()));
    var digest = new dev.herald.delivery.DeliveryJob.Digest(java.util.UUID.randomUUID(), "type:comment", items, 5, 2,
        "comment.digest");
    JsonNode json = JSON.readTree(PushPayload.digest(digest, null, AT).toJson());
    assertThat(json.path("title").asText()).isEqualTo("5 new notifications");
    assertThat(json.path("body").asText()).isEqualTo("First\nSecond\n… and 3 more");
    assertThat(json.path("tag").asText()).isEqualTo("digest:type:comment");
    assertThat(json.path("type").asText()).isEqualTo("comment");
    assertThat(json.at("/data/notificationId").asText()).isEqualTo(items.get(1).id().toString());
  }
}
