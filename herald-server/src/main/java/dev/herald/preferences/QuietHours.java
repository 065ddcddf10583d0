package dev.herald.preferences;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * A daily quiet window in the user's time zone, such as 22:00-07:00 in Europe/Berlin: a window
 * whose start is after its end runs across midnight. Times are wall-clock times of the zone, so the
 * window moves with daylight saving time: on the night clocks go back it lasts an hour longer, on
 * the night they go forward an hour shorter. A boundary that falls into a gap (02:30 on the spring
 * night in Berlin) is taken as the same wall-clock time shifted by the gap, as {@link ZonedDateTime}
 * resolves it.
 *
 * <p>The next part of issue 5 holds email and push back with it; in-app is never held.
 */
public record QuietHours(LocalTime start, LocalTime end, ZoneId zone) {
  public QuietHours {
    if (start.equals(end)) {
      throw new IllegalArgumentException("quiet hours need a start and an end that differ");
    }
  }

  /** The quiet hours of a validated document's {@code quietHours}, or null when it has none. */
  public static QuietHours of(JsonNode quietHours) {
    if (quietHours == null || quietHours.isNull()) {
      return null;
    }
    return new QuietHours(LocalTime.parse(quietHours.get("start").asText()),
        LocalTime.parse(quietHours.get("end").asText()), ZoneId.of(quietHours.get("timezone").asText()));
  }

  /** Whether {@code t} falls inside the window (start inclusive, end exclusive). */
  public boolean contains(Instant t) {
    LocalTime local = t.atZone(zone).toLocalTime();
    return start.isBefore(end)
        ? !local.isBefore(start) && local.isBefore(end)
        : !local.isBefore(start) || local.isBefore(end);
  }

  /** When what is held at {@code t} may go out: the end of the window around {@code t}, or {@code t} itself. */
  public Instant releaseAt(Instant t) {
    if (!contains(t)) {
      return t;
    }
    ZonedDateTime here = t.atZone(zone);
    LocalDate endDate = here.toLocalTime().isBefore(end) ? here.toLocalDate() : here.toLocalDate().plusDays(1);
    return ZonedDateTime.of(endDate, end, zone).toInstant();
  }
}
