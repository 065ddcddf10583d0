package dev.herald.preferences;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.types.TypeDefinition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What happens to one notification for one recipient on each channel of its route, and why:
 * in-app is sent live or suppressed (stored for history either way, never held); email and push
 * are sent, delayed (a type's {@code when: unread}), held until the recipient's quiet hours end, or
 * suppressed (an opt-out, or a type's {@code when: offline} while the recipient is online); webhook
 * goes to the tenant's endpoints, which the recipient's preferences do not govern. Also the locale
 * its templates render in, and where that locale came from. Pure: the caller says whether the
 * recipient is online and when it is.
 *
 * @param decisions per channel of the route ({@code inApp} always)
 * @param locale the locale tag, {@code ""} for the default
 * @param localeFrom {@code request}, {@code preferences}, {@code token}, {@code tenant} or {@code default}
 * @param channelsFrom where the route came from: {@code deliverVia}, {@code type}, {@code system} or {@code default}
 */
public record DeliveryPlan(Map<String, Decision> decisions, String locale, String localeFrom, String channelsFrom) {
  public static final String SEND = "send";
  public static final String HELD = "held";
  public static final String DELAYED = "delayed";
  public static final String SUPPRESSED = "suppressed";
  /** Email or push gathered into a digest (its job ends {@code skipped: digested}; the digest is sent). */
  public static final String DIGESTED = "digested";

  /**
   * One channel's outcome: {@link #SEND}, {@link #DELAYED}, {@link #HELD}, {@link #SUPPRESSED} or
   * {@link #DIGESTED};
   * {@code rule} is what decided it: the preference rule ({@link Resolution#reasons}) that allowed
   * or suppressed it, {@code type:online} (offline-only while online), {@code type:unread} (delayed),
   * {@code type:channels} or {@code deliverVia} (the route left in-app out or sent a webhook);
   * {@code until} when held or delayed, the time the job falls due; {@code timing} for email and
   * push, the type's {@code when} that applied (null for in-app and webhook); {@code digest} the
   * digest it joins when {@link #DIGESTED}, or the one it joins beyond its {@code throttle} (the
   * type's limit it counts against, null for none).
   */
  public record Decision(String outcome, String rule, Instant until, TypeDefinition.Timing timing, DigestRule digest,
      TypeDefinition.Throttle throttle) {
    public Decision(String outcome, String rule, Instant until, TypeDefinition.Timing timing) {
      this(outcome, rule, until, timing, null, null);
    }

    public Decision(String outcome, String rule, Instant until) {
      this(outcome, rule, until, null);
    }

    /** This decision turned into {@link #DIGESTED} into {@code digest}. */
    public Decision digested(DigestRule digest) {
      return new Decision(DIGESTED, digest.rule(), null, timing, digest, throttle);
    }

    /**
     * This decision counted against {@code throttle}: it stands while the throttle lets it through;
     * beyond, it goes to {@code overflow} (null: it is skipped).
     */
    public Decision throttled(TypeDefinition.Throttle throttle, DigestRule overflow) {
      return new Decision(outcome, rule, until, timing, overflow, throttle);
    }

    /** Whether the job runs only if the notification is still unread when it falls due. */
    public boolean unreadOnly() {
      return timing != null && "unread".equals(timing.when());
    }
  }

  /**
   * This plan with {@code channel} suppressed by {@code rule}: nothing on this node can send it
   * (Web Push before its sender exists), so no job is made that could only end skipped.
   */
  public DeliveryPlan suppressed(String channel, String rule) {
    Decision was = decisions.get(channel);
    if (was == null || SUPPRESSED.equals(was.outcome())) {
      return this;
    }
    Map<String, Decision> changed = new java.util.HashMap<>(decisions);
    changed.put(channel, new Decision(SUPPRESSED, rule, null, was.timing()));
    return new DeliveryPlan(changed, locale, localeFrom, channelsFrom);
  }

  /** This plan with {@code channel}'s decision replaced by {@code decision}. */
  public DeliveryPlan with(String channel, Decision decision) {
    Map<String, Decision> changed = new java.util.HashMap<>(decisions);
    changed.put(channel, decision);
    return new DeliveryPlan(changed, locale, localeFrom, channelsFrom);
  }

  /** How the operator marked a notification type ({@code HERALD_CRITICAL_TYPES}). */
  public record Criticality(boolean critical, Set<String> bypass) {
    public static final Criticality NONE = new Criticality(false, Set.of());
  }

  /**
   * The channels of a notification and when email and push go: from a create's {@code deliverVia}
   * (in-app always among them: the first wave's {@code deliverVia} names the channels beside it),
   * else from its type's definition.
   *
   * @param channels a subset of {@link TypeDefinition#CHANNELS}
   * @param from {@code deliverVia}, {@code type}, {@code system} or {@code default}
   * @param type whose {@code when} rules apply to email and push
   */
  public record Route(List<String> channels, String from, TypeDefinition type) {
    public Route {
      channels = List.copyOf(channels);
    }

    /** The first wave's {@code deliverVia}: in-app and {@code outbound}, sent whenever preferences allow. */
    public static Route deliverVia(Set<String> outbound) {
      List<String> channels = new ArrayList<>();
      channels.add("inApp");
      for (String c : TypeDefinition.CHANNELS) {
        if (!c.equals("inApp") && outbound.contains(c)) {
          channels.add(c);
        }
      }
      return new Route(channels, "deliverVia", new TypeDefinition(channels, null, null, null, null, false));
    }
  }

  public DeliveryPlan {
    decisions = Map.copyOf(decisions);
  }

  /** {@link #of(PreferenceCache.Stored, JsonNode, String, String, boolean, Criticality, Route, boolean, Instant, String)} for a {@code deliverVia} of {@code outbound}. */
  public static DeliveryPlan of(PreferenceCache.Stored user, JsonNode tenantDefaults, String type, String channel,
      boolean urgentPriority, Criticality criticality, Set<String> outbound, Instant at, String requestLocale) {
    return of(user, tenantDefaults, type, channel, urgentPriority, criticality, Route.deliverVia(outbound), false, at,
        requestLocale);
  }

  /**
   * The plan for a recipient with preferences {@code user} under the tenant's {@code tenantDefaults}
   * (null for none), for a notification of {@code type} on {@code channel} going out at {@code at}
   * over {@code route}; {@code online} whether the recipient has a live session now;
   * {@code requestLocale} is the request's own (or null).
   */
  public static DeliveryPlan of(PreferenceCache.Stored user, JsonNode tenantDefaults, String type, String channel,
      boolean urgentPriority, Criticality criticality, Route route, boolean online, Instant at, String requestLocale) {
    JsonNode doc = user.document();
    boolean urgent = urgentPriority || criticality.critical();
    Resolution r = Resolution.of(doc, tenantDefaults, type, channel, urgent, criticality.bypass());
    String routeRule = route.from().equals("deliverVia") ? "deliverVia" : "type:channels";
    Map<String, Decision> out = new LinkedHashMap<>();
    out.put("inApp", !route.channels().contains("inApp") ? new Decision(SUPPRESSED, routeRule, null)
        : new Decision(r.allows("inApp") ? SEND : SUPPRESSED, r.reasons().get("inApp"), null));
    QuietHours quiet = route.channels().size() > 1 ? QuietHours.of(quietHours(doc, tenantDefaults)) : null;
    for (String kind : route.channels()) {
      if (kind.equals("email") || kind.equals("push")) {
        boolean bypass = urgent && criticality.bypass().contains(kind);
        out.put(kind, outbound(kind, r, route.type().timing(kind), online, quiet, bypass, at));
      } else if (kind.equals("webhook")) {
        // the tenant's integrations, not the recipient's channel: preferences do not govern it
        out.put(kind, new Decision(SEND, routeRule, null));
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
    return new DeliveryPlan(out, locale, from, route.from());
  }

  /**
   * Email or push: the preferences first (an opt-out suppresses), then the type's {@code when}
   * (contract: "offline (the recipient has no live session when the notification is created)",
   * "unread (at after, the notification is still unread)"), then quiet hours at the time it would
   * go, unless {@code bypass} (a critical type overrides them).
   */
  private static Decision outbound(String kind, Resolution r, TypeDefinition.Timing timing, boolean online,
      QuietHours quiet, boolean bypass, Instant at) {
    String rule = r.reasons().get(kind);
    if (!r.allows(kind)) {
      return new Decision(SUPPRESSED, rule, null, timing);
    }
    if (timing.when().equals("offline") && online) {
      return new Decision(SUPPRESSED, "type:online", null, timing);
    }
    boolean delayed = timing.when().equals("unread");
    Instant due = delayed ? at.plus(timing.after()) : at;
    if (quiet != null && quiet.contains(due) && !bypass) {
      return new Decision(HELD, rule, quiet.releaseAt(due), timing);
    }
    return delayed ? new Decision(DELAYED, "type:unread", due, timing) : new Decision(SEND, rule, null, timing);
  }

  /** Whether the notification goes to the recipient's live sessions. */
  public boolean live() {
    return SEND.equals(decisions.get("inApp").outcome());
  }

  /**
   * The explanation stored with the notification:
   * {@code {inApp: {decision, rule}, email: {decision, rule, when, after?, heldBy?, until?}, push: …,
   * webhook: {decision, rule}, locale?, localeFrom, channelsFrom}}
   * (no {@code locale} for the default one).
   */
  public ObjectNode explain() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    decisions.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      Decision decision = e.getValue();
      ObjectNode d = out.putObject(e.getKey()).put("decision", decision.outcome()).put("rule", decision.rule());
      if (decision.timing() != null) {
        d.put("when", decision.timing().when());
        if (decision.timing().after() != null) {
          d.put("after", decision.timing().after().toString());
        }
      }
      if (decision.outcome().equals(HELD)) {
        d.put("heldBy", "quietHours").put("until", decision.until().toString());
      } else if (decision.outcome().equals(DELAYED)) {
        d.put("until", decision.until().toString());
      }
      if (decision.throttle() != null) {
        // what happens beyond the limit; the create's reservation adds the result
        d.putObject("throttle").put("max", decision.throttle().max()).put("per", decision.throttle().per().toString())
            .put("beyond", decision.digest() == null ? "skipped" : "digested");
      }
      if (decision.outcome().equals(DIGESTED)) {
        d.putObject("digest").put("key", decision.digest().key()).put("rule", decision.digest().rule())
            .put("dueAt", decision.digest().dueAt().toString()).put("maxItems", decision.digest().maxItems());
      }
    });
    if (!locale.isEmpty()) {
      out.put("locale", locale);
    }
    out.put("localeFrom", localeFrom);
    out.put("channelsFrom", channelsFrom);
    return out;
  }

  /** The recipient's quiet hours: theirs, else the tenant's default; null when neither has any. */
  public static QuietHours quietHoursOf(JsonNode user, JsonNode tenant) {
    return QuietHours.of(quietHours(user, tenant));
  }

  private static JsonNode quietHours(JsonNode user, JsonNode tenant) {
    if (user != null && user.has("quietHours")) {
      return user.get("quietHours");
    }
    return tenant == null ? null : tenant.get("quietHours");
  }
}
