package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Seed 003's schedule with ±20 % jitter, Retry-After, and the end of retries. */
class RetryPolicyTest {
  private static final List<Duration> SEED_003 = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5),
      Duration.ofSeconds(30), Duration.ofMinutes(5));

  @Test
  void eachFailureWaitsTheNextDelayOfTheSchedule() {
    RetryPolicy middle = new RetryPolicy(SEED_003, () -> 0.5);
    assertThat(middle.after(1, null)).contains(Duration.ofSeconds(1));
    assertThat(middle.after(2, null)).contains(Duration.ofSeconds(5));
    assertThat(middle.after(3, null)).contains(Duration.ofSeconds(30));
    assertThat(middle.after(4, null)).contains(Duration.ofMinutes(5));
    assertThat(middle.maxAttempts()).isEqualTo(5);
  }

  @Test
  void theLastAttemptsFailureIsFinal() {
    RetryPolicy policy = new RetryPolicy(SEED_003, () -> 0.5);
    assertThat(policy.after(5, null)).isEmpty();
    assertThat(policy.after(6, Duration.ofSeconds(1))).isEmpty();
  }

  @Test
  void jitterSpreadsTwentyPercentEachWay() {
    assertThat(new RetryPolicy(SEED_003, () -> 0.0).after(2, null)).contains(Duration.ofSeconds(4));
    assertThat(new RetryPolicy(SEED_003, () -> 0.999_999).after(2, null).orElseThrow().toMillis()).isEqualTo(6_000);
  }

  @Test
  void aLongerRetryAfterIsHonouredUpToADayAndAShorterOneIsNot() {
    RetryPolicy policy = new RetryPolicy(SEED_003, () -> 0.5);
    assertThat(policy.after(1, Duration.ofSeconds(42))).contains(Duration.ofSeconds(42));
    assertThat(policy.after(3, Duration.ofSeconds(2))).contains(Duration.ofSeconds(30));
    assertThat(policy.after(1, Duration.ofDays(3))).contains(Duration.ofDays(1));
  }
}
