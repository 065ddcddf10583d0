package dev.herald.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.herald.config.ConfigException;
import dev.herald.validation.ContactFields;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Verifies user tokens: HS256 with the shared secret, and RS256/ES256 (and their 384/512 variants)
 * with a PEM public key or keys from a JWKS URL. Unsigned tokens ({@code alg: none}), wrong
 * signatures, expired and malformed tokens are refused with a reason the client may see.
 *
 * <p>Thread-safe. With a JWKS URL, {@link #verify} may block on the first fetch and on key
 * rotation (unknown {@code kid}); call it off the event loop then ({@link #mayBlock()}).
 */
public final class TokenVerifier {
  private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256);
  private static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  private static final String PEM_BEGIN = "-----BEGIN PUBLIC KEY-----";
  private static final String PEM_END = "-----END PUBLIC KEY-----";

  private static final int MAX_CANONICAL_TENANTS = 10_000;
  private static final java.util.concurrent.ConcurrentHashMap<String, String> TENANTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final boolean mayBlock;

  /**
   * @param hmacSecret HS256 secret, or null
   * @param publicKeyPem PEM-encoded RSA or EC public key, or null
   * @param jwksUrl URL of a JSON Web Key Set, or null
   */
  public TokenVerifier(String hmacSecret, String publicKeyPem, String jwksUrl) {
    List<JWSKeySelector<SecurityContext>> selectors = new ArrayList<>();
    if (hmacSecret != null) {
      selectors.add(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256,
          new ImmutableSecret<>(hmacSecret.getBytes(StandardCharsets.UTF_8))));
    }
    if (publicKeyPem != null) {
      JWKSource<SecurityContext> source = new ImmutableJWKSet<>(new JWKSet(publicKeyJwk(publicKeyPem)));
      selectors.add(new JWSVerificationKeySelector<>(ASYMMETRIC, source));
    }
    if (jwksUrl != null) {
      try {
        JWKSource<SecurityContext> source = JWKSourceBuilder
            .create(URI.create(jwksUrl).toURL())
            .retrying(true)
            .build();
        selectors.add(new JWSVerificationKeySelector<>(ASYMMETRIC, source));
      } catch (Exception e) {
        throw new ConfigException("HERALD_JWT_JWKS_URL is not a valid URL: " + jwksUrl, e);
      }
    }
    if (selectors.isEmpty()) {
      throw new ConfigException("no token verification configured: set HERALD_JWT_SECRET, "
          + "HERALD_JWT_PUBLIC_KEY or HERALD_JWT_JWKS_URL");
    }
    this.mayBlock = jwksUrl != null;
    processor.setJWSKeySelector((header, context) -> {
      JWSAlgorithm alg = header.getAlgorithm();
      for (JWSKeySelector<SecurityContext> s : selectors) {
        boolean hmacSelector = s instanceof JWSVerificationKeySelector<SecurityContext> v
            && v.isAllowed(JWSAlgorithm.HS256);
        if (hmacSelector == HMAC.contains(alg)) {
          List<? extends Key> keys = s.selectJWSKeys(header, context);
          if (!keys.isEmpty()) {
            return keys;
          }
        }
      }
      return List.of();
    });
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(null, Set.of("sub")));
  }

  /** True when {@link #verify} may block (a JWKS URL is configured). */
  public boolean mayBlock() {
    return mayBlock;
  }

  /** Verifies off the event loop when verification may block (JWKS), inline otherwise. */
  public io.vertx.core.Future<Identity> verifyAsync(io.vertx.core.Vertx vertx, String token) {
    if (!mayBlock) {
      try {
        return io.vertx.core.Future.succeededFuture(verify(token));
      } catch (AuthException e) {
        return io.vertx.core.Future.failedFuture(e);
      }
    }
    return vertx.executeBlocking(() -> verify(token), false);
  }

  /** Verifies {@code token} and returns who it names. */
  public Identity verify(String token) throws AuthException {
    if (token == null || token.isBlank()) {
      throw new AuthException("missing token");
    }
    if (token.length() > 8192) {
      throw new AuthException("token too large");
    }
    JWT jwt;
    try {
      jwt = JWTParser.parse(token.trim());
    } catch (ParseException e) {
      throw new AuthException("malformed token");
    }
    if (jwt instanceof PlainJWT) {
      throw new AuthException("unsigned tokens (alg none) are not accepted");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(jwt, null);
    } catch (ExpiredJWTException e) {
      throw new AuthException("token expired");
    } catch (BadJWTException e) {
      throw new AuthException("invalid token claims: " + e.getMessage());
    } catch (BadJOSEException e) {
      throw new AuthException("invalid token signature");
    } catch (JOSEException e) {
      throw new AuthException("token could not be verified");
    }
    return toIdentity(claims);
  }

  /**
   * The JWK of a PEM public key, RSA or EC, as {@code openssl pkey -pubout} writes it ({@code BEGIN
   * PUBLIC KEY}: an X.509 SubjectPublicKeyInfo), read with the JDK alone: nimbus's own PEM parser
   * needs BouncyCastle, which Herald does not ship. Escaped newlines ({@code \n}), the way
   * environment variables often carry a PEM, are accepted.
   */
  static JWK publicKeyJwk(String pem) {
    String text = pem.replace("\\n", "\n");
    int begin = text.indexOf(PEM_BEGIN);
    int end = text.indexOf(PEM_END);
    if (begin < 0 || end < begin) {
      throw new ConfigException("HERALD_JWT_PUBLIC_KEY must be a PEM public key between " + PEM_BEGIN
          + " and " + PEM_END + " (openssl pkey -pubout writes one)");
    }
    X509EncodedKeySpec spec;
    try {
      spec = new X509EncodedKeySpec(Base64.getMimeDecoder().decode(text.substring(begin + PEM_BEGIN.length(), end)));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("HERALD_JWT_PUBLIC_KEY is not valid base64 between its PEM lines", e);
    }
    try {
      return new RSAKey.Builder((RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(spec)).build();
    } catch (GeneralSecurityException notRsa) {
      try {
        ECPublicKey ec = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(spec);
        Curve curve = Curve.forECParameterSpec(ec.getParams());
        if (curve == null) {
          throw new ConfigException("HERALD_JWT_PUBLIC_KEY is an EC key on a curve JOSE does not define; "
              + "use P-256, P-384 or P-521");
        }
        return new ECKey.Builder(curve, ec).build();
      } catch (GeneralSecurityException notEc) {
        throw new ConfigException("HERALD_JWT_PUBLIC_KEY is neither an RSA nor an EC public key", notEc);
      }
    }
  }

  /**
   * One String instance per tenant id, so that thousands of sessions of one tenant share it. The
   * table is bounded: past it, ids are used as they come.
   */
  private static String canonicalTenant(String tid) {
    String known = TENANTS.get(tid);
    if (known != null) {
      return known;
    }
    if (TENANTS.size() < MAX_CANONICAL_TENANTS) {
      known = TENANTS.putIfAbsent(tid, tid);
      return known != null ? known : tid;
    }
    return tid;
  }

  /**
   * The OpenID Connect standard claim {@code email}, {@code name} or {@code zoneinfo} (OIDC Core 5.1)
   * when it is a string that passes Herald's rule for it; null otherwise. A malformed contact claim
   * is ignored rather than refusing the token: it only fills gaps in the user directory.
   */
  private static String contactClaim(JWTClaimsSet claims, String claim) {
    if (!(claims.getClaim(claim) instanceof String value)) {
      return null;
    }
    boolean valid = switch (claim) {
      case "email" -> ContactFields.isEmail(value);
      case "name" -> ContactFields.isName(value);
      default -> ContactFields.zone(value) != null;
    };
    return valid ? value : null;
  }

  private static Identity toIdentity(JWTClaimsSet claims) throws AuthException {
    try {
      String sub = claims.getSubject();
      Object tidClaim = claims.getClaim("tid");
      String tid = tidClaim == null ? Identity.DEFAULT_TENANT : String.valueOf(tidClaim);
      if (!Identity.isValidId(sub)) {
        throw new AuthException("token sub must be 1-128 printable characters");
      }
      if (!Identity.isValidId(tid)) {
        throw new AuthException("token tid must be 1-128 printable characters");
      }
      List<String> rooms = claims.getClaim("rooms") == null ? List.of() : claims.getStringListClaim("rooms");
      List<String> roles = claims.getClaim("roles") == null ? List.of() : claims.getStringListClaim("roles");
      return new Identity(sub, canonicalTenant(tid), rooms, roles, claims.getStringClaim("locale"),
          contactClaim(claims, "email"), contactClaim(claims, "name"), contactClaim(claims, "zoneinfo"));
    } catch (ParseException e) {
      throw new AuthException("invalid token claims: rooms and roles must be lists of strings");
    }
  }
}
