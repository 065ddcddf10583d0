package dev.herald.delivery.webpush;

import java.security.interfaces.ECPublicKey;

/**
 * The two keys of a browser's push subscription ({@code PushSubscription.toJSON().keys}), checked
 * once: the user agent's P-256 public key and its authentication secret (RFC 8291 §2-3).
 *
 * @param uaPublic the 65-byte uncompressed point, as it goes into the key derivation
 * @param auth the 16-byte authentication secret
 */
public record SubscriptionKeys(ECPublicKey key, byte[] uaPublic, byte[] auth) {
  /** RFC 8291 §3.2: "The authentication secret ... MUST be 16 octets long". */
  static final int AUTH_BYTES = 16;

  /**
   * The keys of base64url {@code p256dh} and {@code auth}, padded or not.
   *
   * @throws InvalidSubscription naming the field: not base64url, {@code p256dh} not a 65-byte
   *     uncompressed point on P-256, {@code auth} not 16 bytes
   */
  public static SubscriptionKeys parse(String p256dh, String auth) {
    byte[] point = decode("keys.p256dh", p256dh);
    ECPublicKey key;
    try {
      // RFC 8291 §3.1: "the user agent ... generates an ECDH key pair ... using the P-256 curve" and
      // shares "the public key ... in the uncompressed form [X9.62]".
      key = P256.publicKey(point);
    } catch (IllegalArgumentException e) {
      throw new InvalidSubscription("keys.p256dh", e.getMessage());
    }
    byte[] secret = decode("keys.auth", auth);
    if (secret.length != AUTH_BYTES) {
      throw new InvalidSubscription("keys.auth", "must be 16 bytes, was " + secret.length);
    }
    return new SubscriptionKeys(key, point, secret);
  }

  private static byte[] decode(String field, String value) {
    try {
      return Base64Url.decode(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidSubscription(field, "must be base64url: " + e.getMessage());
    }
  }
}
