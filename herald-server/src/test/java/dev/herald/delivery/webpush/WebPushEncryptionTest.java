package dev.herald.delivery.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import org.junit.jupiter.api.Test;

class WebPushEncryptionTest {
  private static final KeyPair UA = P256.generate();
  private static final byte[] AUTH = new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  private static final SubscriptionKeys KEYS =
      SubscriptionKeys.parse(Base64Url.encode(P256.encode((ECPublicKey) UA.getPublic())), Base64Url.encode(AUTH));

  @Test
  void encryptsTheExampleOfRfc8291AppendixAByteForByte() {
    KeyPair as = new KeyPair(P256.publicKey(Base64Url.decode(Rfc8291Example.AS_PUBLIC)),
        P256.privateKey(Base64Url.decode(Rfc8291Example.AS_PRIVATE)));
    WebPushEncryption encryption = new WebPushEncryption(() -> as, () -> Base64Url.decode(Rfc8291Example.SALT));
    SubscriptionKeys ua = SubscriptionKeys.parse(Rfc8291Example.UA_PUBLIC, Rfc8291Example.AUTH);

    byte[] body = encryption.encrypt(Rfc8291Example.PLAINTEXT.getBytes(StandardCharsets.UTF_8), ua);

    assertThat(Base64Url.encode(body)).isEqualTo(Rfc8291Example.BODY);
  }

  @Test
  void theRfcExampleDecryptsWithTheUserAgentsPrivateKey() throws Exception {
    KeyPair ua = new KeyPair(P256.publicKey(Base64Url.decode(Rfc8291Example.UA_PUBLIC)),
        P256.privateKey(Base64Url.decode(Rfc8291Example.UA_PRIVATE)));

    BrowserSide.Decrypted d =
        BrowserSide.decrypt(Base64Url.decode(Rfc8291Example.BODY), ua, Base64Url.decode(Rfc8291Example.AUTH));

    assertThat(new String(d.plaintext(), StandardCharsets.UTF_8)).isEqualTo(Rfc8291Example.PLAINTEXT);
  }

  @Test
  void aBrowserDecryptsAMessageOfFreshKeysAsOneLastRecordOf4096() throws Exception {
    byte[] plaintext = "{\"title\":\"Paket ist da – 📦\"}".getBytes(StandardCharsets.UTF_8);

    byte[] body = new WebPushEncryption().encrypt(plaintext, KEYS);
    BrowserSide.Decrypted d = BrowserSide.decrypt(body, UA, AUTH);

    assertThat(d.plaintext()).isEqualTo(plaintext);
    assertThat(d.recordSize()).isEqualTo(4096);
    assertThat(d.keyIdLength()).isEqualTo(65);
    assertThat(d.delimiter()).isEqualTo((byte) 0x02);
    assertThat(body).hasSize(86 + plaintext.length + 1 + 16);
  }

  @Test
  void everyMessageHasItsOwnSaltAndServerKey() {
    byte[] plaintext = "same".getBytes(StandardCharsets.UTF_8);
    WebPushEncryption encryption = new WebPushEncryption();

    byte[] first = encryption.encrypt(plaintext, KEYS);
    byte[] second = encryption.encrypt(plaintext, KEYS);

    assertThat(java.util.Arrays.copyOfRange(first, 0, 16)).isNotEqualTo(java.util.Arrays.copyOfRange(second, 0, 16));
    assertThat(java.util.Arrays.copyOfRange(first, 21, 86)).isNotEqualTo(java.util.Arrays.copyOfRange(second, 21, 86));
  }

  @Test
  void theLargestPlaintextMakesABodyOfExactly4096Bytes() throws Exception {
    byte[] plaintext = new byte[WebPushEncryption.MAX_PLAINTEXT];
    java.util.Arrays.fill(plaintext, (byte) 'x');

    byte[] body = new WebPushEncryption().encrypt(plaintext, KEYS);

    assertThat(WebPushEncryption.MAX_PLAINTEXT).isEqualTo(3993);
    assertThat(body).hasSize(4096);
    assertThat(BrowserSide.decrypt(body, UA, AUTH).plaintext()).isEqualTo(plaintext);
  }

  @Test
  void aPlaintextOneByteOverTheLimitIsRefused() {
    byte[] plaintext = new byte[WebPushEncryption.MAX_PLAINTEXT + 1];

    assertThatThrownBy(() -> new WebPushEncryption().encrypt(plaintext, KEYS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3993")
        .hasMessageContaining("3994");
  }
}
