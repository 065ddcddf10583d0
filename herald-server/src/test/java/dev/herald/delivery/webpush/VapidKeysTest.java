package dev.herald.delivery.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.config.P256Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VAPID pair: generated once into the data directory, or configured and checked with the settings. */
class VapidKeysTest {
  /** RFC 8291 Appendix A: the application server's key pair of the worked example. */
  private static final String RFC_PUBLIC =
      "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
  private static final String RFC_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";

  @TempDir
  Path dataDir;

  private static String[] freshPair() {
    KeyPair pair = P256Keys.generate();
    return new String[] {P256Keys.base64url(P256Keys.raw((ECPublicKey) pair.getPublic())),
        P256Keys.base64url(P256Keys.raw((ECPrivateKey) pair.getPrivate()))};
  }

  private static HeraldConfig.Delivery configured(Map<String, String> env) {
    return HeraldConfig.fromEnv(env).delivery();
  }

  @Test
  void anUnconfiguredPairIsGeneratedOnceAndReadBackAfterARestart() throws Exception {
    VapidKeys first = VapidKeys.of(HeraldConfig.Delivery.defaults(), dataDir);
    VapidKeys second = VapidKeys.of(HeraldConfig.Delivery.defaults(), dataDir);

    byte[] raw = Base64.getUrlDecoder().decode(first.publicKey());
    assertThat(raw).hasSize(65);
    assertThat(raw[0]).isEqualTo((byte) 0x04);
    assertThat(P256Keys.point(raw)).isNotNull();
    assertThat(second.publicKey()).isEqualTo(first.publicKey());
    assertThat(second.keyPair().getPrivate().getEncoded()).isEqualTo(first.keyPair().getPrivate().getEncoded());
    assertThat(P256Keys.isPair((ECPrivateKey) second.keyPair().getPrivate(), (ECPublicKey) second.keyPair().getPublic()))
        .isTrue();
    assertThat(first.subject()).isEqualTo("mailto:herald@localhost");
  }

  @Test
  void theGeneratedFileIsWebPushsJsonFormatReadableByItsOwnerOnly() throws Exception {
    VapidKeys keys = VapidKeys.of(HeraldConfig.Delivery.defaults(), dataDir);
    Path file = dataDir.resolve(VapidKeys.FILE);

    JsonNode doc = new ObjectMapper().readTree(file.toFile());
    assertThat(doc.get("publicKey").asText()).isEqualTo(keys.publicKey());
    assertThat(Base64.getUrlDecoder().decode(doc.get("privateKey").asText())).hasSize(32);
    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    try (var listing = Files.list(dataDir)) {
      assertThat(listing).extracting(p -> p.getFileName().toString()).containsExactly(VapidKeys.FILE);
    }
  }

  @Test
  void aDamagedKeyFileIsRefusedNamingTheFileAndTheFix() throws Exception {
    Files.writeString(dataDir.resolve(VapidKeys.FILE), "{\"publicKey\":\"" + RFC_PUBLIC + "\",\"privateKey\":\""
        + freshPair()[1] + "\"}");

    assertThatThrownBy(() -> VapidKeys.of(HeraldConfig.Delivery.defaults(), dataDir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(VapidKeys.FILE).hasMessageContaining("delete it");
  }

  @Test
  void configuredKeysAreUsedAndNothingIsWritten() throws Exception {
    HeraldConfig.Delivery settings = configured(Map.of("HERALD_VAPID_PUBLIC_KEY", RFC_PUBLIC,
        "HERALD_VAPID_PRIVATE_KEY", RFC_PRIVATE, "HERALD_VAPID_SUBJECT", "https://notify.example.com/contact"));

    VapidKeys keys = VapidKeys.of(settings, dataDir);

    assertThat(keys.publicKey()).isEqualTo(RFC_PUBLIC);
    assertThat(P256Keys.base64url(P256Keys.raw((ECPrivateKey) keys.keyPair().getPrivate()))).isEqualTo(RFC_PRIVATE);
    assertThat(keys.subject()).isEqualTo("https://notify.example.com/contact");
    try (var listing = Files.list(dataDir)) {
      assertThat(listing).isEmpty();
    }
  }

  @Test
  void aKeyWithoutItsPartnerIsRefused() {
    assertThatThrownBy(() -> configured(Map.of("HERALD_VAPID_PUBLIC_KEY", RFC_PUBLIC)))
        .hasMessageContaining("HERALD_VAPID_PUBLIC_KEY and HERALD_VAPID_PRIVATE_KEY must be set together")
        .hasMessageContaining("only HERALD_VAPID_PUBLIC_KEY is set");
    assertThatThrownBy(() -> configured(Map.of("HERALD_VAPID_PRIVATE_KEY", RFC_PRIVATE)))
        .hasMessageContaining("only HERALD_VAPID_PRIVATE_KEY is set")
        .message().doesNotContain(RFC_PRIVATE);
  }

  @Test
  void keysOfTheWrongLengthOrNotOnTheCurveAreRefusedWithoutPrintingThePrivateKey() {
    String shortPublic = P256Keys.base64url(new byte[64]);
    String longPrivate = RFC_PRIVATE + "AAAA";
    Throwable refused = catchThrowable(() -> configured(Map.of("HERALD_VAPID_PUBLIC_KEY", shortPublic,
        "HERALD_VAPID_PRIVATE_KEY", longPrivate)));

    assertThat(refused).isInstanceOf(ConfigException.class)
        .hasMessageContaining("HERALD_VAPID_PUBLIC_KEY must be base64url of a 65-byte").hasMessageContaining(shortPublic)
        .hasMessageContaining("(64 bytes)")
        .hasMessageContaining("HERALD_VAPID_PRIVATE_KEY must be base64url of a 32-byte").hasMessageContaining("35 bytes")
        .hasMessageContaining("npx web-push generate-vapid-keys");
    assertThat(refused.getMessage()).doesNotContain(RFC_PRIVATE);

    byte[] offCurve = Base64.getUrlDecoder().decode(RFC_PUBLIC);
    offCurve[64] ^= 1;
    assertThatThrownBy(() -> configured(Map.of("HERALD_VAPID_PUBLIC_KEY", P256Keys.base64url(offCurve),
        "HERALD_VAPID_PRIVATE_KEY", RFC_PRIVATE)))
        .hasMessageContaining("HERALD_VAPID_PUBLIC_KEY must be base64url of a 65-byte uncompressed P-256 point");
  }

  @Test
  void aPublicKeyOfAnotherPairIsRefused() {
    String otherPublic = freshPair()[0];

    Throwable refused = catchThrowable(() -> configured(Map.of("HERALD_VAPID_PUBLIC_KEY", otherPublic,
        "HERALD_VAPID_PRIVATE_KEY", RFC_PRIVATE)));

    assertThat(refused).hasMessageContaining("HERALD_VAPID_PUBLIC_KEY '" + otherPublic + "' is not the public key "
        + "of HERALD_VAPID_PRIVATE_KEY");
    assertThat(refused.getMessage()).doesNotContain(RFC_PRIVATE);
  }

  @Test
  void theSubjectMustBeAMailtoOrHttpsUri() {
    for (String bad : new String[] {"herald@example.com", "http://example.com", "mailto:nobody", "https://"}) {
      assertThatThrownBy(() -> configured(Map.of("HERALD_VAPID_SUBJECT", bad)))
          .as(bad).hasMessageContaining("HERALD_VAPID_SUBJECT must be a mailto: or https: URI")
          .hasMessageContaining("'" + bad + "'");
    }
    assertThat(configured(Map.of("HERALD_VAPID_SUBJECT", "mailto:ops@example.com")).vapidSubject())
        .isEqualTo("mailto:ops@example.com");
    assertThat(HeraldConfig.Delivery.defaults().vapidSubject()).isEqualTo("mailto:herald@localhost");
  }

  @Test
  void theOlderConstructorsOfTheSettingsStillWorkWithoutVapidKeys() {
    HeraldConfig.Delivery d = HeraldConfig.Delivery.defaults();
    HeraldConfig.Delivery old = new HeraldConfig.Delivery(d.smtpUrl(), d.emailFrom(), d.publicUrl(),
        d.allowPrivateTargets(), d.retryDelays(), d.concurrency(), d.perTarget(), d.lease(), d.webhookTimeout(),
        d.smtpTimeout());

    assertThat(old.vapidPublicKey()).isNull();
    assertThat(old.vapidPrivateKey()).isNull();
    assertThat(old.vapidSubject()).isEqualTo(HeraldConfig.Delivery.DEFAULT_VAPID_SUBJECT);
    assertThat(old.withAllowPrivateTargets(true).vapidSubject()).isEqualTo(HeraldConfig.Delivery.DEFAULT_VAPID_SUBJECT);
  }

  @Test
  void rawKeysAndTheJdksKeysConvertBothWays() {
    String[] pair = freshPair();

    ECPublicKey pub = P256Keys.publicKey(Base64.getUrlDecoder().decode(pair[0]));
    ECPrivateKey priv = P256Keys.privateKey(Base64.getUrlDecoder().decode(pair[1]));

    assertThat(P256Keys.base64url(P256Keys.raw(pub))).isEqualTo(pair[0]);
    assertThat(P256Keys.base64url(P256Keys.raw(priv))).isEqualTo(pair[1]);
    assertThat(P256Keys.isPair(priv, pub)).isTrue();
    assertThat(P256Keys.isPair(P256Keys.privateKey(Base64.getUrlDecoder().decode(RFC_PRIVATE)), pub)).isFalse();
    assertThat(P256Keys.fromBase64url("not base64!")).isNull();
  }
}
