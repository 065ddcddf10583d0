package dev.herald.delivery.webhook;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * RFC 9110 10.2.3: {@code Retry-After = HTTP-date / delay-seconds}. The receiver's wish becomes the
 * delay before the next attempt; an unreadable value is no wish (the retry policy decides).
 */
public final class RetryAfter {
  /** A receiver asking for more than a day is taken as asking for a day. */
  static final Duration MAX = Duration.ofDays(1);

  private RetryAfter() {}

  /** The delay {@code value} asks for, seen at {@code now}; null when absent or unreadable. */
  public static Duration parse(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    if (v.chars().allMatch(Character::isDigit)) {
      // delay-seconds = 1*DIGIT
      if (v.length() > 9) {
        return MAX;
      }
      return min(Duration.ofSeconds(Long.parseLong(v)));
    }
    try {
      // HTTP-date: IMF-fixdate, the form RFC 9110 requires senders to use (RFC 1123's)
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return d.isNegative() ? Duration.ZERO : min(d);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Duration min(Duration d) {
    return d.compareTo(MAX) > 0 ? MAX : d;
  }
}
