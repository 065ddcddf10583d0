package dev.herald.preferences;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which delivery channels a notification may use for one user, and why: the most specific setting
 * wins, type > channel > the user's global switch > the tenant's default document (in the same
 * order) > the system default (on). An urgent notification, or one of a type the operator marks
 * critical, always reaches the in-app channel; it overrides email and push opt-outs only when its
 * type is also marked to do so.
 *
 * @param enabled per delivery channel ({@code email}, {@code push}, {@code inApp}) whether it may be used
 * @param reasons per delivery channel the rule that decided it, e.g. {@code type:order_status},
 *     {@code channel:orders}, {@code user}, {@code tenant:channel:orders}, {@code system}, {@code urgent}
 */
public record Resolution(Map<String, Boolean> enabled, Map<String, String> reasons) {
  private static final String[] KINDS = {"email", "push", "inApp"};

  public Resolution {
    enabled = Map.copyOf(enabled);
    reasons = Map.copyOf(reasons);
  }

  /**
   * Resolves {@code user}'s and {@code tenant}'s documents (either may be null) for a notification
   * of {@code type} on {@code channel}; {@code urgent} for priority urgent or a critical type, and
   * {@code bypass} the delivery channels beside in-app ({@code email}, {@code push}) whose opt-outs
   * that type may also override.
   */
  public static Resolution of(JsonNode user, JsonNode tenant, String type, String channel, boolean urgent,
      java.util.Set<String> bypass) {
    Map<String, Boolean> enabled = new LinkedHashMap<>();
    Map<String, String> reasons = new LinkedHashMap<>();
    for (String kind : KINDS) {
      if (urgent && (kind.equals("inApp") || bypass.contains(kind))) {
        enabled.put(kind, true);
        reasons.put(kind, "urgent");
        continue;
      }
      String[] rule = new String[1];
      Boolean decided = lookup(user, type, channel, kind, "", rule);
      if (decided == null) {
        decided = lookup(tenant, type, channel, kind, "tenant:", rule);
      }
      if (decided == null) {
        decided = true;
        rule[0] = "system";
      }
      enabled.put(kind, decided);
      reasons.put(kind, rule[0]);
    }
    return new Resolution(enabled, reasons);
  }

  public boolean allows(String kind) {
    return enabled.getOrDefault(kind, false);
  }

  private static Boolean lookup(JsonNode doc, String type, String channel, String kind, String prefix, String[] rule) {
    if (doc == null || !doc.isObject()) {
      return null;
    }
    JsonNode v = doc.path("types").path(type).get(kind);
    if (v != null && v.isBoolean()) {
      rule[0] = prefix + "type:" + type;
      return v.asBoolean();
    }
    v = doc.path("channels").path(channel).get(kind);
    if (v != null && v.isBoolean()) {
      rule[0] = prefix + "channel:" + channel;
      return v.asBoolean();
    }
    v = doc.get(kind);
    if (v != null && v.isBoolean()) {
      rule[0] = prefix.isEmpty() ? "user" : "tenant";
      return v.asBoolean();
    }
    return null;
  }
}
