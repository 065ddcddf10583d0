package dev.herald.config;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * P-256 keys in the raw forms of Web Push and the JDK's forms: a public key is the 65-byte
 * uncompressed point {@code 0x04 || x || y} (SEC 1 §2.3.3; the browser's {@code p256dh} and the VAPID
 * public key, RFC 8292 §3.2), a private key the 32-byte big-endian scalar (npm {@code web-push}'s
 * format). Here, in the configuration's leaf package, because the VAPID keys are checked with the
 * rest of the settings before anything starts; the delivery uses the same conversions.
 *
 * <p>Threads: any; stateless.
 */
public final class P256Keys {
  /** The curve's parameters, from the JDK's own named curve. */
  public static final ECParameterSpec CURVE = curve();
  public static final int PUBLIC_LENGTH = 65;
  public static final int PRIVATE_LENGTH = 32;

  private P256Keys() {}

  /**
   * The point of {@code raw}, or null when it is not one: 65 bytes, {@code 0x04} first, and on the
   * curve. The JDK may accept a point off the curve, so this checks y² = x³ + ax + b (mod p) itself
   * (an off-curve key is the door of invalid-curve attacks on ECDH).
   */
  public static ECPoint point(byte[] raw) {
    if (raw == null || raw.length != PUBLIC_LENGTH || raw[0] != 0x04) {
      return null;
    }
    BigInteger p = ((ECFieldFp) CURVE.getCurve().getField()).getP();
    BigInteger x = new BigInteger(1, Arrays.copyOfRange(raw, 1, 33));
    BigInteger y = new BigInteger(1, Arrays.copyOfRange(raw, 33, 65));
    if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
      return null;
    }
    BigInteger left = y.multiply(y).mod(p);
    BigInteger right = x.pow(3).add(CURVE.getCurve().getA().multiply(x)).add(CURVE.getCurve().getB()).mod(p);
    return left.equals(right) ? new ECPoint(x, y) : null;
  }

  /** True when {@code raw} is a 32-byte scalar from 1 to the curve's order minus one. */
  public static boolean isScalar(byte[] raw) {
    if (raw == null || raw.length != PRIVATE_LENGTH) {
      return false;
    }
    BigInteger s = new BigInteger(1, raw);
    return s.signum() > 0 && s.compareTo(CURVE.getOrder()) < 0;
  }

  /** The JDK public key of a raw point that {@link #point} accepts. */
  public static ECPublicKey publicKey(byte[] raw) {
    ECPoint w = point(raw);
    if (w == null) {
      throw new IllegalArgumentException("not an uncompressed P-256 point on the curve");
    }
    try {
      return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, CURVE));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has P-256", e);
    }
  }

  /** The JDK private key of a raw scalar that {@link #isScalar} accepts. */
  public static ECPrivateKey privateKey(byte[] raw) {
    if (!isScalar(raw)) {
      throw new IllegalArgumentException("not a P-256 private scalar");
    }
    try {
      return (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(new BigInteger(1, raw), CURVE));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has P-256", e);
    }
  }

  /** {@code 0x04 || x || y} of {@code key}. */
  public static byte[] raw(ECPublicKey key) {
    byte[] out = new byte[PUBLIC_LENGTH];
    out[0] = 0x04;
    fixed(key.getW().getAffineX(), out, 1);
    fixed(key.getW().getAffineY(), out, 33);
    return out;
  }

  /** The 32-byte big-endian scalar of {@code key}. */
  public static byte[] raw(ECPrivateKey key) {
    byte[] out = new byte[PRIVATE_LENGTH];
    fixed(key.getS(), out, 0);
    return out;
  }

  /**
   * True when the public key belongs to the private one: a signature by the one verifies with the
   * other (the JDK offers no point multiplication; one ES256 signature costs about a millisecond).
   */
  public static boolean isPair(ECPrivateKey privateKey, ECPublicKey publicKey) {
    try {
      byte[] message = "herald vapid key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(privateKey);
      signer.update(message);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(publicKey);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** A fresh key pair from the JDK ({@code KeyPairGenerator("EC")} on {@code secp256r1}). */
  public static KeyPair generate() {
    try {
      var generator = java.security.KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has P-256", e);
    }
  }

  /** Base64url without padding, as browsers and {@code web-push} write keys. */
  public static String base64url(byte[] raw) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  /** The bytes of base64url text (padding tolerated), or null when it is not base64url. */
  public static byte[] fromBase64url(String text) {
    if (text == null || !text.matches("[A-Za-z0-9_-]*={0,2}")) {
      return null;
    }
    try {
      return Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The checks of {@code HERALD_VAPID_*} for {@link HeraldConfig.Delivery}: both keys or neither, each
   * of its format and length, the public key the private one's, and the subject a {@code mailto:} or
   * {@code https:} URI (RFC 8292 §2.1). A private key is never printed, only its length.
   */
  static void checkVapid(Problems p, String publicKey, String privateKey, String subject) {
    String generate = "; generate a pair with: npx web-push generate-vapid-keys";
    if (subject == null || !subject.matches("mailto:[^@\\s]+@[^@\\s]+|https://[^/\\s]+\\S*")) {
      p.add("HERALD_VAPID_SUBJECT must be a mailto: or https: URI push services may contact, such as "
          + "mailto:ops@example.com, was '" + (subject == null ? "" : abbreviate(subject)) + "'");
    }
    if ((publicKey == null) != (privateKey == null)) {
      p.add("HERALD_VAPID_PUBLIC_KEY and HERALD_VAPID_PRIVATE_KEY must be set together, but only "
          + (publicKey == null ? "HERALD_VAPID_PRIVATE_KEY" : "HERALD_VAPID_PUBLIC_KEY") + " is set; set both"
          + generate + ", or neither for a pair generated into the data directory");
      return;
    }
    if (publicKey == null) {
      return;
    }
    byte[] publicRaw = fromBase64url(publicKey);
    byte[] privateRaw = fromBase64url(privateKey);
    boolean publicOk = point(publicRaw) != null;
    boolean privateOk = isScalar(privateRaw);
    if (!publicOk) {
      p.add("HERALD_VAPID_PUBLIC_KEY must be base64url of a 65-byte uncompressed P-256 point (0x04, x, y, on "
          + "the curve), was '" + abbreviate(publicKey) + "'"
          + (publicRaw == null ? " (not base64url)" : " (" + publicRaw.length + " bytes)") + generate);
    }
    if (!privateOk) {
      p.add("HERALD_VAPID_PRIVATE_KEY must be base64url of a 32-byte P-256 private key, was "
          + privateKey.length() + " characters (not printed)"
          + (privateRaw == null ? ", not base64url" : ", " + privateRaw.length + " bytes") + generate);
    }
    if (publicOk && privateOk && !isPair(privateKey(privateRaw), publicKey(publicRaw))) {
      p.add("HERALD_VAPID_PUBLIC_KEY '" + abbreviate(publicKey) + "' is not the public key of "
          + "HERALD_VAPID_PRIVATE_KEY (not printed); set the two keys of one pair" + generate);
    }
  }

  private static String abbreviate(String s) {
    String shown = s.replaceAll("\\p{Cntrl}", "?");
    return shown.length() > 100 ? shown.substring(0, 100) + "…" : shown;
  }

  private static void fixed(BigInteger n, byte[] out, int at) {
    byte[] b = n.toByteArray();
    int from = Math.max(0, b.length - 32);
    int length = b.length - from;
    System.arraycopy(b, from, out, at + 32 - length, length);
  }

  private static ECParameterSpec curve() {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp256r1"));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has P-256", e);
    }
  }
}
