package dev.herald.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.herald.config.ConfigException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link TokenVerifier} on its own: which tokens it accepts, what it makes of them, and why it refuses. */
class TokenVerifierTest {
  private static final String SECRET = "unit-test-secret-unit-test-secret-0123";
  private static final KeyPair RSA = keyPair("RSA");
  private static final KeyPair EC = keyPair("EC");

  private HttpServer jwks;

  @AfterEach
  void stopJwks() {
    if (jwks != null) {
      jwks.stop(0);
    }
  }

  @Test
  void hs256TokenIsAcceptedWithSubTidRoomsRolesAndLocaleMapped() throws Exception {
    TokenVerifier verifier = new TokenVerifier(SECRET, null, null);
    String token = sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, null,
        claims("alice").claim("tid", "acme").claim("rooms", List.of("channel:*", "project:42"))
            .claim("roles", List.of("admin")).claim("locale", "de-CH"));

    Identity who = verifier.verify(token);

    assertThat(who.userId()).isEqualTo("alice");
    assertThat(who.tenantId()).isEqualTo("acme");
    assertThat(who.roomPatterns()).containsExactly("channel:*", "project:42");
    assertThat(who.roles()).containsExactly("admin");
    assertThat(who.locale()).isEqualTo("de-CH");
    assertThat(who.patternsAllow("channel:orders")).isTrue();
    assertThat(who.patternsAllow("project:43")).isFalse();
    assertThat(verifier.mayBlock()).isFalse();
  }

  @Test
  void contactClaimsAreMappedAndMalformedOnesIgnoredWithoutRefusingTheToken() throws Exception {
    TokenVerifier verifier = new TokenVerifier(SECRET, null, null);

    Identity good = verifier.verify(hs256(SECRET, claims("carol").claim("email", "carol@example.com")
        .claim("name", "Carol C").claim("zoneinfo", "Europe/Vienna")));
    Identity bad = verifier.verify(hs256(SECRET, claims("dave").claim("email", "dave at example")
        .claim("name", "bell\u0007").claim("zoneinfo", "Mars/Base").claim("locale", "en")));
    Identity none = verifier.verify(hs256(SECRET, claims("erin").claim("email", List.of("e@example.com"))));

    assertThat(good.email()).isEqualTo("carol@example.com");
    assertThat(good.name()).isEqualTo("Carol C");
    assertThat(good.timeZone()).isEqualTo("Europe/Vienna");
    assertThat(good.hasContactClaims()).isTrue();
    assertThat(bad.email()).isNull();
    assertThat(bad.name()).isNull();
    assertThat(bad.timeZone()).isNull();
    assertThat(bad.hasContactClaims()).as("the locale claim alone").isTrue();
    assertThat(none.email()).isNull();
    assertThat(none.hasContactClaims()).isFalse();
  }

  @Test
  void tokenWithoutTidBelongsToTheDefaultTenantAndHasNoRooms() throws Exception {
    TokenVerifier verifier = new TokenVerifier(SECRET, null, null);

    Identity who = verifier.verify(hs256(SECRET, claims("bob")));

    assertThat(who.tenantId()).isEqualTo(Identity.DEFAULT_TENANT).isEqualTo("default");
    assertThat(who.roomPatterns()).isEmpty();
    assertThat(who.roles()).isEmpty();
    assertThat(who.automaticRooms()).containsExactly("user:bob", "tenant:default");
  }

  @Test
  void rs256TokenIsVerifiedWithAPemPublicKey() throws Exception {
    TokenVerifier verifier = new TokenVerifier(null, pem(RSA.getPublic()), null);

    Identity who = verifier.verify(sign(new RSASSASigner(RSA.getPrivate()), JWSAlgorithm.RS256, null,
        claims("carol").claim("tid", "globex")));

    assertThat(who.userId()).isEqualTo("carol");
    assertThat(who.tenantId()).isEqualTo("globex");
  }

  @Test
  void es256TokenIsVerifiedWithAPemPublicKey() throws Exception {
    TokenVerifier verifier = new TokenVerifier(null, pem(EC.getPublic()), null);

    Identity who = verifier.verify(sign(new ECDSASigner(EC.getPrivate(), Curve.P_256), JWSAlgorithm.ES256, null,
        claims("dave")));

    assertThat(who.userId()).isEqualTo("dave");
  }

  @Test
  void pemWithEscapedNewlinesAsEnvironmentVariablesOftenHaveIsAccepted() throws Exception {
    TokenVerifier verifier = new TokenVerifier(null, pem(RSA.getPublic()).replace("\n", "\\n"), null);

    assertThat(verifier.verify(sign(new RSASSASigner(RSA.getPrivate()), JWSAlgorithm.RS256, null, claims("erin")))
        .userId()).isEqualTo("erin");
  }

  @Test
  void secretAndPublicKeyTogetherAcceptBothKindsOfToken() throws Exception {
    TokenVerifier verifier = new TokenVerifier(SECRET, pem(RSA.getPublic()), null);

    assertThat(verifier.verify(hs256(SECRET, claims("hmac-user"))).userId()).isEqualTo("hmac-user");
    assertThat(verifier.verify(sign(new RSASSASigner(RSA.getPrivate()), JWSAlgorithm.RS256, null,
        claims("rsa-user"))).userId()).isEqualTo("rsa-user");
  }

  @Test
  void jwksUrlIsFetchedOverHttpAndARotatedKeyIsPickedUp() throws Exception {
    KeyPair second = keyPair("RSA");
    AtomicReference<JWKSet> published = new AtomicReference<>(new JWKSet(rsaJwk(RSA, "key-1")));
    AtomicInteger fetches = new AtomicInteger();
    TokenVerifier verifier = new TokenVerifier(null, null, serveJwks(published, fetches));
    assertThat(verifier.mayBlock()).isTrue();

    Identity first = verifier.verify(sign(new RSASSASigner(RSA.getPrivate()), JWSAlgorithm.RS256, "key-1",
        claims("before-rotation")));
    assertThat(first.userId()).isEqualTo("before-rotation");
    assertThat(fetches.get()).isEqualTo(1);

    published.set(new JWKSet(List.of(rsaJwk(second, "key-2"), rsaJwk(RSA, "key-1"))));
    Identity rotated = verifier.verify(sign(new RSASSASigner(second.getPrivate()), JWSAlgorithm.RS256, "key-2",
        claims("after-rotation")));

    assertThat(rotated.userId()).isEqualTo("after-rotation");
    assertThat(fetches.get()).as("the unknown kid made the verifier fetch the set again").isEqualTo(2);
    assertThat(verifier.verify(sign(new RSASSASigner(RSA.getPrivate()), JWSAlgorithm.RS256, "key-1",
        claims("old-key-still-listed"))).userId()).isEqualTo("old-key-still-listed");
  }

  @Test
  void tokenSignedByAKeyTheJwksDoesNotListIsRefused() throws Exception {
    TokenVerifier verifier = new TokenVerifier(null, null,
        serveJwks(new AtomicReference<>(new JWKSet(rsaJwk(RSA, "key-1"))), new AtomicInteger()));

    assertRefused(verifier, sign(new RSASSASigner(keyPair("RSA").getPrivate()), JWSAlgorithm.RS256, "key-9",
        claims("stranger")), "signature");
  }

  @Test
  void unsignedTokenIsRefused() {
    TokenVerifier verifier = new TokenVerifier(SECRET, pem(RSA.getPublic()), null);

    assertRefused(verifier, new PlainJWT(claims("mallory").build()).serialize(), "alg none");
  }

  @Test
  void expiredTokenIsRefused() throws Exception {
    TokenVerifier verifier = new TokenVerifier(SECRET, null, null);
    JWTClaimsSet.Builder expired = new JWTClaimsSet.Builder().subject("late")
        .expirationTime(Date.from(Instant.now().minusSeconds(3600)));

    assertRefused(verifier, hs256(SECRET, expired), "token expired");
  }

  @Test
  void tokenSignedWithAnotherSecretIsRefused() throws Exception {
    TokenVerifier verifier = new TokenVerifier(SECRET, null, null);

    assertRefused(verifier, hs256("some-other-secret-some-other-secret-0123", claims("mallory")),
        "invalid token signature");
  }

  @Test
  void rs256TokenSignedWithAnotherKeyIsRefused() throws Exception {
    TokenVerifier verifier = new TokenVerifier(null, pem(RSA.getPublic()), null);

    assertRefused(verifier, sign(new RSASSASigner(keyPair("RSA").getPrivate()), JWSAlgorithm.RS256, null,
        claims("mallory")), "invalid token signature");
  }

  @Test
  void hs256TokenIsRefusedWhenOnlyRs256IsConfigured() throws Exception {
    TokenVerifier verifier = new TokenVerifier(null, pem(RSA.getPublic()), null);

    assertRefused(verifier, hs256(SECRET, claims("mallory")), "invalid token signature");
  }

  @Test
  void hs256TokenUsingThePublicKeyAsSecretIsRefused() throws Exception {
    // the algorithm-confusion attack: the public key is public, so it must never act as an HMAC secret
    String publicPem = pem(RSA.getPublic());
    TokenVerifier verifier = new TokenVerifier(null, publicPem, null);

    assertRefused(verifier, hs256(publicPem, claims("mallory")), "invalid token signature");
  }

  @Test
  void malformedTokensAreRefused() {
    TokenVerifier verifier = new TokenVerifier(SECRET, null, null);

    assertRefused(verifier, "not-a-jwt", "malformed token");
    assertRefused(verifier, "a.b.c", "malformed token");
    assertRefused(verifier, null, "missing token");
    assertRefused(verifier, "  ", "missing token");
    assertRefused(verifier, "x".repeat(10_000), "token too large");
  }

  @Test
  void tokenWithoutSubIsRefused() throws Exception {
    TokenVerifier verifier = new TokenVerifier(SECRET, null, null);
    JWTClaimsSet.Builder noSub = new JWTClaimsSet.Builder().claim("tid", "acme")
        .expirationTime(Date.from(Instant.now().plusSeconds(600)));

    assertRefused(verifier, hs256(SECRET, noSub), "sub");
  }

  @Test
  void tokenWhoseRoomsAreNotStringsIsRefused() throws Exception {
    TokenVerifier verifier = new TokenVerifier(SECRET, null, null);

    assertRefused(verifier, hs256(SECRET, claims("odd").claim("rooms", "channel:*")), "rooms");
  }

  @Test
  void tokenWithASubOfSpacesIsRefused() throws Exception {
    TokenVerifier verifier = new TokenVerifier(SECRET, null, null);

    assertRefused(verifier, hs256(SECRET, claims("two words")), "sub");
  }

  @Test
  void noVerificationSettingIsAConfigurationError() {
    assertThatThrownBy(() -> new TokenVerifier(null, null, null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("HERALD_JWT_SECRET");
  }

  @Test
  void publicKeyThatIsNotPemIsAConfigurationErrorNamingTheSetting() {
    String garbage = "-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----";
    assertThatThrownBy(() -> new TokenVerifier(null, garbage, null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("HERALD_JWT_PUBLIC_KEY");
  }

  @Test
  void publicKeyWithoutPemLinesIsAConfigurationErrorSayingWhatIsExpected() {
    String bare = Base64.getEncoder().encodeToString(RSA.getPublic().getEncoded());

    assertThatThrownBy(() -> new TokenVerifier(null, bare, null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("BEGIN PUBLIC KEY");
  }

  private static void assertRefused(TokenVerifier verifier, String token, String reason) {
    assertThatThrownBy(() -> verifier.verify(token))
        .isInstanceOf(AuthException.class).hasMessageContaining(reason);
  }

  private static JWTClaimsSet.Builder claims(String sub) {
    return new JWTClaimsSet.Builder().subject(sub).issueTime(new Date())
        .expirationTime(Date.from(Instant.now().plusSeconds(600)));
  }

  private static String hs256(String secret, JWTClaimsSet.Builder claims) throws Exception {
    return sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, null, claims);
  }

  private static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet.Builder claims)
      throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).keyID(kid).build(),
        claims.build());
    jwt.sign(signer);
    return jwt.serialize();
  }

  /** The X.509 SubjectPublicKeyInfo PEM ({@code BEGIN PUBLIC KEY}) that openssl writes. */
  private static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  private static JWK rsaJwk(KeyPair pair, String kid) {
    return new RSAKey.Builder((RSAPublicKey) pair.getPublic()).keyID(kid).build();
  }

  /** Serves {@code published} as {@code /jwks.json} on 127.0.0.1, counting fetches; returns the URL. */
  private String serveJwks(AtomicReference<JWKSet> published, AtomicInteger fetches) throws Exception {
    jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jwks.createContext("/jwks.json", exchange -> {
      fetches.incrementAndGet();
      byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("content-type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    jwks.start();
    return "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json";
  }

  private static KeyPair keyPair(String algorithm) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (algorithm.equals("EC")) {
        generator.initialize(new ECGenParameterSpec("secp256r1"));
      } else {
        generator.initialize(2048);
      }
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(algorithm + " key generation is part of every JDK", e);
    }
  }
}
