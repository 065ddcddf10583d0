package dev.herald.delivery.webpush;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Voluntary Application Server Identification (RFC 8292): the {@code Authorization: vapid t=…,
 * k=…} header of a push request, an ES256 JWT for the push service's origin signed with the
 * server's P-256 key. Tokens live 12 hours and are reused per audience until an hour before they
 * expire. Also the key format of {@code HERALD_VAPID_PRIVATE_KEY} / {@code HERALD_VAPID_PUBLIC_KEY}.
 *
 * <p>Threads: any. {@link #tokens} is a concurrent map; a renewal races at worst into two valid
 * tokens, one of which is kept.
 */
public final class Vapid {
  /** RFC 8292 §2: "An "exp" claim MUST NOT be more than 24 hours from the time of the request." */
  static final Duration LIFETIME = Duration.ofHours(12);
  /** A cached token is renewed this long before its {@code exp}, so none is sent about to expire. */
  static final Duration RENEW_BEFORE = Duration.ofHours(1);
  /** Push services are few; a bound keeps endpoints of odd origins from growing the cache. */
  private static final int MAX_AUDIENCES = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HEADER = Base64Url.encode("{\"typ\":\"JWT\",\"alg\":\"ES256\"}".getBytes(StandardCharsets.UTF_8));

  private final ECPrivateKey privateKey;
  private final String publicKey;
  private final String subject;
  private final Clock clock;
  /** Audience → its current token. Any thread. */
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  private record Token(String jwt, Instant expires) {}

  /**
   * @param keys the VAPID key pair, P-256 ({@link #keyPair})
   * @param subject {@code HERALD_VAPID_SUBJECT}, a {@code mailto:} or {@code https:} URI
   */
  public Vapid(KeyPair keys, String subject, Clock clock) {
    // RFC 8292 §2.1: the "sub" claim "SHOULD include a contact URI for the application server as
    // either a "mailto:" (email) [RFC6068] or an "https:" [RFC2818] URI".
    if (subject == null || !(subject.startsWith("mailto:") || subject.startsWith("https:")) || subject.length() < 8) {
      throw new IllegalArgumentException("HERALD_VAPID_SUBJECT must be a mailto: or https: URI (mailto:ops@example.com), was "
          + subject);
    }
    this.privateKey = (ECPrivateKey) keys.getPrivate();
    this.publicKey = Base64Url.encode(P256.encode((ECPublicKey) keys.getPublic()));
    this.subject = subject;
    this.clock = clock;
  }

  /** The base64url uncompressed public key: {@code k=}, and what browsers subscribe with. */
  public String publicKey() {
    return publicKey;
  }

  /**
   * The {@code Authorization} header value for a push to {@code endpoint}: RFC 8292 §3, "vapid"
   * with "t" (the JWT) and "k" (the public key, base64url of the uncompressed point).
   *
   * @throws IllegalArgumentException when {@code endpoint} is not an absolute http(s) URL
   */
  public String authorization(URI endpoint) {
    String audience = audience(endpoint);
    Instant now = clock.instant();
    Token token = tokens.get(audience);
    if (token == null || !now.isBefore(token.expires().minus(RENEW_BEFORE))) {
      if (tokens.size() >= MAX_AUDIENCES) {
        tokens.clear();
      }
      token = sign(audience, now);
      tokens.put(audience, token);
    }
    return "vapid t=" + token.jwt() + ", k=" + publicKey;
  }

  /**
   * RFC 8292 §2: "The "aud" (audience) claim in the token MUST include the Unicode serialization
   * of the origin (Section 6.1 of [RFC6454]) of the push resource URL": scheme and host in lower
   * case, the port only when it is not the scheme's default.
   */
  static String audience(URI endpoint) {
    String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http")) || endpoint.getHost() == null) {
      throw new IllegalArgumentException("a push endpoint must be an absolute https URL, was " + endpoint);
    }
    int port = endpoint.getPort();
    boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
    return scheme + "://" + endpoint.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
  }

  private Token sign(String audience, Instant now) {
    Instant expires = now.plus(LIFETIME);
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("aud", audience);
    claims.put("exp", expires.getEpochSecond());
    claims.put("sub", subject);
    try {
      String signingInput = HEADER + "." + Base64Url.encode(JSON.writeValueAsBytes(claims));
      // RFC 7518 §3.4 (ES256, required by RFC 8292 §2): the signature is R ‖ S, 32 bytes each, not
      // the DER of SHA256withECDSA; the JDK's P1363 format is exactly that.
      Signature ecdsa = Signature.getInstance("SHA256withECDSAinP1363Format");
      ecdsa.initSign(privateKey);
      ecdsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return new Token(signingInput + "." + Base64Url.encode(ecdsa.sign()), Instant.ofEpochSecond(expires.getEpochSecond()));
    } catch (JsonProcessingException | GeneralSecurityException e) {
      throw new IllegalStateException("signing a VAPID token failed: " + e.getMessage(), e);
    }
  }

  /**
   * The key pair of {@code HERALD_VAPID_PRIVATE_KEY} (base64url of the 32-byte scalar) and
   * {@code HERALD_VAPID_PUBLIC_KEY} (base64url of the 65-byte uncompressed point), the format of
   * the {@code web-push} npm package's {@code generateVAPIDKeys()}.
   *
   * @throws IllegalArgumentException naming the variable at fault, or both when they do not match
   */
  public static KeyPair keyPair(String privateKey, String publicKey) {
    ECPrivateKey d;
    ECPublicKey q;
    try {
      d = P256.privateKey(Base64Url.decode(privateKey));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("HERALD_VAPID_PRIVATE_KEY " + e.getMessage()
          + " (base64url of a P-256 private key, as web-push generate-vapid-keys prints it)", e);
    }
    try {
      q = P256.publicKey(Base64Url.decode(publicKey));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("HERALD_VAPID_PUBLIC_KEY " + e.getMessage()
          + " (base64url of an uncompressed P-256 public key, as web-push generate-vapid-keys prints it)", e);
    }
    if (!matches(d, q)) {
      throw new IllegalArgumentException(
          "HERALD_VAPID_PUBLIC_KEY is not the public key of HERALD_VAPID_PRIVATE_KEY: set both from one generated pair");
    }
    return new KeyPair(q, d);
  }

  /** A new VAPID key pair. */
  public static KeyPair generateKeyPair() {
    return P256.generate();
  }

  /** The base64url private scalar of {@code keys}, as {@code HERALD_VAPID_PRIVATE_KEY} holds it. */
  public static String encodePrivateKey(KeyPair keys) {
    return Base64Url.encode(P256.encode((ECPrivateKey) keys.getPrivate()));
  }

  /** The base64url uncompressed public point of {@code keys}, as {@code HERALD_VAPID_PUBLIC_KEY} holds it. */
  public static String encodePublicKey(KeyPair keys) {
    return Base64Url.encode(P256.encode((ECPublicKey) keys.getPublic()));
  }

  /** Whether a signature by {@code d} verifies with {@code q} (the JDK has no point multiplication to compare). */
  private static boolean matches(ECPrivateKey d, ECPublicKey q) {
    try {
      byte[] probe = "herald vapid key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(d);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(q);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
