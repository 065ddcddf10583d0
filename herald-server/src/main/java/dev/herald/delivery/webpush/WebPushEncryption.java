package dev.herald.delivery.webpush;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Message encryption for Web Push (RFC 8291) in the {@code aes128gcm} content coding (RFC 8188):
 * one record, a fresh application-server key pair and salt per message. The result is the whole
 * request body, sent with {@code Content-Encoding: aes128gcm}.
 *
 * <p>Threads: any; immutable ({@code SecureRandom} and the suppliers are thread-safe).
 */
public final class WebPushEncryption {
  /**
   * RFC 8291 §4: "A push service is not required to support more than 4096 octets of payload body
   * ... Absent header (86 octets), padding (minimum 1 octet), and expansion for AES-GCM-128 (16
   * octets), this equates to, at most, 3993 octets of plaintext."
   */
  public static final int MAX_PLAINTEXT = 4096 - 86 - 1 - 16;
  /** The record size written in the header: the 4096 octets a push service must accept. */
  static final int RECORD_SIZE = 4096;
  static final int SALT_BYTES = 16;
  private static final int TAG_BYTES = 16;
  private static final int HEADER_BYTES = SALT_BYTES + 4 + 1 + P256.POINT_BYTES;
  private static final byte[] KEY_INFO = ascii("WebPush: info\0");
  private static final byte[] CEK_INFO = ascii("Content-Encoding: aes128gcm\0");
  private static final byte[] NONCE_INFO = ascii("Content-Encoding: nonce\0");
  /** RFC 8188 §2: "a padding delimiter octet ... 2 for the last record" (and this is the only one). */
  private static final byte LAST_RECORD = 0x02;

  private final Supplier<KeyPair> keyPairs;
  private final Supplier<byte[]> salts;

  /** Fresh keys and salts, as RFC 8291 §3.1 and RFC 8188 §2.1 require for every message. */
  public WebPushEncryption() {
    this(P256::generate, randomSalts(new SecureRandom()));
  }

  /** Given keys and salts: for the RFC's published example and tests only, never for sending. */
  WebPushEncryption(Supplier<KeyPair> keyPairs, Supplier<byte[]> salts) {
    this.keyPairs = keyPairs;
    this.salts = salts;
  }

  /**
   * The {@code aes128gcm} body of {@code plaintext} for the subscription of {@code keys}:
   * {@code salt(16) ‖ rs(4) = 4096 ‖ idlen(1) = 65 ‖ keyid = as_public(65) ‖ record}.
   *
   * @throws IllegalArgumentException when {@code plaintext} exceeds {@link #MAX_PLAINTEXT}
   */
  public byte[] encrypt(byte[] plaintext, SubscriptionKeys keys) {
    if (plaintext.length > MAX_PLAINTEXT) {
      throw new IllegalArgumentException(
          "a push message holds at most " + MAX_PLAINTEXT + " bytes of plaintext, was " + plaintext.length);
    }
    KeyPair as = keyPairs.get();
    byte[] asPublic = P256.encode((ECPublicKey) as.getPublic());
    byte[] salt = salts.get();
    if (salt.length != SALT_BYTES) {
      throw new IllegalStateException("the salt must be 16 bytes, was " + salt.length);
    }
    try {
      byte[] ecdhSecret = ecdh(as, keys.key());
      // RFC 8291 §3.4: PRK_key = HKDF-Extract(salt=auth_secret, IKM=ecdh_secret);
      // key_info = "WebPush: info" || 0x00 || ua_public || as_public; IKM = HKDF-Expand(PRK_key, key_info, 32)
      byte[] prkKey = Hkdf.extract(keys.auth(), ecdhSecret);
      byte[] ikm = Hkdf.expand(prkKey, concat(KEY_INFO, keys.uaPublic(), asPublic), 32);
      // RFC 8188 §2.2-2.3 (RFC 8291 §3.4): PRK = HKDF-Extract(salt, IKM);
      // CEK = HKDF-Expand(PRK, "Content-Encoding: aes128gcm" || 0x00, 16);
      // NONCE = HKDF-Expand(PRK, "Content-Encoding: nonce" || 0x00, 12), XOR the record's
      // sequence number, 0 for the one record.
      byte[] prk = Hkdf.extract(salt, ikm);
      byte[] cek = Hkdf.expand(prk, CEK_INFO, 16);
      byte[] nonce = Hkdf.expand(prk, NONCE_INFO, 12);

      ByteBuffer body = ByteBuffer.allocate(HEADER_BYTES + plaintext.length + 1 + TAG_BYTES);
      // RFC 8188 §2.1: salt (16) | rs (4, uint32 big-endian) | idlen (1) | keyid (idlen);
      // RFC 8291 §4: "the keyid parameter MUST contain the uncompressed-form public key" of the sender.
      body.put(salt).putInt(RECORD_SIZE).put((byte) asPublic.length).put(asPublic);
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
      // RFC 8188 §2: the record is the plaintext, the delimiter, no further padding; RFC 8291 §4:
      // "An application server MUST encrypt a push message with a single record."
      gcm.update(ByteBuffer.wrap(plaintext), body);
      gcm.doFinal(ByteBuffer.wrap(new byte[] {LAST_RECORD}), body);
      if (body.hasRemaining()) {
        throw new IllegalStateException("AES-GCM wrote " + body.position() + " of " + body.capacity() + " bytes");
      }
      return body.array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Web Push encryption failed: " + e.getMessage(), e);
    }
  }

  private static byte[] ecdh(KeyPair as, ECPublicKey ua) throws GeneralSecurityException {
    KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
    agreement.init(as.getPrivate());
    agreement.doPhase(ua, true);
    return agreement.generateSecret(); // the x coordinate, 32 bytes
  }

  private static Supplier<byte[]> randomSalts(SecureRandom random) {
    return () -> {
      byte[] salt = new byte[SALT_BYTES];
      random.nextBytes(salt);
      return salt;
    };
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
