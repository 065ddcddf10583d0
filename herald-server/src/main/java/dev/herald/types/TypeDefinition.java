package dev.herald.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.validation.InvalidRequest;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What one notification type does beyond in-app (contract part 2):
 * <pre>{@code
 * { "channels": ["inApp", "push", "email", "webhook"],
 *   "push":  { "when": "always" },
 *   "email": { "when": "unread", "after": "PT15M" },
 *   "digest": { "window": "PT1H", "maxItems": 50 },
 *   "throttle": { "max": 10, "per": "PT1H" },
 *   "critical": false }
 * }</pre>
 *
 * @param channels the channels, in the order given: a non-empty subset of {@link #CHANNELS}
 * @param push when push goes, or null for {@code always}
 * @param email when email goes, or null for {@code always}
 * @param digest email and push gathered into one message per window, or null
 * @param throttle a limit of email/push messages per recipient and window, or null
 * @param critical overrides opt-outs and quiet hours for email and push, like {@code HERALD_CRITICAL_TYPES}
 */
public record TypeDefinition(List<String> channels, Timing push, Timing email, Digest digest, Throttle throttle,
    boolean critical) {
  /** The channels a type may name. */
  public static final List<String> CHANNELS = List.of("inApp", "push", "email", "webhook");
  /** The longest {@code after} and digest {@code window}. */
  static final Duration MAX_DELAY = Duration.ofDays(7);
  /** The longest throttle period. */
  static final Duration MAX_PERIOD = Duration.ofDays(31);
  private static final Set<String> FIELDS = Set.of("channels", "push", "email", "digest", "throttle", "critical");

  /**
   * Seed 000's rule for a type nobody defined: "inApp always, push always, email only when the
   * recipient has no live session"; no webhook.
   */
  public static final TypeDefinition DEFAULT = new TypeDefinition(List.of("inApp", "push", "email"),
      Timing.ALWAYS, Timing.OFFLINE, null, null, false);

  /**
   * When email or push goes: {@code always}; {@code offline} (the recipient has no live session at
   * create); {@code unread} (still unread {@code after} the notification: otherwise skipped as read).
   */
  public record Timing(String when, Duration after) {
    public static final Timing ALWAYS = new Timing("always", null);
    public static final Timing OFFLINE = new Timing("offline", null);
    static final Set<String> WHEN = Set.of("always", "offline", "unread");

    ObjectNode toJson() {
      ObjectNode out = JsonNodeFactory.instance.objectNode().put("when", when);
      if (after != null) {
        out.put("after", after.toString());
      }
      return out;
    }
  }

  /** Email and push of the type gathered for {@code window} from the first, at most {@code maxItems} listed. */
  public record Digest(Duration window, int maxItems) {}

  /**
   * At most {@code max} email/push messages per recipient and delivery channel within {@code per}
   * (a window opened by the first); the rest go to the type's digest, or end {@code skipped: throttled}.
   */
  public record Throttle(int max, Duration per) {}

  public TypeDefinition {
    channels = List.copyOf(channels);
  }

  /** When {@code kind} ({@code email} or {@code push}) goes: as defined, else {@code always}. */
  public Timing timing(String kind) {
    Timing t = switch (kind) {
      case "email" -> email;
      case "push" -> push;
      default -> null;
    };
    return t == null ? Timing.ALWAYS : t;
  }

  /** The definition as the API shows and the database stores it. */
  public ObjectNode toJson() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.putArray("channels").addAll(channels.stream().map(JsonNodeFactory.instance::textNode).toList());
    if (push != null) {
      out.set("push", push.toJson());
    }
    if (email != null) {
      out.set("email", email.toJson());
    }
    if (digest != null) {
      out.putObject("digest").put("window", digest.window().toString()).put("maxItems", digest.maxItems());
    }
    if (throttle != null) {
      out.putObject("throttle").put("max", throttle.max()).put("per", throttle.per().toString());
    }
    return out.put("critical", critical);
  }

  /**
   * Validates a definition sent to {@code PUT /api/types/{type}} (or read back from storage): 400
   * when it is not an object, 422 naming every bad or unknown field.
   */
  public static TypeDefinition parse(JsonNode body) throws InvalidRequest {
    if (body == null || !body.isObject()) {
      throw new InvalidRequest(400, "the body must be a JSON object", List.of());
    }
    List<InvalidRequest.FieldError> errors = new ArrayList<>();
    unknown(body, FIELDS, "", errors);
    List<String> channels = channels(body.get("channels"), errors);
    Timing push = timing(body.get("push"), "push", errors);
    Timing email = timing(body.get("email"), "email", errors);
    Digest digest = digest(body.get("digest"), errors);
    Throttle throttle = throttle(body.get("throttle"), errors);
    boolean critical = false;
    JsonNode c = body.get("critical");
    if (c != null && !c.isNull()) {
      if (c.isBoolean()) {
        critical = c.asBoolean();
      } else {
        errors.add(new InvalidRequest.FieldError("critical", "must be true or false"));
      }
    }
    if (!errors.isEmpty()) {
      InvalidRequest summary = InvalidRequest.of(errors);
      throw new InvalidRequest(422, summary.getMessage(), errors);
    }
    return new TypeDefinition(channels, push, email, digest, throttle, critical);
  }

  private static List<String> channels(JsonNode node, List<InvalidRequest.FieldError> errors) {
    List<String> out = new ArrayList<>();
    if (node == null || !node.isArray() || node.isEmpty()) {
      errors.add(new InvalidRequest.FieldError("channels", "is required: a non-empty array of inApp, push, email, webhook"));
      return out;
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode c = node.get(i);
      if (!c.isTextual() || !CHANNELS.contains(c.asText())) {
        errors.add(new InvalidRequest.FieldError("channels[" + i + "]", "must be inApp, push, email or webhook"));
      } else if (out.contains(c.asText())) {
        errors.add(new InvalidRequest.FieldError("channels[" + i + "]", "names " + c.asText() + " twice"));
      } else {
        out.add(c.asText());
      }
    }
    return out;
  }

  private static Timing timing(JsonNode node, String field, List<InvalidRequest.FieldError> errors) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      errors.add(new InvalidRequest.FieldError(field, "must be {when: always|offline|unread, after?}"));
      return null;
    }
    unknown(node, Set.of("when", "after"), field + ".", errors);
    JsonNode w = node.get("when");
    if (w == null || !w.isTextual() || !Timing.WHEN.contains(w.asText())) {
      errors.add(new InvalidRequest.FieldError(field + ".when", "must be always, offline or unread"));
      return null;
    }
    JsonNode a = node.get("after");
    boolean given = a != null && !a.isNull();
    if (!w.asText().equals("unread")) {
      if (given) {
        errors.add(new InvalidRequest.FieldError(field + ".after", "is only for when: unread"));
      }
      return new Timing(w.asText(), null);
    }
    if (!given) {
      errors.add(new InvalidRequest.FieldError(field + ".after", "is required with when: unread (an ISO-8601 duration such as PT15M)"));
      return null;
    }
    Duration after = duration(a, field + ".after", Duration.ZERO, MAX_DELAY, errors);
    return after == null ? null : new Timing("unread", after);
  }

  private static Digest digest(JsonNode node, List<InvalidRequest.FieldError> errors) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      errors.add(new InvalidRequest.FieldError("digest", "must be {window, maxItems}"));
      return null;
    }
    unknown(node, Set.of("window", "maxItems"), "digest.", errors);
    Duration window = duration(node.get("window"), "digest.window", Duration.ofMinutes(1).minusNanos(1), MAX_DELAY,
        errors);
    Integer maxItems = integer(node.get("maxItems"), "digest.maxItems", 1, 500, errors);
    return window == null || maxItems == null ? null : new Digest(window, maxItems);
  }

  private static Throttle throttle(JsonNode node, List<InvalidRequest.FieldError> errors) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      errors.add(new InvalidRequest.FieldError("throttle", "must be {max, per}"));
      return null;
    }
    unknown(node, Set.of("max", "per"), "throttle.", errors);
    Integer max = integer(node.get("max"), "throttle.max", 1, 1_000_000, errors);
    Duration per = duration(node.get("per"), "throttle.per", Duration.ZERO, MAX_PERIOD, errors);
    return max == null || per == null ? null : new Throttle(max, per);
  }

  /** An ISO-8601 duration above {@code above} and at most {@code max}, or null after noting the error. */
  private static Duration duration(JsonNode node, String field, Duration above, Duration max,
      List<InvalidRequest.FieldError> errors) {
    String range = "an ISO-8601 duration such as PT15M, " + (above.isZero() ? "above zero" : "at least PT1M")
        + " and at most " + max;
    if (node == null || !node.isTextual()) {
      errors.add(new InvalidRequest.FieldError(field, "must be " + range));
      return null;
    }
    try {
      Duration d = Duration.parse(node.asText());
      if (d.compareTo(above) > 0 && d.compareTo(max) <= 0) {
        return d;
      }
    } catch (DateTimeParseException e) {
      // reported below, with the range
    }
    errors.add(new InvalidRequest.FieldError(field, "must be " + range + ", was " + node.asText()));
    return null;
  }

  private static Integer integer(JsonNode node, String field, int min, int max, List<InvalidRequest.FieldError> errors) {
    if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
      errors.add(new InvalidRequest.FieldError(field, "must be a whole number from " + min + " to " + max));
      return null;
    }
    return node.asInt();
  }

  private static void unknown(JsonNode node, Set<String> known, String prefix, List<InvalidRequest.FieldError> errors) {
    int listed = 0;
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f) && listed++ < 10) {
        errors.add(new InvalidRequest.FieldError(prefix + f, "unknown field"));
      }
    }
  }
}
