package dev.herald.delivery.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
  // the example of the Standard Webhooks reference libraries' tests
  private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long SPEC_TIMESTAMP = 1614265330L;
  private static final byte[] SPEC_BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

  @Test
  void signsTheSpecsPublishedExampleAsTheSpecExpects() {
    assertThat(WebhookSignature.header(List.of(SPEC_SECRET), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY))
        .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void twoSecretsDuringARotationGiveTwoSpaceSeparatedSignaturesEachOfItsSecret() {
    String other = WebhookSignature.newSecret();
    String header = WebhookSignature.header(List.of(other, SPEC_SECRET), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);

    assertThat(header.split(" ")).containsExactly(
        "v1," + WebhookSignature.sign(other, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void aChangedBodyIdOrTimestampChangesTheSignature() {
    String original = WebhookSignature.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);

    assertThat(WebhookSignature.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP,
        "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(original);
    assertThat(WebhookSignature.sign(SPEC_SECRET, SPEC_ID + "x", SPEC_TIMESTAMP, SPEC_BODY)).isNotEqualTo(original);
    assertThat(WebhookSignature.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP + 1, SPEC_BODY)).isNotEqualTo(original);
  }

  @Test
  void newSecretsAreWhsecAndThirtyTwoRandomBytes() {
    String a = WebhookSignature.newSecret();
    String b = WebhookSignature.newSecret();

    assertThat(a).startsWith("whsec_").isNotEqualTo(b);
    assertThat(Base64.getDecoder().decode(a.substring(6))).hasSize(32);
    assertThat(WebhookSignature.isSecret(a)).isTrue();
  }

  @Test
  void refusesToSignWithWhatIsNotASecret() {
    assertThat(WebhookSignature.isSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).isFalse();
    assertThat(WebhookSignature.isSecret("whsec_" + Base64.getEncoder().encodeToString(new byte[16]))).isFalse();
    assertThat(WebhookSignature.isSecret("whsec_not base64!")).isFalse();
    assertThatThrownBy(() -> WebhookSignature.sign("whsec_short", SPEC_ID, 1, SPEC_BODY))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
