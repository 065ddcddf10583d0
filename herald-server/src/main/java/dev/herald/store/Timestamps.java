package dev.herald.store;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Stored times as clients see them: ISO-8601 in UTC with milliseconds ({@code 2024-01-15T10:30:00.000Z}). */
public final class Timestamps {
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'");

  private Timestamps() {}

  /** {@code uuuu-MM-dd'T'HH:mm:ss.SSS'Z'} in UTC, without a formatter's allocations. */
  public static void appendIso(StringBuilder b, OffsetDateTime t) {
    OffsetDateTime u = t.getOffset().equals(ZoneOffset.UTC) ? t : t.withOffsetSameInstant(ZoneOffset.UTC);
    int year = u.getYear();
    if (year < 0 || year > 9999) {
      b.append(ISO.format(u));
      return;
    }
    pad(b, year, 4).append('-');
    pad(b, u.getMonthValue(), 2).append('-');
    pad(b, u.getDayOfMonth(), 2).append('T');
    pad(b, u.getHour(), 2).append(':');
    pad(b, u.getMinute(), 2).append(':');
    pad(b, u.getSecond(), 2).append('.');
    pad(b, u.getNano() / 1_000_000, 3).append('Z');
  }

  private static StringBuilder pad(StringBuilder b, int value, int width) {
    for (int limit = 10, i = 1; i < width; i++, limit *= 10) {
      if (value < limit) {
        b.append('0');
      }
    }
    return b.append(value);
  }

  /** {@code t} as clients see times: ISO-8601 in UTC with milliseconds, or null. */
  public static String iso(OffsetDateTime t) {
    if (t == null) {
      return null;
    }
    StringBuilder b = new StringBuilder(24);
    appendIso(b, t);
    return b.toString();
  }


}
