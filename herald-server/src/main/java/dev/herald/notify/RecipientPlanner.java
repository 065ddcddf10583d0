package dev.herald.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.bus.Online;
import dev.herald.config.HeraldConfig;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.preferences.DeliveryPlan;
import dev.herald.preferences.DigestRule;
import dev.herald.preferences.QuietHours;
import dev.herald.preferences.PreferenceCache;
import dev.herald.store.Uuids;
import dev.herald.templates.Renderer;
import dev.herald.templates.TemplateContent;
import dev.herald.templates.TemplateSet;
import dev.herald.templates.Templates;
import dev.herald.types.NotificationTypes;
import dev.herald.types.TypeDefinition;
import dev.herald.validation.InvalidRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The plan of one create, per recipient: its channels (the request's {@code deliverVia}, else its
 * type's), preferences resolved per channel (in-app off: stored, not pushed; email and push held
 * through quiet hours), the type's {@code when} for email and push, the locale, the texts
 * (rendered from the template in that locale when the request names one), the explanation of every
 * decision, and the email, push and webhook jobs to queue in the same commit. No I/O: time from
 * the {@link Clock}, whether a recipient is online from the gateway's memory ({@link Online}).
 */
final class RecipientPlanner {
  /** The event a {@code webhook} channel sends (contract part 2, "Webhooks"). */
  static final String CREATED_EVENT = "notification.created";
  private static final Set<String> BOTH = Set.of("email", "push");
  private static final List<String> BOTH_ORDERED = List.of("email", "push");
  private static final List<String> OUTBOUND = List.of("email", "push", "webhook");
  private final HeraldConfig.Notify config;
  private final Clock clock;
  private final Online online;
  private final Set<String> senders;

  RecipientPlanner(HeraldConfig.Notify config, Clock clock, Online online) {
    this(config, clock, online, Set.of("email", "push", "webhook"));
  }

  /** {@code senders}: the delivery channels this node has a sender for; the others make no job. */
  RecipientPlanner(HeraldConfig.Notify config, Clock clock, Online online, Set<String> senders) {
    this.config = config;
    this.clock = clock;
    this.online = online;
    this.senders = Set.copyOf(senders);
  }

  /**
   * Each recipient's plan: preferences resolved per delivery channel (in-app off: stored, not
   * pushed; email and push held through quiet hours), the locale, and the texts, rendered from the
   * template in that locale when the request names one; {@code type} is the definition of the
   * request's type in effect. Fails with 422 when it names a template that does not exist, or one
   * without a text for a recipient's locale and no literal title.
   */
  Map<String, RecipientPlan> plan(NotificationRequest r, TemplateSet templateSet,
      PreferenceCache.Loaded loaded, NotificationTypes.Effective type) throws InvalidRequest {
    if (templateSet != null && templateSet.isEmpty()) {
      throw new InvalidRequest(422, "there is no template named '" + r.template() + "' in tenant " + r.tenant()
          + " or system-wide", List.of(new InvalidRequest.FieldError("template", "no such template")));
    }
    Instant at = r.isScheduled() ? r.scheduledAt().toInstant() : clock.instant();
    var criticality = criticality(r.type(), type.definition());
    DeliveryPlan.Route route = route(r, type);
    boolean askOnline = route.channels().stream().anyMatch(c -> BOTH.contains(c)
        && route.type().timing(c).when().equals("offline"));
    boolean urgent = "urgent".equals(r.priority());
    Map<String, Object> variables = templateSet == null ? null : Templates.variables(r.dataJson());
    Map<UUID, TemplateContent.Rendered> rendered = new HashMap<>();
    Map<String, RecipientPlan> plans = new HashMap<>(r.recipients().size() * 2);
    for (String to : r.recipients()) {
      DeliveryPlan plan = DeliveryPlan.of(loaded.of(to), loaded.tenantDefaults(), r.type(), r.channel(),
          urgent, criticality, route, askOnline && online.hasSession(r.tenant(), to), at, r.locale());
      if (route.from().equals("default")) {
        for (String channel : OUTBOUND) {
          if (!senders.contains(channel)) {
            // seed 000's "push always" for a type nobody defined makes no job that could only end
            // skipped (Web Push has no sender before issue 13); a type or deliverVia that names push
            // still gets its job, skipped where an operator sees it
            plan = plan.suppressed(channel, "no-sender:" + channel);
          }
        }
      }
      PreferenceCache.Stored stored = loaded.of(to);
      plan = batched(plan, r, route.type(), stored, loaded.tenantDefaults(), at, urgent || criticality.critical());
      ObjectNode explain = plan.explain();
      Texts texts = templateSet == null ? new Texts(r.title(), r.message())
          : render(r, templateSet, plan.locale(), to, variables, rendered, explain);
      QuietHours quiet = DeliveryPlan.quietHoursOf(stored.document(), loaded.tenantDefaults());
      plans.put(to, new RecipientPlan(plan.live(), texts.title(), texts.message() == null ? "" : texts.message(),
          explain, jobs(plan, at, !route.from().equals("default"), quiet)));
    }
    return plans;
  }

  /**
   * Digests and throttling (contract part 2, "Notification types"), in front of the engine: email
   * and push that would go go to the recipient's preference digest for the notification channel
   * ({@code hourly}/{@code daily}), else count against the type's throttle (beyond it: the type's
   * digest, or skipped), else to the type's digest. In-app is never delayed; an urgent or critical
   * notification and a scheduled one go as they are (a scheduled one's digest window would open
   * before it exists).
   */
  private static DeliveryPlan batched(DeliveryPlan plan, NotificationRequest r, TypeDefinition type,
      PreferenceCache.Stored user, JsonNode tenant, Instant at, boolean urgent) {
    if (urgent || r.isScheduled()) {
      return plan;
    }
    for (String kind : BOTH_ORDERED) {
      DeliveryPlan.Decision d = plan.decisions().get(kind);
      if (d == null || d.outcome().equals(DeliveryPlan.SUPPRESSED)) {
        continue;
      }
      // an item of a `when: unread` type is not in a digest before its `after`
      Instant from = d.outcome().equals(DeliveryPlan.DELAYED) ? d.until() : at;
      DigestRule preferred = DigestRule.preference(user.document(), tenant, r.type(), r.channel(),
          DigestRule.zone(user.document(), user.timeZone(), tenant), from);
      DigestRule typed = DigestRule.ofType(r.type(), type, from);
      if (preferred != null) {
        plan = plan.with(kind, d.digested(preferred));
      } else if (type.throttle() != null) {
        plan = plan.with(kind, d.throttled(type.throttle(), typed));
      } else if (typed != null) {
        plan = plan.with(kind, d.digested(typed));
      }
    }
    return plan;
  }

  /** A notification's title and message for one recipient. */
  private record Texts(String title, String message) {}

  /**
   * The in-app texts from the template for {@code locale} (rendered once per template and request,
   * in {@code rendered}), noted in {@code explain}; the request's own when no template fits and it
   * has a title. 422 when none fits and it has none, when the render fails, or when it renders a
   * blank or oversized title or an oversized message.
   */
  private static Texts render(NotificationRequest r, TemplateSet templateSet, String locale, String recipient,
      Map<String, Object> variables, Map<UUID, TemplateContent.Rendered> rendered, ObjectNode explain)
      throws InvalidRequest {
    var template = templateSet.pick("inApp", locale);
    if (template == null) {
      if (r.title() == null) {
        throw new InvalidRequest(422, "template '" + r.template() + "' has no in-app text for locale '" + locale
            + "' (nor a default one) and the request has no title to fall back on",
            List.of(new InvalidRequest.FieldError("template", "no in-app template for recipient " + recipient)));
      }
      return new Texts(r.title(), r.message());
    }
    String which = "template '" + r.template() + "' (" + template.id() + ")";
    TemplateContent.Rendered out;
    try {
      out = rendered.computeIfAbsent(template.id(), id -> template.content().render(variables));
    } catch (Renderer.Failure e) {
      throw new InvalidRequest(422, which + ": " + e.getMessage(), List.of(new InvalidRequest.FieldError("data",
          e.getMessage())));
    }
    String problem = out.title().isBlank() ? "a blank title"
        : out.title().length() > NotificationRequest.MAX_TITLE
            ? "a title of " + out.title().length() + " characters (at most " + NotificationRequest.MAX_TITLE + ")"
        : out.message().length() > NotificationRequest.MAX_MESSAGE
            ? "a message of " + out.message().length() + " characters (at most " + NotificationRequest.MAX_MESSAGE + ")"
        : null;
    if (problem != null) {
      throw new InvalidRequest(422, which + " renders " + problem + " with this data"
          + (out.missing().isEmpty() ? "" : "; missing: " + String.join(", ", out.missing())),
          List.of(new InvalidRequest.FieldError("data", "does not fill the template")));
    }
    // only what is not the default: the explanation is stored with every row
    ObjectNode used = explain.putObject("template").put("id", template.id().toString()).put("version", template.version());
    if (!template.locale().isEmpty()) {
      used.put("locale", template.locale());
    }
    if (template.tenant().isEmpty()) {
      used.put("systemDefault", true);
    }
    if (!out.missing().isEmpty()) {
      used.set("missing", explain.arrayNode().addAll(out.missing().stream().map(explain::textNode).toList()));
    }
    return new Texts(out.title(), out.message());
  }

  /**
   * The channels: the request's {@code deliverVia} when it names any (contract: "replaces the type's
   * channel list for that notification"), else the type's; email and push go as the type says.
   */
  private static DeliveryPlan.Route route(NotificationRequest r, NotificationTypes.Effective type) {
    if (r.deliverVia() != null) {
      List<String> channels = TypeDefinition.CHANNELS.stream().filter(r.deliverVia()::contains).toList();
      // a deliverVia naming email on a type nobody defined sends it (the first wave's meaning), not
      // "email when offline": seed 000's default is for creates that name no channels; a defined
      // type keeps its timing (when, after) under a deliverVia
      TypeDefinition timing = type.source().equals("default")
          ? new TypeDefinition(channels, null, null, null, null, false) : type.definition();
      return new DeliveryPlan.Route(channels, "deliverVia", timing);
    }
    String from = switch (type.source()) {
      case "tenant" -> "type";
      default -> type.source();
    };
    return new DeliveryPlan.Route(type.definition().channels(), from, type.definition());
  }

  /**
   * The jobs of {@code plan}: email and push pending from {@code at}, delayed to when a
   * {@code when: unread} type says (with the {@code unread} condition), or held until the quiet
   * hours end; one webhook job, which the insert expands per subscribed endpoint.
   */
  private static List<RecipientPlan.Job> jobs(DeliveryPlan plan, Instant at, boolean recordUnreached,
      QuietHours quiet) {
    List<RecipientPlan.Job> jobs = new ArrayList<>(3);
    for (var e : plan.decisions().entrySet()) {
      DeliveryPlan.Decision d = e.getValue();
      if (e.getKey().equals("inApp") || d.outcome().equals(DeliveryPlan.SUPPRESSED)) {
        continue;
      }
      String condition = d.unreadOnly() ? "unread" : null;
      boolean webhook = e.getKey().equals("webhook");
      RecipientPlan.Digest digest = d.digest() == null ? null : digest(d.digest(), quiet);
      RecipientPlan.Job job = switch (d.outcome()) {
        case DeliveryPlan.DIGESTED -> new RecipientPlan.Job(Uuids.v7(), e.getKey(), "skipped", at, plan.locale(),
            null, null, recordUnreached, "digested", digest, null);
        case DeliveryPlan.HELD -> new RecipientPlan.Job(Uuids.v7(), e.getKey(), "held", d.until(), plan.locale(),
            condition, null, recordUnreached, null, digest, d.throttle());
        case DeliveryPlan.DELAYED -> new RecipientPlan.Job(Uuids.v7(), e.getKey(), "pending", d.until(),
            plan.locale(), condition, null, recordUnreached, null, digest, d.throttle());
        default -> new RecipientPlan.Job(webhook ? null : Uuids.v7(), e.getKey(), "pending", at, plan.locale(),
            condition, webhook ? CREATED_EVENT : null, recordUnreached, null, digest, d.throttle());
      };
      jobs.add(job);
    }
    return jobs;
  }

  /** The send job of a digest {@code rule} would open: due then, or held until the recipient's quiet hours end. */
  private static RecipientPlan.Digest digest(DigestRule rule, QuietHours quiet) {
    // contract: "Quiet hours hold a digest like any message"
    return quiet != null && quiet.contains(rule.dueAt())
        ? new RecipientPlan.Digest(rule, "held", quiet.releaseAt(rule.dueAt()))
        : new RecipientPlan.Digest(rule, "pending", rule.dueAt());
  }

  /** {@code HERALD_CRITICAL_TYPES}, and a type defined {@code critical}: that bypasses for email and push. */
  private DeliveryPlan.Criticality criticality(String type, TypeDefinition definition) {
    Set<String> bypass = config.criticalTypes().get(type);
    if (definition.critical()) {
      return new DeliveryPlan.Criticality(true, BOTH);
    }
    return bypass == null ? DeliveryPlan.Criticality.NONE
        : new DeliveryPlan.Criticality(true, bypass);
  }
}
