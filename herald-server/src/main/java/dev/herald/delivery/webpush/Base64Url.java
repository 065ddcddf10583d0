package dev.herald.delivery.webpush;

import java.util.Base64;

/**
 * The base64url alphabet of RFC 4648 §5, as browsers give subscription keys and as Web Push puts
 * keys and tokens on the wire (RFC 8291 §3, RFC 8292 §3.2: "encoded using base64url").
 *
 * <p>Threads: any; stateless.
 */
public final class Base64Url {
  private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

  private Base64Url() {}

  /** {@code bytes} in base64url without padding (what {@code PushSubscription.toJSON()} gives). */
  public static String encode(byte[] bytes) {
    return ENCODE.encodeToString(bytes);
  }

  /**
   * The bytes of {@code text}, base64url with or without its {@code =} padding.
   *
   * @throws IllegalArgumentException when {@code text} is null or not base64url (a {@code +} or
   *     {@code /} of the standard alphabet, a wrong padding, a stray character)
   */
  public static byte[] decode(String text) {
    if (text == null) {
      throw new IllegalArgumentException("missing base64url value");
    }
    return DECODE.decode(text); // padding is optional for the JDK's decoder, wrong padding is not
  }
}
