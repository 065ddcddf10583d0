package dev.herald.delivery.webpush;

import dev.herald.config.P256Keys;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;

/**
 * NIST P-256 keys in the raw forms of Web Push, with the reasons a browser's key is refused: a
 * public key as the 65-byte uncompressed point of X9.62 ({@code 0x04 ‖ x ‖ y}), a private key as
 * its 32-byte scalar {@code d} (the {@code web-push} npm package's VAPID key format). The
 * conversions and the curve check are {@link P256Keys}' (configuration checks the VAPID keys with
 * them before anything starts); this adds the messages a subscription's refusal carries.
 *
 * <p>Threads: any; stateless.
 */
final class P256 {
  static final int POINT_BYTES = P256Keys.PUBLIC_LENGTH;
  static final int SCALAR_BYTES = P256Keys.PRIVATE_LENGTH;
  static final ECParameterSpec PARAMS = P256Keys.CURVE;

  private P256() {}

  /**
   * The public key of an uncompressed point. SEC 1 §3.2.2.1 (public key validation), which the
   * JDK's {@code KeyFactory} does not do (JDK 25's ECDH refuses an off-curve key only at agreement,
   * so at send time instead of at subscription): an ECDH peer key off the curve leaks bits of the
   * private key (the invalid-curve attack).
   *
   * @throws IllegalArgumentException naming what is wrong: not 65 bytes, not {@code 0x04}-led, or
   *     not a point on the curve (a coordinate out of the field included)
   */
  static ECPublicKey publicKey(byte[] point) {
    if (point.length != POINT_BYTES) {
      throw new IllegalArgumentException("must be a 65-byte uncompressed P-256 point, was " + point.length + " bytes");
    }
    // X9.62 §4.3.6 / SEC 1 §2.3.3: 0x04 leads an uncompressed point (0x02/0x03 a compressed one).
    if (point[0] != 0x04) {
      throw new IllegalArgumentException("must be an uncompressed P-256 point (first byte 0x04), was 0x"
          + String.format("%02x", point[0]));
    }
    if (P256Keys.point(point) == null) {
      throw new IllegalArgumentException("is not a point on the P-256 curve");
    }
    return P256Keys.publicKey(point);
  }

  /** The private key of a 32-byte scalar; {@code d} must be in [1, n-1]. */
  static ECPrivateKey privateKey(byte[] d) {
    if (d.length != SCALAR_BYTES) {
      throw new IllegalArgumentException("must be a 32-byte P-256 private scalar, was " + d.length + " bytes");
    }
    if (!P256Keys.isScalar(d)) {
      throw new IllegalArgumentException("is not a P-256 private scalar (0 or not below the group order)");
    }
    return P256Keys.privateKey(d);
  }

  /** {@code 0x04 ‖ x ‖ y}, each coordinate 32 bytes big-endian. */
  static byte[] encode(ECPublicKey key) {
    return P256Keys.raw(key);
  }

  /** The scalar {@code d}, 32 bytes big-endian. */
  static byte[] encode(ECPrivateKey key) {
    return P256Keys.raw(key);
  }

  /** A fresh key pair from the JDK's default {@code SecureRandom}. */
  static KeyPair generate() {
    return P256Keys.generate();
  }
}
