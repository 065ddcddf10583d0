package dev.herald.delivery.webpush;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;

/**
 * NIST P-256 keys in the raw forms of Web Push: a public key as the 65-byte uncompressed point of
 * X9.62 ({@code 0x04 ‖ x ‖ y}), a private key as its 32-byte scalar {@code d} (the {@code web-push}
 * npm package's VAPID key format). JDK crypto only.
 *
 * <p>Threads: any; stateless ({@code KeyFactory} instances are made per call).
 */
final class P256 {
  static final int POINT_BYTES = 65;
  static final int SCALAR_BYTES = 32;
  static final ECParameterSpec PARAMS = params();
  private static final BigInteger P = ((ECFieldFp) PARAMS.getCurve().getField()).getP();

  private P256() {}

  /**
   * The public key of an uncompressed point.
   *
   * @throws IllegalArgumentException naming what is wrong: not 65 bytes, not {@code 0x04}-led, a
   *     coordinate out of the field, or a point that is not on the curve
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
    BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 33));
    BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 33, 65));
    if (!onCurve(x, y)) {
      throw new IllegalArgumentException("is not a point on the P-256 curve");
    }
    try {
      return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), PARAMS));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("is not a P-256 public key: " + e.getMessage(), e);
    }
  }

  /**
   * SEC 1 §3.2.2.1 (public key validation), which the JDK's {@code KeyFactory} does not do (it
   * takes any coordinates; JDK 25's ECDH refuses them only at agreement, so at send time instead
   * of at subscription): both coordinates in [0, p-1] and {@code y² = x³ + ax + b (mod p)}. P-256's
   * cofactor is 1, so a point on the curve (and not the point at infinity, which has no
   * uncompressed form) is in the group. An ECDH peer key off the curve leaks bits of the private
   * key (the invalid-curve attack).
   */
  static boolean onCurve(BigInteger x, BigInteger y) {
    if (x.compareTo(P) >= 0 || y.compareTo(P) >= 0) {
      return false;
    }
    BigInteger left = y.multiply(y).mod(P);
    BigInteger right = x.pow(3).add(PARAMS.getCurve().getA().multiply(x)).add(PARAMS.getCurve().getB()).mod(P);
    return left.equals(right);
  }

  /** The private key of a 32-byte scalar; {@code d} must be in [1, n-1]. */
  static ECPrivateKey privateKey(byte[] d) {
    if (d.length != SCALAR_BYTES) {
      throw new IllegalArgumentException("must be a 32-byte P-256 private scalar, was " + d.length + " bytes");
    }
    BigInteger s = new BigInteger(1, d);
    if (s.signum() == 0 || s.compareTo(PARAMS.getOrder()) >= 0) {
      throw new IllegalArgumentException("is not a P-256 private scalar (0 or not below the group order)");
    }
    try {
      return (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(s, PARAMS));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("is not a P-256 private key: " + e.getMessage(), e);
    }
  }

  /** {@code 0x04 ‖ x ‖ y}, each coordinate 32 bytes big-endian. */
  static byte[] encode(ECPublicKey key) {
    byte[] out = new byte[POINT_BYTES];
    out[0] = 0x04;
    fixed(key.getW().getAffineX(), out, 1);
    fixed(key.getW().getAffineY(), out, 33);
    return out;
  }

  /** The scalar {@code d}, 32 bytes big-endian. */
  static byte[] encode(ECPrivateKey key) {
    byte[] out = new byte[SCALAR_BYTES];
    fixed(key.getS(), out, 0);
    return out;
  }

  /** A fresh key pair from the JDK's default {@code SecureRandom}. */
  static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(PARAMS);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make P-256 keys", e);
    }
  }

  private static void fixed(BigInteger value, byte[] out, int at) {
    byte[] b = value.toByteArray(); // big-endian, maybe a leading sign byte, maybe shorter than 32
    int n = Math.min(b.length, SCALAR_BYTES);
    System.arraycopy(b, b.length - n, out, at + SCALAR_BYTES - n, n);
  }

  private static ECParameterSpec params() {
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec("secp256r1"));
      return p.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
