package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.delivery.webpush.SubscriptionKeys;
import dev.herald.delivery.webpush.Vapid;
import dev.herald.delivery.webpush.WebPushEncryption;
import io.vertx.core.Vertx;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The bench's push service and its checks: the RFC 8291 example decrypts, and what Herald's own
 * sender makes (its {@code WebPushEncryption} and {@code Vapid}, written apart from the checks)
 * passes, while a foreign key, an expired token, another audience and a flipped byte each fail.
 */
class PushServiceTest {
  private static final Vertx VERTX = Vertx.vertx();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterAll
  static void close() {
    VERTX.close();
  }

  @Test
  void decryptsTheWorkedExampleOfRfc8291AppendixA() throws Exception {
    byte[] uaPublic = b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
    ECPrivateKey uaPrivate = privateKey(b64("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"));
    byte[] body = b64("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
        + "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
        + "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN");
    PushMessageCheck.Subscriber ua = new PushMessageCheck.Subscriber(uaPrivate, uaPublic, b64("BTBZMqHH6r4Tts7J_aSIgg"));

    byte[] plaintext = PushMessageCheck.decrypt(body, ua);

    assertThat(new String(plaintext, StandardCharsets.UTF_8)).isEqualTo("When I grow up, I want to be a watermelon");
    body[body.length - 1] ^= 1;
    assertThatThrownBy(() -> PushMessageCheck.decrypt(body, ua)).hasMessageContaining("does not decrypt");
  }

  @Test
  void rawEs256SignaturesBecomeDerThatTheJdkVerifies() throws Exception {
    KeyPair keys = Vapid.generateKeyPair();
    byte[] data = "a.b".getBytes(StandardCharsets.US_ASCII);
    // enough signatures that some r or s has its top bit set and some starts with a zero byte
    for (int i = 0; i < 2_000; i++) {
      Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
      signer.initSign(keys.getPrivate());
      signer.update(data);
      byte[] raw = signer.sign();
      Signature verifier = Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(keys.getPublic());
      verifier.update(data);
      assertThat(verifier.verify(PushMessageCheck.der(raw))).as("signature %d", i).isTrue();
    }
  }

  @Test
  void whatHeraldsSenderMakesPassesEveryCheckAndIsRecordedUnderItsTopic() throws Exception {
    try (PushService service = PushService.start(VERTX)) {
      KeyPair vapidKeys = Vapid.generateKeyPair();
      service.expectServerKey(Vapid.encodePublicKey(vapidKeys));
      Vapid vapid = new Vapid(vapidKeys, "mailto:bench@bench.test", Clock.systemUTC());
      PushMessageCheck.Subscriber s = service.subscribe(7);
      UUID id = UUID.randomUUID();

      int status = send(service, 7, vapid, s, id, payload(id), false);

      assertThat(status).isEqualTo(201);
      assertThat(service.receipts().receivedAt(id)).isPositive();
      PushService.Checks checks = service.awaitChecks(Duration.ofSeconds(10));
      assertThat(checks).isEqualTo(new PushService.Checks(1, 1, 0));
      assertThat(service.totals().failures()).isEmpty();
    }
  }

  @Test
  void aForeignKeyAnExpiredTokenAnotherAudienceAFlippedByteOrAnotherIdEachFailTheirCheck() throws Exception {
    try (PushService service = PushService.start(VERTX)) {
      KeyPair vapidKeys = Vapid.generateKeyPair();
      service.expectServerKey(Vapid.encodePublicKey(vapidKeys));
      PushMessageCheck.Subscriber s = service.subscribe(0);
      Vapid foreign = new Vapid(Vapid.generateKeyPair(), "mailto:bench@bench.test", Clock.systemUTC());
      Vapid expired = new Vapid(vapidKeys, "mailto:bench@bench.test",
          Clock.fixed(Instant.now().minus(Duration.ofHours(13)), ZoneOffset.UTC));
      Vapid good = new Vapid(vapidKeys, "mailto:bench@bench.test", Clock.systemUTC());
      UUID id = UUID.randomUUID();

      send(service, 0, foreign, s, id, payload(id), false);
      send(service, 0, expired, s, id, payload(id), false);
      send(service, 0, good, s, id, payload(UUID.randomUUID()), false);
      send(service, 0, good, s, id, payload(id), true);
      // the token for another origin: the endpoint's port is not the service's
      HttpResponse<String> r = HTTP.send(request(service, 0, good.authorization(URI.create("http://127.0.0.1:1/push/0")),
          new WebPushEncryption().encrypt(payload(id), keys(s)), id), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(201);

      assertThat(service.awaitChecks(Duration.ofSeconds(10))).isEqualTo(new PushService.Checks(5, 0, 5));
      assertThat(service.totals().failures()).satisfiesExactly(
          f -> assertThat(f).contains("k is not the VAPID public key"),
          f -> assertThat(f).contains("expired"),
          f -> assertThat(f).contains("is not the topic's"),
          f -> assertThat(f).contains("does not decrypt"),
          f -> assertThat(f).contains("aud is \"http://127.0.0.1:1\""));
      assertThat(service.totals().duplicates()).isEqualTo(4);
    }
  }

  @Test
  void aTopicIsANotificationIdWithoutItsDashes() {
    UUID id = UUID.randomUUID();
    assertThat(PushService.topicId(id.toString().replace("-", ""))).isEqualTo(id);
    assertThat(PushService.topicId("ffffffffffffffffffffffffffffffff")).isEqualTo(new UUID(-1, -1));
    assertThat(PushService.topicId(id.toString())).isNull();
    assertThat(PushService.topicId("+fffffffffffffffffffffffffffffff")).isNull();
    assertThat(PushService.topicId(null)).isNull();
  }

  /** Herald's encryption and VAPID header for subscription {@code sub}, sent as its channel does; the status. */
  private static int send(PushService service, int sub, Vapid vapid, PushMessageCheck.Subscriber s, UUID topic,
                          byte[] payload, boolean flipAByte) throws Exception {
    byte[] body = new WebPushEncryption().encrypt(payload, keys(s));
    if (flipAByte) {
      body[body.length - 5] ^= 1;
    }
    String authorization = vapid.authorization(URI.create(service.endpoint(sub)));
    return HTTP.send(request(service, sub, authorization, body, topic), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static HttpRequest request(PushService service, int sub, String authorization, byte[] body, UUID topic) {
    return HttpRequest.newBuilder(URI.create(service.endpoint(sub))).timeout(Duration.ofSeconds(10))
        .header("authorization", authorization).header("content-encoding", "aes128gcm")
        .header("content-type", "application/octet-stream").header("ttl", "86400").header("urgency", "normal")
        .header("topic", topic.toString().replace("-", "")).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private static SubscriptionKeys keys(PushMessageCheck.Subscriber s) {
    return SubscriptionKeys.parse(s.p256dh(), s.authSecret());
  }

  private static byte[] payload(UUID id) {
    return ("{\"title\":\"b\",\"body\":\"bench\",\"data\":{\"notificationId\":\"" + id + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] b64(String s) {
    return Base64.getUrlDecoder().decode(s);
  }

  private static ECPrivateKey privateKey(byte[] d) throws Exception {
    AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
    p.init(new ECGenParameterSpec("secp256r1"));
    return (ECPrivateKey) KeyFactory.getInstance("EC")
        .generatePrivate(new ECPrivateKeySpec(new BigInteger(1, d), p.getParameterSpec(ECParameterSpec.class)));
  }
}
