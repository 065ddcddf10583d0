package dev.herald.delivery.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.testing.MovableClock;
import java.net.URI;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class VapidTest {
  private static final Pattern HEADER = Pattern.compile("vapid t=([A-Za-z0-9_.-]+), k=([A-Za-z0-9_-]+)");
  private static final Instant START = Instant.parse("2026-12-01T08:00:00Z");
  private static final URI FCM = URI.create("https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91b");
  private static final KeyPair KEYS = Vapid.generateKeyPair();

  private final MovableClock clock = new MovableClock(START);
  private final Vapid vapid = new Vapid(KEYS, "mailto:ops@example.com", clock);

  @Test
  void theTokenIsAnEs256JwtThatAnIndependentVerifierAcceptsWithTheKeyOfK() throws Exception {
    Matcher m = header(vapid.authorization(FCM));
    byte[] k = Base64Url.decode(m.group(2));
    ECKey jwk = new ECKey.Builder(Curve.P_256, Base64URL.encode(Arrays.copyOfRange(k, 1, 33)),
        Base64URL.encode(Arrays.copyOfRange(k, 33, 65))).build();

    SignedJWT jwt = SignedJWT.parse(m.group(1));

    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jwt.getSignature().decode()).hasSize(64); // R ‖ S, not DER
    assertThat(jwt.verify(new ECDSAVerifier(jwk))).isTrue();
    assertThat(k).hasSize(65).startsWith((byte) 0x04);
    assertThat(m.group(2)).isEqualTo(Vapid.encodePublicKey(KEYS)).isEqualTo(vapid.publicKey());
  }

  @Test
  void theClaimsNameTheEndpointsOriginTwelveHoursAndTheSubject() throws Exception {
    var claims = SignedJWT.parse(header(vapid.authorization(FCM)).group(1)).getJWTClaimsSet();

    assertThat(claims.getAudience()).containsExactly("https://fcm.googleapis.com");
    assertThat(claims.getExpirationTime().toInstant()).isEqualTo(START.plus(Duration.ofHours(12)));
    assertThat(claims.getSubject()).isEqualTo("mailto:ops@example.com");
  }

  @Test
  void aSignatureByAnotherKeyDoesNotVerify() throws Exception {
    KeyPair other = Vapid.generateKeyPair();
    byte[] k = Base64Url.decode(Vapid.encodePublicKey(other));
    ECKey wrong = new ECKey.Builder(Curve.P_256, Base64URL.encode(Arrays.copyOfRange(k, 1, 33)),
        Base64URL.encode(Arrays.copyOfRange(k, 33, 65))).build();

    SignedJWT jwt = SignedJWT.parse(header(vapid.authorization(FCM)).group(1));

    assertThat(jwt.verify(new ECDSAVerifier(wrong))).isFalse();
  }

  @Test
  void aTokenIsReusedForItsAudienceUntilAnHourBeforeItExpires() throws Exception {
    String first = vapid.authorization(FCM);
    String otherPathSameOrigin = vapid.authorization(URI.create("https://fcm.googleapis.com/fcm/send/other"));
    clock.set(START.plus(Duration.ofHours(11)).minusSeconds(1));
    String beforeRenewal = vapid.authorization(FCM);
    clock.set(START.plus(Duration.ofHours(11)));
    String renewed = vapid.authorization(FCM);

    assertThat(otherPathSameOrigin).isEqualTo(first);
    assertThat(beforeRenewal).isEqualTo(first);
    assertThat(renewed).isNotEqualTo(first);
    assertThat(SignedJWT.parse(header(renewed).group(1)).getJWTClaimsSet().getExpirationTime().toInstant())
        .isEqualTo(START.plus(Duration.ofHours(23)));
  }

  @Test
  void eachPushServiceHasItsOwnToken() throws Exception {
    String fcm = vapid.authorization(FCM);
    String mozilla = vapid.authorization(URI.create("https://updates.push.services.mozilla.com/wpush/v2/gAAAA"));

    assertThat(mozilla).isNotEqualTo(fcm);
    assertThat(SignedJWT.parse(header(mozilla).group(1)).getJWTClaimsSet().getAudience())
        .containsExactly("https://updates.push.services.mozilla.com");
  }

  @Test
  void theAudienceIsTheSerializedOriginWithAPortOnlyWhenNotTheDefault() {
    assertThat(Vapid.audience(URI.create("HTTPS://Push.Example.COM:443/a?b#c"))).isEqualTo("https://push.example.com");
    assertThat(Vapid.audience(URI.create("https://push.example.com:8443/a"))).isEqualTo("https://push.example.com:8443");
    assertThat(Vapid.audience(URI.create("http://127.0.0.1:9000/push"))).isEqualTo("http://127.0.0.1:9000");
    assertThatThrownBy(() -> Vapid.audience(URI.create("/relative"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Vapid.audience(URI.create("ftp://push.example.com/"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keysWrittenAsBase64UrlReadBackAsTheSamePair() {
    String d = Vapid.encodePrivateKey(KEYS);
    String q = Vapid.encodePublicKey(KEYS);

    KeyPair read = Vapid.keyPair(d, q);

    assertThat(Base64Url.decode(d)).hasSize(32);
    assertThat(Base64Url.decode(q)).hasSize(65);
    assertThat(Vapid.encodePrivateKey(read)).isEqualTo(d);
    assertThat(Vapid.encodePublicKey(read)).isEqualTo(q);
  }

  @Test
  void theRfcExamplesKeyPairReadsAndSigns() throws Exception {
    KeyPair pair = Vapid.keyPair(Rfc8291Example.AS_PRIVATE, Rfc8291Example.AS_PUBLIC);
    ECKey jwk = new ECKey.Builder(Curve.P_256,
        Base64URL.encode(Arrays.copyOfRange(Base64Url.decode(Rfc8291Example.AS_PUBLIC), 1, 33)),
        Base64URL.encode(Arrays.copyOfRange(Base64Url.decode(Rfc8291Example.AS_PUBLIC), 33, 65))).build();

    String jwt = header(new Vapid(pair, "https://herald.example.com/contact", clock).authorization(FCM)).group(1);

    assertThat(SignedJWT.parse(jwt).verify(new ECDSAVerifier(jwk))).isTrue();
  }

  @Test
  void aPublicKeyOfAnotherPairIsRefusedNamingBothVariables() {
    String d = Vapid.encodePrivateKey(KEYS);
    String q = Vapid.encodePublicKey(Vapid.generateKeyPair());

    assertThatThrownBy(() -> Vapid.keyPair(d, q))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("HERALD_VAPID_PUBLIC_KEY is not the public key of HERALD_VAPID_PRIVATE_KEY: set both from one generated pair");
  }

  @Test
  void badKeysAreRefusedNamingTheirVariable() {
    String q = Vapid.encodePublicKey(KEYS);

    assertThatThrownBy(() -> Vapid.keyPair(Base64Url.encode(new byte[31]), q))
        .hasMessageStartingWith("HERALD_VAPID_PRIVATE_KEY must be a 32-byte P-256 private scalar, was 31 bytes");
    assertThatThrownBy(() -> Vapid.keyPair(Base64Url.encode(new byte[32]), q))
        .hasMessageStartingWith("HERALD_VAPID_PRIVATE_KEY is not a P-256 private scalar");
    assertThatThrownBy(() -> Vapid.keyPair(Vapid.encodePrivateKey(KEYS), "not+base64url"))
        .hasMessageStartingWith("HERALD_VAPID_PUBLIC_KEY ");
  }

  @Test
  void aSubjectThatIsNeitherMailtoNorHttpsIsRefused() {
    assertThatThrownBy(() -> new Vapid(KEYS, "ops@example.com", clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("HERALD_VAPID_SUBJECT must be a mailto: or https: URI")
        .hasMessageEndingWith("was ops@example.com");
  }

  private static Matcher header(String value) {
    Matcher m = HEADER.matcher(value);
    assertThat(m.matches()).as("vapid header %s", value).isTrue();
    return m;
  }
}
