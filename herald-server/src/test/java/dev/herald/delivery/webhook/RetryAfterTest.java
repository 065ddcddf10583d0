package dev.herald.delivery.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void delaySecondsAreTheDelay() {
    assertThat(RetryAfter.parse("120", NOW)).isEqualTo(Duration.ofSeconds(120));
    assertThat(RetryAfter.parse(" 0 ", NOW)).isEqualTo(Duration.ZERO);
  }

  @Test
  void anHttpDateIsTheTimeUntilIt() {
    assertThat(RetryAfter.parse("Mon, 07 Dec 2026 10:01:30 GMT", NOW)).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void anHttpDateInThePastMeansNow() {
    assertThat(RetryAfter.parse("Mon, 07 Dec 2026 09:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
  }

  @Test
  void moreThanADayIsADay() {
    assertThat(RetryAfter.parse("999999", NOW)).isEqualTo(Duration.ofDays(1));
    assertThat(RetryAfter.parse("99999999999999999999", NOW)).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void absentOrUnreadableValuesLeaveItToThePolicy() {
    assertThat(RetryAfter.parse(null, NOW)).isNull();
    assertThat(RetryAfter.parse("", NOW)).isNull();
    assertThat(RetryAfter.parse("-5", NOW)).isNull();
    assertThat(RetryAfter.parse("soon", NOW)).isNull();
    assertThat(RetryAfter.parse("1.5", NOW)).isNull();
  }
}
