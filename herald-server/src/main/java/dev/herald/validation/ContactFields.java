package dev.herald.validation;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.regex.Pattern;

/**
 * How a user is reached, checked one way wherever it comes from: a service's {@code PUT /api/users},
 * an inline recipient of a create, or the claims of a user's token.
 */
public final class ContactFields {
  /** RFC 5321 4.5.3.1.3: a path (the address between the angle brackets) is at most 256 octets, so 254 for the address. */
  public static final int MAX_EMAIL = 254;
  /** RFC 5321 4.5.3.1.1: a local part is at most 64 octets. */
  private static final int MAX_LOCAL_PART = 64;
  public static final int MAX_NAME = 200;
  private static final int MAX_ZONE = 64;
  /** RFC 5322 3.2.3 dot-atom: atext runs separated by single dots (quoted local parts are not taken). */
  private static final Pattern LOCAL_PART = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
  /** RFC 5321 4.1.2 Domain: labels of letters, digits and inner hyphens, at most 63 each (RFC 1035). */
  private static final Pattern DOMAIN = Pattern.compile(
      "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

  private ContactFields() {}

  /**
   * Whether {@code s} is an address Herald will send to: {@code local@domain}, at most 254
   * characters, a dot-atom local part of at most 64 and a domain of DNS labels. Practical rather
   * than complete: quoted local parts, address literals and non-ASCII (SMTPUTF8) are refused.
   */
  public static boolean isEmail(String s) {
    if (s == null || s.length() > MAX_EMAIL) {
      return false;
    }
    int at = s.lastIndexOf('@');
    if (at <= 0 || at > MAX_LOCAL_PART || at == s.length() - 1) {
      return false;
    }
    return LOCAL_PART.matcher(s).region(0, at).matches() && DOMAIN.matcher(s).region(at + 1, s.length()).matches();
  }

  /** Whether {@code s} is a display name: 1-200 characters, none of them control characters. */
  public static boolean isName(String s) {
    if (s == null || s.isBlank() || s.length() > MAX_NAME) {
      return false;
    }
    return s.codePoints().noneMatch(Character::isISOControl);
  }

  /** The zone of {@code s} ({@code Europe/Vienna}, {@code UTC}, {@code +02:00}), or null when it names none. */
  public static ZoneId zone(String s) {
    if (s == null || s.isEmpty() || s.length() > MAX_ZONE) {
      return null;
    }
    try {
      return ZoneId.of(s);
    } catch (DateTimeException e) {
      return null;
    }
  }
}
