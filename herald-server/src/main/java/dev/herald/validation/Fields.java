package dev.herald.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The field rules every request body shares: what a name is (types, channels, template names,
 * preference keys) and how a text field is checked. One rule per concept, used by every route.
 */
public final class Fields {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:\\-]{1,100}");

  private Fields() {}

  /**
   * Whether {@code s} is a name Herald accepts for types, channels and the like: 1-100 letters,
   * digits and {@code _ . : -}.
   */
  public static boolean isName(String s) {
    return NAME.matcher(s).matches();
  }

  /**
   * {@code s} cut to {@code max} characters with an ellipsis: client text echoed in a refusal or a
   * log line stays small whatever the client sent.
   */
  public static String abbreviate(String s, int max) {
    return s.length() > max ? s.substring(0, max) + "…" : s;
  }

  /** The UUID of {@code s}, or null when it is not one (a malformed id is simply not found). */
  public static UUID uuid(String s) {
    if (s == null || s.length() != 36) {
      return null;
    }
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The string {@code body.field}, or null when absent; adds to {@code errors} when it is not a
   * string, is blank though {@code required}, longer than {@code max} or holds a NUL character.
   */
  public static String text(JsonNode body, String field, boolean required, int max,
      List<InvalidRequest.FieldError> errors) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        errors.add(new InvalidRequest.FieldError(field, "is required"));
      }
      return null;
    }
    if (!n.isTextual()) {
      errors.add(new InvalidRequest.FieldError(field, "must be a string"));
      return null;
    }
    String v = n.asText();
    if (required && v.isBlank()) {
      errors.add(new InvalidRequest.FieldError(field, "must not be blank"));
    } else if (v.length() > max) {
      errors.add(new InvalidRequest.FieldError(field, "is " + v.length() + " characters; at most " + max));
    } else if (v.indexOf('\u0000') >= 0) {
      errors.add(new InvalidRequest.FieldError(field, "must not contain NUL characters"));
    }
    return v;
  }
}
