package dev.herald.preferences;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.types.TypeDefinition;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * The digest that gathers one notification's email or push for one recipient (contract part 2,
 * "Notification types": {@code digest}), and when a digest opened by it would go out. Pure.
 *
 * <ul>
 *   <li>The recipient's preference {@code digest: {<notification channel>: "hourly" | "daily"}}
 *       (theirs, else the tenant's default document): hourly digests go at the next full hour,
 *       daily ones at the next 09:00, both in the recipient's time zone; key
 *       {@code channel:<name>}.
 *   <li>Else the type's {@code digest: {window, maxItems}}: the first item opens it and it goes
 *       {@code window} later; key {@code type:<type>}.
 * </ul>
 *
 * @param key one open digest per recipient, delivery channel and key gathers items
 * @param rule what chose it, for the explanation: {@code digest:hourly}, {@code digest:daily}
 *     (the user's), {@code tenant:digest:daily} or {@code type:digest}
 * @param dueAt when a digest this item opens goes out (a digest already open keeps its own time)
 * @param maxItems how many items the message lists (it always gives the total)
 * @param template the template it renders from: {@code <type>.digest} (the built-in layout without one)
 */
public record DigestRule(String key, String rule, Instant dueAt, int maxItems, String template) {
  /** How many items a preference digest lists (a type's digest says its own). */
  public static final int PREFERENCE_MAX_ITEMS = 50;
  /** Daily digests go out at this local time (contract: "daily digests go out at 09:00"). */
  static final LocalTime DAILY_AT = LocalTime.of(9, 0);

  /** The suffix of the template a digest of type {@code t} renders from: {@code t.digest}. */
  public static final String TEMPLATE_SUFFIX = ".digest";

  /**
   * The recipient's digest preference for {@code channel} (the notification channel), theirs before
   * the tenant's; null when neither says {@code hourly} or {@code daily} ({@code off}, or nothing).
   * {@code zone} is the recipient's time zone (null: UTC), {@code at} when the notification goes out.
   */
  public static DigestRule preference(JsonNode user, JsonNode tenant, String type, String channel, ZoneId zone,
      Instant at) {
    String[] from = new String[1];
    String schedule = schedule(user, channel, "", from);
    if (schedule == null) {
      schedule = schedule(tenant, channel, "tenant:", from);
    }
    if (schedule == null || schedule.equals("off")) {
      return null;
    }
    ZonedDateTime now = at.atZone(zone == null ? ZoneOffset.UTC : zone);
    ZonedDateTime due;
    if (schedule.equals("hourly")) {
      due = now.truncatedTo(ChronoUnit.HOURS).plusHours(1);
    } else {
      due = now.toLocalDate().atTime(DAILY_AT).atZone(now.getZone());
      if (!due.isAfter(now)) {
        due = now.toLocalDate().plusDays(1).atTime(DAILY_AT).atZone(now.getZone());
      }
    }
    return new DigestRule("channel:" + channel, from[0] + "digest:" + schedule, due.toInstant(), PREFERENCE_MAX_ITEMS,
        type + TEMPLATE_SUFFIX);
  }

  /** The type's digest ({@code type} named {@code typeName}) for an item going out at {@code at}; null when it has none. */
  public static DigestRule ofType(String typeName, TypeDefinition type, Instant at) {
    TypeDefinition.Digest d = type.digest();
    return d == null ? null : new DigestRule("type:" + typeName, "type:digest", at.plus(d.window()), d.maxItems(),
        typeName + TEMPLATE_SUFFIX);
  }

  /**
   * The recipient's time zone for digests: their quiet hours' zone, else the user directory's
   * ({@code directoryZone}), else the tenant's quiet hours' zone; null (UTC) when none is known or
   * the directory's does not parse.
   */
  public static ZoneId zone(JsonNode user, String directoryZone, JsonNode tenant) {
    JsonNode own = user == null ? null : user.path("quietHours").get("timezone");
    if (own != null && own.isTextual()) {
      return ZoneId.of(own.asText());
    }
    if (directoryZone != null) {
      try {
        return ZoneId.of(directoryZone);
      } catch (DateTimeException e) {
        // the directory checks zones when they are written; a claim that slipped through is ignored
      }
    }
    JsonNode theirs = tenant == null ? null : tenant.path("quietHours").get("timezone");
    return theirs != null && theirs.isTextual() ? ZoneId.of(theirs.asText()) : null;
  }

  private static String schedule(JsonNode doc, String channel, String prefix, String[] from) {
    JsonNode v = doc == null || channel == null ? null : doc.path("digest").get(channel);
    if (v == null || !v.isTextual()) {
      return null;
    }
    from[0] = prefix;
    return v.asText();
  }
}
