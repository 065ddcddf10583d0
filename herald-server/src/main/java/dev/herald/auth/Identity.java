package dev.herald.auth;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A user as a verified token describes them.
 *
 * @param userId the token's {@code sub}
 * @param tenantId the token's {@code tid}, {@code default} when absent
 * @param roomPatterns room names the user may join; a trailing {@code *} matches any suffix
 * @param roles the token's {@code roles}, empty when absent
 * @param locale the token's {@code locale}, or null
 * @param email the token's {@code email} (OpenID Connect standard claim), or null when absent or not an address
 * @param name the token's {@code name}, or null when absent or not a display name
 * @param timeZone the token's {@code zoneinfo} (a zone id such as {@code Europe/Vienna}), or null when
 *     absent or not a zone
 */
public record Identity(
    String userId, String tenantId, List<String> roomPatterns, List<String> roles, String locale,
    String email, String name, String timeZone) {
  public static final String DEFAULT_TENANT = "default";
  private static final Pattern ID = Pattern.compile("[^\\p{Cntrl}\\s]{1,128}");

  public Identity {
    roomPatterns = List.copyOf(roomPatterns);
    roles = List.copyOf(roles);
  }

  /** A user whose token carries no contact claims beyond {@code locale}. */
  public Identity(String userId, String tenantId, List<String> roomPatterns, List<String> roles, String locale) {
    this(userId, tenantId, roomPatterns, roles, locale, null, null, null);
  }

  /** True when the token carried a contact claim the user directory keeps: email, name, locale or zoneinfo. */
  public boolean hasContactClaims() {
    return email != null || name != null || locale != null || timeZone != null;
  }

  /** True for ids Herald accepts as user and tenant ids: 1-128 printable characters, no spaces. */
  public static boolean isValidId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** True when one of the token's room patterns grants {@code room}. */
  public boolean patternsAllow(String room) {
    for (String p : roomPatterns) {
      if (p.endsWith("*") ? room.startsWith(p.substring(0, p.length() - 1)) : room.equals(p)) {
        return true;
      }
    }
    return false;
  }

  /** The two rooms every connection of this user joins automatically. */
  public List<String> automaticRooms() {
    return List.of(userRoom(), "tenant:" + tenantId);
  }

  /** {@code user:<sub>}: the room of this user's own connections. */
  public String userRoom() {
    return "user:" + userId;
  }
}
