package dev.herald.preferences;

import dev.herald.validation.Fields;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.validation.InvalidRequest;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The preference document: validation, merging and the view users get back.
 *
 * <pre>
 * {email, push, inApp,                                  global switches (default true)
 *  channels: {name: {email?, push?, inApp?}},           seed 003
 *  types: {type: {email?, push?, inApp?}},              per notification type (seed 000)
 *  quietHours: {start: "22:00", end: "07:00", timezone: "Europe/Berlin"} | null,
 *  digest: {channel: "off" | "hourly" | "daily"},
 *  locale: "de-AT"}                                     the language templates render in
 * </pre>
 *
 * Documents are kept as the user wrote them (fields in their order), so the seed's document comes
 * back exactly; a field left out means "inherit".
 */
public final class PreferenceDocument {
  static final Set<String> SWITCHES = Set.of("email", "push", "inApp");
  private static final Set<String> FIELDS = Set.of("email", "push", "inApp", "channels", "types", "quietHours", "digest",
      "locale");
  private static final Set<String> DIGESTS = Set.of("off", "hourly", "daily");
  private static final Pattern CLOCK = Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d");
  private static final int MAX_ENTRIES = 200;

  private PreferenceDocument() {}

  /** Checks a whole document; every problem is listed. */
  public static ObjectNode validate(JsonNode doc) throws InvalidRequest {
    if (doc == null || !doc.isObject()) {
      throw new InvalidRequest(400, "preferences must be a JSON object", List.of());
    }
    List<InvalidRequest.FieldError> errors = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String name = f.getKey();
      JsonNode v = f.getValue();
      switch (name) {
        case "email", "push", "inApp" -> {
          if (!v.isBoolean()) {
            errors.add(new InvalidRequest.FieldError(name, "must be true or false"));
          }
        }
        case "channels", "types" -> switches(name, v, errors);
        case "quietHours" -> quietHours(v, errors);
        case "digest" -> digest(v, errors);
        case "locale" -> {
          if (!v.isNull() && (!v.isTextual() || dev.herald.templates.Locales.normalize(v.asText()) == null)) {
            errors.add(new InvalidRequest.FieldError("locale", "must be a locale tag such as de, de-AT or pt-BR"));
          }
        }
        default -> errors.add(new InvalidRequest.FieldError(name, "unknown field; known: " + String.join(", ",
            new java.util.TreeSet<>(FIELDS))));
      }
    }
    if (!errors.isEmpty()) {
      throw InvalidRequest.of(errors);
    }
    ObjectNode valid = (ObjectNode) doc.deepCopy();
    if (valid.path("locale").isTextual()) {
      valid.put("locale", dev.herald.templates.Locales.normalize(valid.get("locale").asText()));
    }
    return valid;
  }

  /** JSON merge patch (RFC 7396) of {@code patch} onto {@code stored}: null removes a field. */
  public static ObjectNode merge(ObjectNode stored, JsonNode patch) throws InvalidRequest {
    if (patch == null || !patch.isObject()) {
      throw new InvalidRequest(400, "preferences must be a JSON object", List.of());
    }
    ObjectNode out = stored == null ? JsonNodeFactory.instance.objectNode() : stored.deepCopy();
    mergeInto(out, (ObjectNode) patch);
    return validate(out);
  }

  private static void mergeInto(ObjectNode target, ObjectNode patch) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode v = f.getValue();
      if (v.isNull()) {
        target.remove(f.getKey());
      } else if (v.isObject() && target.get(f.getKey()) instanceof ObjectNode existing) {
        mergeInto(existing, (ObjectNode) v);
      } else {
        target.set(f.getKey(), v.deepCopy());
      }
    }
  }

  /** What a user sees: the stored document with the three global switches always present. */
  public static ObjectNode view(ObjectNode stored) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (String s : List.of("email", "push", "inApp")) {
      out.put(s, stored == null || !stored.has(s) || stored.get(s).asBoolean());
    }
    if (stored != null) {
      stored.fields().forEachRemaining(f -> {
        if (!SWITCHES.contains(f.getKey())) {
          out.set(f.getKey(), f.getValue());
        }
      });
    }
    return out;
  }

  private static void switches(String field, JsonNode v, List<InvalidRequest.FieldError> errors) {
    if (!v.isObject()) {
      errors.add(new InvalidRequest.FieldError(field, "must be an object of names to {email, push, inApp}"));
      return;
    }
    if (v.size() > MAX_ENTRIES) {
      errors.add(new InvalidRequest.FieldError(field, "has " + v.size() + " entries; at most " + MAX_ENTRIES));
      return;
    }
    v.fields().forEachRemaining(e -> {
      String where = field + "." + e.getKey();
      if (!Fields.isName(e.getKey())) {
        errors.add(new InvalidRequest.FieldError(where, "names are 1-100 letters, digits and _ . : -"));
      }
      if (!e.getValue().isObject()) {
        errors.add(new InvalidRequest.FieldError(where, "must be {email, push, inApp}"));
        return;
      }
      e.getValue().fields().forEachRemaining(s -> {
        if (!SWITCHES.contains(s.getKey())) {
          errors.add(new InvalidRequest.FieldError(where + "." + s.getKey(), "unknown; use email, push or inApp"));
        } else if (!s.getValue().isBoolean()) {
          errors.add(new InvalidRequest.FieldError(where + "." + s.getKey(), "must be true or false"));
        }
      });
    });
  }

  private static void quietHours(JsonNode v, List<InvalidRequest.FieldError> errors) {
    if (v.isNull()) {
      return;
    }
    if (!v.isObject()) {
      errors.add(new InvalidRequest.FieldError("quietHours", "must be {start, end, timezone} or null"));
      return;
    }
    for (String f : List.of("start", "end")) {
      JsonNode t = v.get(f);
      if (t == null || !t.isTextual() || !CLOCK.matcher(t.asText()).matches()) {
        errors.add(new InvalidRequest.FieldError("quietHours." + f, "must be a time of day as HH:mm, such as 22:00"));
      }
    }
    JsonNode tz = v.get("timezone");
    if (tz == null || !tz.isTextual()) {
      errors.add(new InvalidRequest.FieldError("quietHours.timezone", "must be an IANA time zone, such as Europe/Berlin"));
    } else {
      try {
        ZoneId.of(tz.asText());
      } catch (DateTimeException e) {
        errors.add(new InvalidRequest.FieldError("quietHours.timezone", "unknown time zone '" + tz.asText() + "'"));
      }
    }
    if (v.has("start") && v.has("end") && v.get("start").asText().equals(v.get("end").asText())) {
      errors.add(new InvalidRequest.FieldError("quietHours", "start and end must differ"));
    }
    v.fieldNames().forEachRemaining(f -> {
      if (!Set.of("start", "end", "timezone").contains(f)) {
        errors.add(new InvalidRequest.FieldError("quietHours." + f, "unknown field"));
      }
    });
  }

  private static void digest(JsonNode v, List<InvalidRequest.FieldError> errors) {
    if (!v.isObject()) {
      errors.add(new InvalidRequest.FieldError("digest", "must be an object of channel names to off, hourly or daily"));
      return;
    }
    v.fields().forEachRemaining(e -> {
      if (!Fields.isName(e.getKey())) {
        errors.add(new InvalidRequest.FieldError("digest." + e.getKey(), "names are 1-100 letters, digits and _ . : -"));
      }
      if (!e.getValue().isTextual() || !DIGESTS.contains(e.getValue().asText())) {
        errors.add(new InvalidRequest.FieldError("digest." + e.getKey(), "must be off, hourly or daily"));
      }
    });
  }
}
