package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What {@link PushService} checks of a sampled Web Push request, the receiving side written here
 * from the RFCs with JDK crypto only, independent of Herald's sender: the VAPID header (RFC 8292:
 * the ES256 JWT's signature, {@code aud}, {@code exp}, {@code sub}, and {@code k} the key the
 * subscription was made with) and the {@code aes128gcm} body (RFC 8291's key derivation over RFC
 * 8188's one record) decrypted with the subscription's private key and auth secret. Also the
 * subscriptions themselves ({@link Subscriber}) in Web Push's raw key forms.
 *
 * <p>Threads: any; stateless.
 */
final class PushMessageCheck {
  /** RFC 8292 §2: "An "exp" claim MUST NOT be more than 24 hours from the time of the request." */
  static final Duration MAX_VAPID_LIFETIME = Duration.ofHours(24);
  private static final ECParameterSpec P256 = p256();
  private static final int COORDINATE = 32;
  private static final int POINT = 1 + 2 * COORDINATE;
  private static final int SALT = 16;
  /** RFC 8188 §2.1: salt (16), rs (4), idlen (1), then the key id: for RFC 8291 the sender's 65-byte point. */
  private static final int HEADER = SALT + 4 + 1 + POINT;
  private static final int TAG_BITS = 128;
  private static final byte[] KEY_INFO = ascii("WebPush: info\0");
  private static final byte[] CEK_INFO = ascii("Content-Encoding: aes128gcm\0");
  private static final byte[] NONCE_INFO = ascii("Content-Encoding: nonce\0");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  /** Padded or not: RFC 8291 §3.2 and RFC 8292 §3.2 send base64url without padding, decoders accept both. */
  private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();

  private PushMessageCheck() {}

  /** A message that fails a check, with what is wrong in words. */
  static final class Failed extends Exception {
    Failed(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * One browser subscription as its push service holds it: the user agent's P-256 key pair (RFC
   * 8291 §3.1) and the 16-byte authentication secret (§3.2); {@code publicKey} is the uncompressed
   * point {@code 0x04 ‖ x ‖ y}.
   */
  record Subscriber(ECPrivateKey privateKey, byte[] publicKey, byte[] auth) {
    static Subscriber generate(SecureRandom random) {
      try {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        KeyPair pair = generator.generateKeyPair();
        byte[] auth = new byte[16];
        random.nextBytes(auth);
        return new Subscriber((ECPrivateKey) pair.getPrivate(), encode((ECPublicKey) pair.getPublic()), auth);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK has no P-256", e);
      }
    }

    /** {@code keys.p256dh} of {@code PushSubscription.toJSON()}: base64url, no padding. */
    String p256dh() {
      return B64.encodeToString(publicKey);
    }

    /** {@code keys.auth}. */
    String authSecret() {
      return B64.encodeToString(auth);
    }
  }

  /**
   * Checks {@code authorization} as RFC 8292 §3 has a push service do: the scheme {@code vapid}
   * with {@code t} (a JWT) and {@code k} (the application server's public key, base64url of the
   * uncompressed point), {@code k} equal to {@code serverKey} (the key the subscription was made
   * with), the JWT's header ES256 and its signature valid for {@code k}, {@code aud} the push
   * resource's {@code origin}, {@code exp} after {@code now} and at most 24 hours ahead, and a
   * {@code sub}.
   *
   * @throws Failed saying which of those does not hold
   */
  static void vapid(String authorization, String origin, byte[] serverKey, Instant now) throws Failed {
    if (authorization == null) {
      throw new Failed("no Authorization header");
    }
    String[] scheme = authorization.trim().split("\\s+", 2);
    if (scheme.length < 2 || !scheme[0].equalsIgnoreCase("vapid")) {
      throw new Failed("Authorization is not of the vapid scheme: " + abbreviate(authorization));
    }
    String t = null;
    String k = null;
    for (String param : scheme[1].split(",")) {
      int eq = param.indexOf('=');
      if (eq < 0) {
        throw new Failed("vapid parameter without a value: " + abbreviate(param.trim()));
      }
      String name = param.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = param.substring(eq + 1).trim();
      if (name.equals("t")) {
        t = value;
      } else if (name.equals("k")) {
        k = value;
      }
    }
    if (t == null || k == null) {
      throw new Failed("vapid without " + (t == null ? "t" : "k"));
    }
    byte[] key = base64url("k", k);
    if (serverKey != null && !Arrays.equals(key, serverKey)) {
      throw new Failed("k is not the VAPID public key the subscription was made with");
    }
    String[] jwt = t.split("\\.", -1);
    if (jwt.length != 3) {
      throw new Failed("t is not a JWS of three parts");
    }
    JsonNode header = json("the JWT header", base64url("the JWT header", jwt[0]));
    if (!"ES256".equals(header.path("alg").asText(null))) {
      throw new Failed("the JWT's alg is " + header.path("alg") + ", not ES256 (RFC 8292 §2)");
    }
    byte[] signature = base64url("the JWT signature", jwt[2]);
    if (signature.length != 2 * COORDINATE) {
      throw new Failed("the ES256 signature is " + signature.length + " bytes, not 64 (R ‖ S, RFC 7518 §3.4)");
    }
    try {
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initVerify(publicKey(key));
      ecdsa.update(ascii(jwt[0] + "." + jwt[1]));
      if (!ecdsa.verify(der(signature))) {
        throw new Failed("the JWT's signature does not verify with k");
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new Failed("the JWT's signature cannot be checked with k: " + e.getMessage());
    }
    JsonNode claims = json("the JWT claims", base64url("the JWT claims", jwt[1]));
    String aud = claims.path("aud").asText(null);
    if (!origin.equals(aud)) {
      throw new Failed("aud is " + claims.path("aud") + ", not the push service's origin " + origin);
    }
    JsonNode exp = claims.path("exp");
    if (!exp.isIntegralNumber()) {
      throw new Failed("exp is " + exp + ", not a number of seconds");
    }
    if (exp.asLong() <= now.getEpochSecond()) {
      throw new Failed("the token expired at " + Instant.ofEpochSecond(exp.asLong()));
    }
    if (exp.asLong() > now.plus(MAX_VAPID_LIFETIME).getEpochSecond()) {
      throw new Failed("exp " + Instant.ofEpochSecond(exp.asLong()) + " is more than 24 h ahead");
    }
    if (claims.path("sub").asText("").isBlank()) {
      throw new Failed("no sub (contact) claim");
    }
  }

  /**
   * The plaintext of an {@code aes128gcm} body for {@code to} (RFC 8291 §3.4, §4 over RFC 8188
   * §2): the header's salt, record size and key id (the sender's ephemeral public key), then ECDH
   * with the subscription's private key, the two HKDFs (the auth secret's, then the salt's) to the
   * content key and nonce, AES-128-GCM over the one record, and its padding taken off.
   *
   * @throws Failed when the header, the record or its padding is not as the RFCs say, or the
   *     record does not decrypt (the tag does not match)
   */
  static byte[] decrypt(byte[] body, Subscriber to) throws Failed {
    if (body.length < HEADER + TAG_BITS / 8 + 1) {
      throw new Failed("body of " + body.length + " bytes: shorter than the header and one record");
    }
    ByteBuffer in = ByteBuffer.wrap(body);
    byte[] salt = new byte[SALT];
    in.get(salt);
    long rs = Integer.toUnsignedLong(in.getInt());
    int idlen = in.get() & 0xff;
    if (idlen != POINT) {
      throw new Failed("idlen " + idlen + ", not 65: RFC 8291 §4 puts the sender's public key in keyid");
    }
    byte[] asPublic = new byte[POINT];
    in.get(asPublic);
    byte[] record = new byte[in.remaining()];
    in.get(record);
    // RFC 8291 §4: "An application server MUST encrypt a push message with a single record."
    if (record.length > rs) {
      throw new Failed("more than one record: " + record.length + " bytes after the header, rs " + rs);
    }
    byte[] padded;
    try {
      KeyAgreement ecdh = KeyAgreement.getInstance("ECDH");
      ecdh.init(to.privateKey());
      ecdh.doPhase(publicKey(asPublic), true);
      byte[] sharedSecret = ecdh.generateSecret();
      // RFC 8291 §3.3-3.4: PRK_key = HMAC(auth, ecdh); IKM = HMAC(PRK_key, "WebPush: info\0" ‖ ua ‖ as ‖ 0x01)
      byte[] ikm = hmac(hmac(to.auth(), sharedSecret), KEY_INFO, to.publicKey(), asPublic, new byte[] {1});
      // RFC 8188 §2.2-2.3: PRK = HMAC(salt, IKM); CEK and NONCE its first 16 and 12 bytes of expansion
      byte[] prk = hmac(salt, ikm);
      byte[] cek = Arrays.copyOf(hmac(prk, CEK_INFO, new byte[] {1}), 16);
      byte[] nonce = Arrays.copyOf(hmac(prk, NONCE_INFO, new byte[] {1}), 12); // record 0: XOR with 0
      Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
      aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      padded = aes.doFinal(record);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new Failed("does not decrypt: " + e);
    }
    // RFC 8188 §2: data ‖ delimiter ‖ zero or more 0x00; the delimiter of the last record is 0x02
    int end = padded.length - 1;
    while (end >= 0 && padded[end] == 0) {
      end--;
    }
    if (end < 0 || padded[end] != 2) {
      throw new Failed(end < 0 ? "no padding delimiter" : "padding delimiter 0x" + Integer.toHexString(padded[end] & 0xff)
          + ", not 0x02 (the last record)");
    }
    return Arrays.copyOf(padded, end);
  }

  /** Base64url of {@code bytes}, without padding. */
  static String base64url(byte[] bytes) {
    return B64.encodeToString(bytes);
  }

  /** {@code 0x04 ‖ x ‖ y}, each coordinate 32 bytes big-endian. */
  static byte[] encode(ECPublicKey key) {
    byte[] out = new byte[POINT];
    out[0] = 4;
    coordinate(key.getW().getAffineX(), out, 1);
    coordinate(key.getW().getAffineY(), out, 1 + COORDINATE);
    return out;
  }

  /** The key of an uncompressed point, refused when it is not one or not on P-256. */
  static ECPublicKey publicKey(byte[] point) throws GeneralSecurityException {
    if (point.length != POINT || point[0] != 4) {
      throw new GeneralSecurityException("not a 65-byte uncompressed point");
    }
    BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 1 + COORDINATE));
    BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 1 + COORDINATE, POINT));
    // y² = x³ + ax + b (mod p): the JDK's KeyFactory takes points off the curve
    BigInteger p = ((java.security.spec.ECFieldFp) P256.getCurve().getField()).getP();
    BigInteger right = x.pow(3).add(P256.getCurve().getA().multiply(x)).add(P256.getCurve().getB()).mod(p);
    if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0 || !y.pow(2).mod(p).equals(right)) {
      throw new GeneralSecurityException("not a point on P-256");
    }
    return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
  }

  /**
   * The DER {@code SEQUENCE {INTEGER r, INTEGER s}} that {@code SHA256withECDSA} verifies, of
   * JWS's raw {@code R ‖ S} (RFC 7518 §3.4): each integer unsigned, so without leading zeros but
   * one {@code 0x00} where its top bit is set. Both fit short-form lengths (at most 33 bytes each).
   */
  static byte[] der(byte[] rs) {
    byte[] r = derInteger(rs, 0);
    byte[] s = derInteger(rs, COORDINATE);
    byte[] out = new byte[2 + r.length + s.length];
    out[0] = 0x30;
    out[1] = (byte) (r.length + s.length);
    System.arraycopy(r, 0, out, 2, r.length);
    System.arraycopy(s, 0, out, 2 + r.length, s.length);
    return out;
  }

  private static byte[] derInteger(byte[] rs, int from) {
    int start = from;
    int end = from + COORDINATE;
    while (start < end - 1 && rs[start] == 0) {
      start++;
    }
    int pad = (rs[start] & 0x80) != 0 ? 1 : 0;
    int length = end - start + pad;
    byte[] out = new byte[2 + length];
    out[0] = 0x02;
    out[1] = (byte) length;
    System.arraycopy(rs, start, out, 2 + pad, end - start);
    return out;
  }

  private static byte[] hmac(byte[] key, byte[]... parts) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    for (byte[] part : parts) {
      mac.update(part);
    }
    return mac.doFinal();
  }

  private static void coordinate(BigInteger v, byte[] out, int at) {
    byte[] b = v.toByteArray(); // big-endian, maybe with a leading 0x00 or shorter than 32
    int n = Math.min(b.length, COORDINATE);
    System.arraycopy(b, b.length - n, out, at + COORDINATE - n, n);
  }

  private static byte[] base64url(String what, String text) throws Failed {
    try {
      return UNB64.decode(text);
    } catch (IllegalArgumentException e) {
      throw new Failed(what + " is not base64url");
    }
  }

  private static JsonNode json(String what, byte[] bytes) throws Failed {
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new Failed(what + " is not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new Failed(what + " is not JSON");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp256r1"));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no P-256", e);
    }
  }
}
