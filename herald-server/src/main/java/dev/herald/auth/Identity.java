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
 */
public record Identity(
    String userId, String tenantId, List<String> roomPatterns, List<String> roles, String locale) {
  public static final String DEFAULT_TENANT = "default";
  private static final Pattern ID = Pattern.compile("[^\\p{Cntrl}\\s]{1,128}");

  public Identity {
    roomPatterns = List.copyOf(roomPatterns);
    roles = List.copyOf(roles);
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
