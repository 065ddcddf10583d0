package dev.herald.delivery.email;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class UnsubscribeTokensTest {
  private final UnsubscribeTokens tokens = EmailFixtures.TOKENS;
  private final Instant now = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void aTokenNamesItsTenantUserTypeAndIssueTime() {
    String token = tokens.issue("acme", "user/with.odd chars", "order.shipped", now);

    assertThat(token).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    assertThat(tokens.verify(token)).contains(new UnsubscribeTokens.Subject("acme", "user/with.odd chars",
        "order.shipped", now));
  }

  @Test
  void aTokenWithAnAlteredPayloadIsRefused() {
    String token = tokens.issue("acme", "alice", "order.shipped", now);
    String forgedPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
        "[\"u1\",\"acme\",\"bob\",\"order.shipped\",1796637600]".getBytes(StandardCharsets.UTF_8));

    assertThat(tokens.verify(forgedPayload + token.substring(token.indexOf('.')))).isEmpty();
  }

  @Test
  void aTokenSignedWithAnotherKeyIsRefused() {
    String other = new UnsubscribeTokens("another-secret-of-at-least-32-characters").issue("acme", "alice", "t", now);

    assertThat(tokens.verify(other)).isEmpty();
  }

  @Test
  void malformedTokensAreRefused() {
    String token = tokens.issue("acme", "alice", "t", now);

    assertThat(tokens.verify(token.substring(0, token.length() - 2))).isEmpty();
    assertThat(tokens.verify(token + ".x")).isEmpty();
    assertThat(tokens.verify("no-dot")).isEmpty();
    assertThat(tokens.verify(".")).isEmpty();
    assertThat(tokens.verify("%%%.%%%")).isEmpty();
    assertThat(tokens.verify("")).isEmpty();
    assertThat(tokens.verify(null)).isEmpty();
  }

  @Test
  void withoutAConfiguredSecretTheGeneratedKeySurvivesARestart() throws Exception {
    Path dataDir = Files.createTempDirectory("signing");
    HeraldConfig.Delivery delivery = HeraldConfig.Delivery.defaults();
    String token = UnsubscribeTokens.of(delivery, dataDir).issue("acme", "alice", "t", now);

    assertThat(UnsubscribeTokens.of(delivery, dataDir).verify(token)).isPresent();
    assertThat(UnsubscribeTokens.of(delivery, Files.createTempDirectory("other")).verify(token)).isEmpty();
  }

  @Test
  void aConfiguredSecretSignsAndAShortOneIsRefusedAtStartWithTheFix() throws Exception {
    HeraldConfig config = HeraldConfig.fromEnv(Map.of("HERALD_SIGNING_SECRET", EmailFixtures.SECRET));
    String token = UnsubscribeTokens.of(config.delivery(), Files.createTempDirectory("unused")).issue("a", "b", "t", now);

    assertThat(tokens.verify(token)).isPresent();
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_SIGNING_SECRET", "short")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("HERALD_SIGNING_SECRET must be at least 32 characters").hasMessageContaining("was 5");
  }
}
