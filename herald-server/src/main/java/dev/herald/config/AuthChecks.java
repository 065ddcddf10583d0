package dev.herald.config;

import com.nimbusds.jose.jwk.Curve;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The checks of the token and API-key settings, made with the rest of the configuration so that a
 * bad key stops start-up before anything starts. They check what {@code dev.herald.auth}'s
 * {@code ApiKeys} and {@code TokenVerifier} will accept (that package depends on this one, so the
 * rules are restated here, not called).
 */
final class AuthChecks {
  private static final String PEM_BEGIN = "-----BEGIN PUBLIC KEY-----";
  private static final String PEM_END = "-----END PUBLIC KEY-----";
  /** A tenant id, as {@code Identity.isValidId} has it: 1-128 characters, no spaces, no control characters. */
  private static final Pattern TENANT_ID = Pattern.compile("[^\\p{Cntrl}\\s]{1,128}");
  /** {@code ApiKeys.authenticate} refuses longer presented keys: a longer configured key could never match. */
  private static final int MAX_KEY = 512;
  private static final int MIN_KEY = 16;

  private AuthChecks() {}

  static void jwtSecret(Problems p, String secret) {
    if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
      p.add("HERALD_JWT_SECRET must be at least 32 bytes for HS256, was " + secret.length()
          + " characters; use a longer random secret (openssl rand -base64 32)");
    }
  }

  /** Entries {@code key} or {@code tenant:key}; the messages show the tenant and the key's length, never the key. */
  static void apiKeys(Problems p, List<String> entries) {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      int colon = entry.indexOf(':');
      String tenant = colon > 0 ? entry.substring(0, colon) : null;
      String key = colon > 0 ? entry.substring(colon + 1) : entry;
      String shown = "entry " + (i + 1) + " (" + (tenant == null ? "" : "\"" + tenant + ":\" + ")
          + "a key of " + key.length() + " characters)";
      if (key.length() < MIN_KEY || key.length() > MAX_KEY) {
        p.add("HERALD_API_KEYS " + shown + ": keys must be " + MIN_KEY + "-" + MAX_KEY
            + " characters; use a long random key (openssl rand -hex 24)");
      }
      if (tenant != null && !TENANT_ID.matcher(tenant).matches()) {
        p.add("HERALD_API_KEYS " + shown + ": '" + tenant + "' is not a tenant id (1-128 characters, no spaces "
            + "or control characters); write tenant:key, or the key alone for a global key");
      }
      Integer first = seen.putIfAbsent(key, i + 1);
      if (first != null) {
        p.add("HERALD_API_KEYS entries " + first + " and " + (i + 1) + " have the same key; give each service its own");
      }
    }
  }

  /**
   * A PEM public key, RSA or EC on a curve JOSE defines, as {@code openssl pkey -pubout} writes it;
   * escaped newlines ({@code \n}) are accepted, the way environment variables often carry one.
   */
  static void publicKey(Problems p, String pem) {
    if (pem == null) {
      return;
    }
    String text = pem.replace("\\n", "\n");
    int begin = text.indexOf(PEM_BEGIN);
    int end = text.indexOf(PEM_END);
    if (begin < 0 || end < begin) {
      p.add("HERALD_JWT_PUBLIC_KEY must be a PEM public key between " + PEM_BEGIN + " and " + PEM_END
          + " (openssl pkey -pubout writes one), was " + pem.length() + " characters without those lines");
      return;
    }
    X509EncodedKeySpec spec;
    try {
      spec = new X509EncodedKeySpec(Base64.getMimeDecoder().decode(text.substring(begin + PEM_BEGIN.length(), end)));
    } catch (IllegalArgumentException e) {
      p.add("HERALD_JWT_PUBLIC_KEY is not valid base64 between its PEM lines (" + e.getMessage() + ")");
      return;
    }
    try {
      KeyFactory.getInstance("RSA").generatePublic(spec);
    } catch (GeneralSecurityException notRsa) {
      try {
        ECPublicKey ec = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(spec);
        if (Curve.forECParameterSpec(ec.getParams()) == null) {
          p.add("HERALD_JWT_PUBLIC_KEY is an EC key on a curve JOSE does not define; use P-256, P-384 or P-521");
        }
      } catch (GeneralSecurityException notEc) {
        p.add("HERALD_JWT_PUBLIC_KEY is neither an RSA nor an EC public key; export one with openssl pkey -pubout");
      }
    }
  }
}
