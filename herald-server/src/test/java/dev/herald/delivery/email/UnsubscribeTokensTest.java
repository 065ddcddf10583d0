package dev.herald.delivery.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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
}
