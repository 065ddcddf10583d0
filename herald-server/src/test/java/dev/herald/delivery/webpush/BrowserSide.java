package dev.herald.delivery.webpush;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a browser does with a push message (RFC 8291 §3.4, RFC 8188 §2), written apart from the
 * production code (its own HKDF) so that a round trip checks more than symmetry.
 */
final class BrowserSide {
  record Decrypted(int recordSize, int keyIdLength, byte delimiter, byte[] plaintext) {}

  private BrowserSide() {}

  static Decrypted decrypt(byte[] body, KeyPair ua, byte[] auth) throws GeneralSecurityException {
    ByteBuffer b = ByteBuffer.wrap(body);
    byte[] salt = new byte[16];
    b.get(salt);
    int rs = b.getInt();
    int idlen = b.get() & 0xff;
    byte[] asPublic = new byte[idlen];
    b.get(asPublic);
    byte[] record = new byte[b.remaining()];
    b.get(record);

    KeyAgreement ka = KeyAgreement.getInstance("ECDH");
    ka.init(ua.getPrivate());
    ka.doPhase(P256.publicKey(asPublic), true);
    byte[] ecdh = ka.generateSecret();
    byte[] uaPublic = P256.encode((ECPublicKey) ua.getPublic());
    byte[] ikm = hkdf(auth, ecdh, concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublic, asPublic), 32);
    byte[] cek = hkdf(salt, ikm, "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16);
    byte[] nonce = hkdf(salt, ikm, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12);

    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
    byte[] padded = gcm.doFinal(record);
    int end = padded.length - 1;
    while (end >= 0 && padded[end] == 0) {
      end--; // RFC 8188 §2: zero padding follows the delimiter
    }
    return new Decrypted(rs, idlen, padded[end], Arrays.copyOf(padded, end));
  }

  private static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(salt, "HmacSHA256"));
    byte[] prk = mac.doFinal(ikm);
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    mac.update(info);
    return Arrays.copyOf(mac.doFinal(new byte[] {1}), length);
  }

  private static byte[] concat(byte[]... parts) {
    ByteBuffer out = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
    for (byte[] p : parts) {
      out.put(p);
    }
    return out.array();
  }
}
