package dev.herald.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** HS256 user tokens of the contract ({@code sub}, {@code tid}, {@code exp}): signed by the load client, checked by the JVM peer. */
final class BenchToken {
  private BenchToken() {}

  /** The identity a valid token carries; {@code tid} is {@code default} when the token has none. */
  record Claims(String sub, String tid) {}

  static String sign(String secret, String sub, String tid, Duration validFor) {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(sub).claim("tid", tid)
        .issueTime(new Date()).expirationTime(Date.from(Instant.now().plus(validFor))).build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot sign with the bench secret (HS256 needs at least 32 bytes)", e);
    }
    return jwt.serialize();
  }

  /** The claims of a correctly signed, unexpired HS256 token; null for anything else. */
  static Claims verify(MACVerifier verifier, Object token) {
    if (!(token instanceof String s)) {
      return null;
    }
    try {
      SignedJWT jwt = SignedJWT.parse(s);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        return null;
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Date exp = claims.getExpirationTime();
      if (claims.getSubject() == null || exp != null && exp.before(new Date())) {
        return null;
      }
      String tid = claims.getStringClaim("tid");
      return new Claims(claims.getSubject(), tid == null ? "default" : tid);
    } catch (ParseException | JOSEException e) {
      return null;
    }
  }

  static MACVerifier verifier(String secret) {
    try {
      return new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("JWT_SECRET must be at least 32 bytes for HS256", e);
    }
  }
}
