package dev.herald.delivery.webpush;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with SHA-256 (RFC 5869), the two steps as RFC 8291 §3.4 writes them out; only outputs of
 * one block (≤ 32 bytes), all that Web Push needs.
 *
 * <p>Threads: any; stateless (a {@code Mac} per call).
 */
final class Hkdf {
  private Hkdf() {}

  /** RFC 5869 §2.2: {@code PRK = HMAC-Hash(salt, IKM)}. */
  static byte[] extract(byte[] salt, byte[] ikm) {
    return hmac(salt, ikm, null);
  }

  /** RFC 5869 §2.3 for L ≤ HashLen: {@code OKM = HMAC-Hash(PRK, info ‖ 0x01)[0..L-1]}. */
  static byte[] expand(byte[] prk, byte[] info, int length) {
    if (length < 1 || length > 32) {
      throw new IllegalArgumentException("one HKDF-SHA256 block gives 1-32 bytes, asked " + length);
    }
    return Arrays.copyOf(hmac(prk, info, new byte[] {1}), length);
  }

  private static byte[] hmac(byte[] key, byte[] first, byte[] second) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(first);
      if (second != null) {
        mac.update(second);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }
}
