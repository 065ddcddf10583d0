package dev.herald.delivery.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature scheme (standardwebhooks.com, "Signature scheme"): secrets, and
 * the {@code webhook-signature} header a receiver checks.
 *
 * <p>Threads: any; stateless.
 */
final class WebhookSignature {
  /** Spec: "secrets are base64 encoded and prefixed with whsec_". */
  static final String SECRET_PREFIX = "whsec_";
  /** Spec: the key is 24 to 64 bytes; Herald makes 32 (the HMAC-SHA256 block's half, its output size). */
  private static final int SECRET_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  /** A new secret: {@code whsec_} and the base64 of 32 random bytes. */
  static String newSecret() {
    byte[] key = new byte[SECRET_BYTES];
    RANDOM.nextBytes(key);
    return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** Whether {@code secret} is one Herald can sign with: {@code whsec_} and base64 of 24-64 bytes. */
  static boolean isSecret(String secret) {
    if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
      return false;
    }
    try {
      int n = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length())).length;
      return n >= 24 && n <= 64;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The {@code webhook-signature} header value: one {@code v1,<base64>} per secret, space-separated
   * (spec: "multiple signatures ... delimited by a space", which is how a rotation overlaps).
   */
  static String header(List<String> secrets, String webhookId, long timestampSeconds, byte[] body) {
    StringBuilder b = new StringBuilder(48 * secrets.size());
    for (String secret : secrets) {
      if (!b.isEmpty()) {
        b.append(' ');
      }
      b.append("v1,").append(sign(secret, webhookId, timestampSeconds, body));
    }
    return b.toString();
  }

  /**
   * Spec: "the content to sign is composed by concatenating the id, timestamp and payload, separated
   * by the full-stop character", HMAC-SHA256 keyed with the base64-decoded secret, base64 encoded.
   */
  static String sign(String secret, String webhookId, long timestampSeconds, byte[] body) {
    if (!isSecret(secret)) {
      throw new IllegalArgumentException("not a whsec_ secret of 24-64 bytes");
    }
    byte[] key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((webhookId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
