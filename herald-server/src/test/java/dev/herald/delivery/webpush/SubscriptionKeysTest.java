package dev.herald.delivery.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SubscriptionKeysTest {
  @Test
  void readsTheKeysABrowserGivesWithOrWithoutPadding() {
    SubscriptionKeys bare = SubscriptionKeys.parse(Rfc8291Example.UA_PUBLIC, Rfc8291Example.AUTH);
    SubscriptionKeys padded = SubscriptionKeys.parse(Rfc8291Example.UA_PUBLIC + "=", Rfc8291Example.AUTH + "==");

    assertThat(bare.uaPublic()).hasSize(65).startsWith((byte) 0x04);
    assertThat(bare.auth()).hasSize(16);
    assertThat(padded.uaPublic()).isEqualTo(bare.uaPublic());
    assertThat(padded.auth()).isEqualTo(bare.auth());
    assertThat(bare.key().getW().getAffineX()).isEqualTo(new java.math.BigInteger(1, Arrays.copyOfRange(bare.uaPublic(), 1, 33)));
  }

  @Test
  void aPointOffTheCurveIsRefused() {
    byte[] point = Base64Url.decode(Rfc8291Example.UA_PUBLIC);
    point[64] ^= 1; // y changed: (x, y') no longer satisfies the curve equation

    assertThatThrownBy(() -> SubscriptionKeys.parse(Base64Url.encode(point), Rfc8291Example.AUTH))
        .isInstanceOfSatisfying(InvalidSubscription.class, e -> assertThat(e.field()).isEqualTo("keys.p256dh"))
        .hasMessage("keys.p256dh is not a point on the P-256 curve");
  }

  @Test
  void aCoordinateBeyondTheFieldIsRefused() {
    byte[] point = new byte[65];
    point[0] = 0x04;
    Arrays.fill(point, 1, 65, (byte) 0xff); // x = y = 2^256 - 1 > p

    assertThatThrownBy(() -> SubscriptionKeys.parse(Base64Url.encode(point), Rfc8291Example.AUTH))
        .isInstanceOf(InvalidSubscription.class)
        .hasMessage("keys.p256dh is not a point on the P-256 curve");
  }

  @Test
  void aCompressedPointIsRefusedWithItsLength() {
    byte[] compressed = Arrays.copyOf(Base64Url.decode(Rfc8291Example.UA_PUBLIC), 33);
    compressed[0] = 0x02;

    assertThatThrownBy(() -> SubscriptionKeys.parse(Base64Url.encode(compressed), Rfc8291Example.AUTH))
        .isInstanceOf(InvalidSubscription.class)
        .hasMessageContaining("65-byte uncompressed")
        .hasMessageContaining("was 33 bytes");
  }

  @Test
  void sixtyFiveBytesNotLedBy04AreRefused() {
    byte[] point = Base64Url.decode(Rfc8291Example.UA_PUBLIC);
    point[0] = 0x03;

    assertThatThrownBy(() -> SubscriptionKeys.parse(Base64Url.encode(point), Rfc8291Example.AUTH))
        .isInstanceOf(InvalidSubscription.class)
        .hasMessageContaining("first byte 0x04")
        .hasMessageContaining("was 0x03");
  }

  @Test
  void anAuthSecretOfOtherThan16BytesIsRefused() {
    String fifteen = Base64Url.encode(new byte[15]);

    assertThatThrownBy(() -> SubscriptionKeys.parse(Rfc8291Example.UA_PUBLIC, fifteen))
        .isInstanceOfSatisfying(InvalidSubscription.class, e -> assertThat(e.field()).isEqualTo("keys.auth"))
        .hasMessage("keys.auth must be 16 bytes, was 15");
  }

  @Test
  void textThatIsNotBase64UrlIsRefusedNamingTheField() {
    assertThatThrownBy(() -> SubscriptionKeys.parse("BCVx+r7N/eNg", Rfc8291Example.AUTH))
        .isInstanceOfSatisfying(InvalidSubscription.class, e -> assertThat(e.field()).isEqualTo("keys.p256dh"))
        .hasMessageStartingWith("keys.p256dh must be base64url");
    assertThatThrownBy(() -> SubscriptionKeys.parse(Rfc8291Example.UA_PUBLIC, null))
        .isInstanceOfSatisfying(InvalidSubscription.class, e -> assertThat(e.field()).isEqualTo("keys.auth"));
  }
}
