package dev.herald.preferences;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What happens to one notification for one recipient on each delivery channel, and why: in-app is
 * sent live or suppressed (stored for history either way, never held); email and push, when the
 * notification asks for them, are sent, held until the recipient's quiet hours end, or suppressed.
 * Also the locale its templates render in, and where that locale came from.
 *
 * @param decisions per delivery channel ({@code inApp}, and {@code email}/{@code push} when asked for)
 * @param locale the locale tag, {@code ""} for the default
 * @param localeFrom {@code request}, {@code preferences}, {@code token}, {@code tenant} or {@code default}
 */
public record DeliveryPlan(Map<String, Decision> decisions, String locale, String localeFrom) {
  public static final String SEND = "send";
  public static final String HELD = "held";
  public static final String SUPPRESSED = "suppressed";

  /**
   * One channel's outcome: {@link #SEND}, {@link #HELD} or {@link #SUPPRESSED}; {@code rule} is the
   * preference rule that allowed or suppressed it ({@link Resolution#reasons}); {@code until} when
   * held, the end of the quiet hours.
   */
  public record Decision(String outcome, String rule, Instant until) {}

  /** How the operator marked a notification type ({@code HERALD_CRITICAL_TYPES}). */
  public record Criticality(boolean critical, Set<String> bypass) {
    public static final Criticality NONE = new Criticality(false, Set.of());
  }

  public DeliveryPlan {
    decisions = Map.copyOf(decisions);
  }

  /**
   * The plan for a recipient with preferences {@code user} under the tenant's {@code tenantDefaults}
   * (null for none), for a notification of {@code type} on {@code channel} going out at {@code at}
   * over in-app and {@code outbound}; {@code requestLocale} is the request's own (or null).
   */
  public static DeliveryPlan of(PreferenceCache.Stored user, JsonNode tenantDefaults, String type, String channel,
      boolean urgentPriority, Criticality criticality, Set<String> outbound, Instant at, String requestLocale) {
    JsonNode doc = user.document();
    boolean urgent = urgentPriority || criticality.critical();
    Resolution r = Resolution.of(doc, tenantDefaults, type, channel, urgent, criticality.bypass());
    Map<String, Decision> out = new LinkedHashMap<>();
    out.put("inApp", new Decision(r.allows("inApp") ? SEND : SUPPRESSED, r.reasons().get("inApp"), null));
    if (!outbound.isEmpty()) {
      QuietHours quiet = QuietHours.of(quietHours(doc, tenantDefaults));
      for (String kind : new String[] {"email", "push"}) {
        if (!outbound.contains(kind)) {
          continue;
        }
        String rule = r.reasons().get(kind);
        if (!r.allows(kind)) {
          out.put(kind, new Decision(SUPPRESSED, rule, null));
        } else if (quiet != null && quiet.contains(at) && !(urgent && criticality.bypass().contains(kind))) {
          out.put(kind, new Decision(HELD, rule, quiet.releaseAt(at)));
        } else {
          out.put(kind, new Decision(SEND, rule, null));
        }
      }
    }
    String locale;
    String from;
    if (requestLocale != null) {
      locale = requestLocale;
      from = "request";
    } else if (doc != null && doc.path("locale").isTextual()) {
      locale = doc.get("locale").asText();
      from = "preferences";
    } else if (user.tokenLocale() != null) {
      locale = user.tokenLocale();
      from = "token";
    } else if (tenantDefaults != null && tenantDefaults.path("locale").isTextual()) {
      locale = tenantDefaults.get("locale").asText();
      from = "tenant";
    } else {
      locale = "";
      from = "default";
    }
    return new DeliveryPlan(out, locale, from);
  }

  /** Whether the notification goes to the recipient's live sessions. */
  public boolean live() {
    return SEND.equals(decisions.get("inApp").outcome());
  }

  /**
   * The explanation stored with the notification:
   * {@code {inApp: {decision, rule}, email: {decision, rule, heldBy?, until?}, push: …, locale?, localeFrom}}
   * (no {@code locale} for the default one).
   */
  public ObjectNode explain() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    decisions.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      ObjectNode d = out.putObject(e.getKey()).put("decision", e.getValue().outcome()).put("rule", e.getValue().rule());
      if (e.getValue().until() != null) {
        d.put("heldBy", "quietHours").put("until", e.getValue().until().toString());
      }
    });
    if (!locale.isEmpty()) {
      out.put("locale", locale);
    }
    out.put("localeFrom", localeFrom);
    return out;
  }

  private static JsonNode quietHours(JsonNode user, JsonNode tenant) {
    if (user != null && user.has("quietHours")) {
      return user.get("quietHours");
    }
    return tenant == null ? null : tenant.get("quietHours");
  }
}
