package dev.herald.directory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.templates.Locales;
import dev.herald.validation.ContactFields;
import dev.herald.validation.InvalidRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What a service says about how to reach a user, validated: by {@code PUT /api/users/{userId}}
 * (every field; an absent one is stored as none) and by an inline recipient of a create
 * ({@code {id, email?, name?, locale?, timeZone?}}: only the fields given are stored).
 *
 * @param email an address ({@link ContactFields#isEmail}), or null
 * @param name a display name of at most 200 characters, or null
 * @param locale a normalised locale tag ({@link Locales#normalize}), or null
 * @param timeZone a zone id ({@code Europe/Vienna}), or null
 * @param dataJson a JSON object of at most {@link #MAX_DATA_BYTES} as text, or null (never inline)
 */
public record UserFields(String email, String name, String locale, String timeZone, String dataJson) {
  /** The largest {@code data} object a user may carry, as JSON text. */
  public static final int MAX_DATA_BYTES = 16 * 1024;
  private static final Set<String> PUT_FIELDS = Set.of("email", "name", "locale", "timeZone", "data");
  private static final Set<String> INLINE_FIELDS = Set.of("id", "email", "name", "locale", "timeZone");
  private static final int MAX_LISTED_UNKNOWN = 10;

  /** True when no field is given: nothing to store. */
  public boolean isEmpty() {
    return email == null && name == null && locale == null && timeZone == null && dataJson == null;
  }

  /**
   * The body of {@code PUT /api/users/{userId}}. Unknown fields are refused with 422 listing them;
   * bad values with 400 and one entry per field.
   */
  public static UserFields ofPut(JsonNode body) throws InvalidRequest {
    if (body == null || !body.isObject()) {
      throw new InvalidRequest(400, "the body must be a JSON object", List.of());
    }
    List<InvalidRequest.FieldError> unknown = new ArrayList<>();
    unknownFields(body, "", PUT_FIELDS, unknown);
    if (!unknown.isEmpty()) {
      throw new InvalidRequest(422, "unknown fields: " + unknown.get(0).field()
          + (unknown.size() > 1 ? " (and " + (unknown.size() - 1) + " more)" : ""), unknown);
    }
    List<InvalidRequest.FieldError> errors = new ArrayList<>();
    UserFields fields = values(body, "", errors);
    if (!errors.isEmpty()) {
      throw InvalidRequest.of(errors);
    }
    return fields;
  }

  /**
   * An inline recipient object at {@code path} ({@code recipients[3]}): its fields beside
   * {@code id}, errors added with their path ({@code recipients[3].email}). The id is the caller's.
   */
  public static UserFields ofInline(JsonNode recipient, String path, List<InvalidRequest.FieldError> errors) {
    unknownFields(recipient, path + ".", INLINE_FIELDS, errors);
    return values(recipient, path + ".", errors);
  }

  private static UserFields values(JsonNode body, String prefix, List<InvalidRequest.FieldError> errors) {
    String email = text(body, "email", prefix, errors);
    if (email != null && !ContactFields.isEmail(email)) {
      errors.add(new InvalidRequest.FieldError(prefix + "email",
          "must be an email address such as ada@example.com (at most " + ContactFields.MAX_EMAIL + " characters)"));
      email = null;
    }
    String name = text(body, "name", prefix, errors);
    if (name != null && !ContactFields.isName(name)) {
      errors.add(new InvalidRequest.FieldError(prefix + "name",
          "must be 1-" + ContactFields.MAX_NAME + " characters without control characters"));
      name = null;
    }
    String locale = text(body, "locale", prefix, errors);
    if (locale != null) {
      String normalised = Locales.normalize(locale);
      if (normalised == null) {
        errors.add(new InvalidRequest.FieldError(prefix + "locale", "must be a locale tag such as de, de-AT or pt-BR"));
      }
      locale = normalised;
    }
    String timeZone = text(body, "timeZone", prefix, errors);
    if (timeZone != null && ContactFields.zone(timeZone) == null) {
      errors.add(new InvalidRequest.FieldError(prefix + "timeZone", "must be a time zone id such as Europe/Vienna"));
      timeZone = null;
    }
    return new UserFields(email, name, locale, timeZone, data(body, prefix, errors));
  }

  private static String data(JsonNode body, String prefix, List<InvalidRequest.FieldError> errors) {
    JsonNode data = body.get("data");
    if (data == null || data.isNull()) {
      return null;
    }
    if (!data.isObject()) {
      errors.add(new InvalidRequest.FieldError(prefix + "data", "must be a JSON object"));
      return null;
    }
    String json = data.toString();
    // PostgreSQL's jsonb holds no NUL character
    if (json.contains("\\u0000")) {
      errors.add(new InvalidRequest.FieldError(prefix + "data", "must not contain NUL characters (\\u0000)"));
    } else if (json.length() > MAX_DATA_BYTES) {
      errors.add(new InvalidRequest.FieldError(prefix + "data",
          "is " + json.length() + " bytes of JSON; at most " + MAX_DATA_BYTES));
    }
    return json;
  }

  private static String text(JsonNode body, String field, String prefix, List<InvalidRequest.FieldError> errors) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      errors.add(new InvalidRequest.FieldError(prefix + field, "must be a string"));
      return null;
    }
    return n.asText();
  }

  private static void unknownFields(JsonNode body, String prefix, Set<String> known,
      List<InvalidRequest.FieldError> errors) {
    int unknown = 0;
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f) && ++unknown <= MAX_LISTED_UNKNOWN) {
        errors.add(new InvalidRequest.FieldError(prefix + f, "unknown field"));
      }
    }
    if (unknown > MAX_LISTED_UNKNOWN) {
      errors.add(new InvalidRequest.FieldError(prefix + "(other fields)",
          (unknown - MAX_LISTED_UNKNOWN) + " more unknown fields, not listed"));
    }
  }
}
