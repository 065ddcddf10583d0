package dev.herald.notify;

import dev.herald.store.Uuids;

import dev.herald.validation.InvalidRequest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.Identity;
import dev.herald.config.HeraldConfig;
import dev.herald.gateway.Gateway;
import dev.herald.gateway.Inbox;
import dev.herald.ops.HeraldMetrics;
import dev.herald.preferences.DeliveryPlan;
import dev.herald.preferences.PreferenceCache;
import dev.herald.preferences.Preferences;
import dev.herald.templates.Renderer;
import dev.herald.templates.TemplateContent;
import dev.herald.templates.TemplateSet;
import dev.herald.templates.Templates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable notifications end to end: creates them (idempotently) in PostgreSQL, publishes each to
 * its recipient's room after the commit, re-sends the ones that require an ack until acked, releases
 * scheduled ones when due, replays what a client missed, and carries read state to every device of
 * the user ({@code notification:read}, {@code notification:all-read}).
 *
 * <p>Nothing here depends on the bus for durability: a notification is committed before it is
 * published, and a client that was away gets it from PostgreSQL ({@link #missed}).
 *
 * <p>Threads: every method may be called from any event loop; database work is asynchronous.
 */
public final class Notifications implements Inbox {
  private static final Logger LOG = LoggerFactory.getLogger(Notifications.class);
  private static final int RELEASE_BATCH = 500;
  private static final int MAX_REPLAY = 1000;
  private static final int MAX_TRACKED_ACKS = 200_000;

  private final Vertx vertx;
  private final Gateway gateway;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Notify config;
  private final NotificationStore store;
  private final IdempotencyKeys keys;
  private final CreateBatcher batcher;
  private final Preferences preferences;
  private final Templates templates;
  private final Clock clock;
  private volatile boolean releasingHeld;
  private final Map<UUID, AwaitingAck> awaitingAck = new ConcurrentHashMap<>();
  private long schedulerTimer = -1;
  private volatile boolean releasing;
  private volatile boolean closed;
  private long lastExpiry;

  /** A published notification that requires an ack and has not had one yet. */
  private static final class AwaitingAck {
    final Notification notification;
    final String json;
    int resends;
    long timer;

    AwaitingAck(Notification notification, String json) {
      this.notification = notification;
      this.json = json;
    }
  }

  /** The answer to a create: the HTTP status and body, and whether it repeats an earlier answer. */
  public record Created(int status, String body, boolean replayed) {}

  public Notifications(Vertx vertx, Pool pool, Gateway gateway, HeraldMetrics metrics, HeraldConfig.Notify config) {
    this(vertx, pool, gateway, metrics, config, Clock.systemUTC());
  }

  /**
   * With {@code clock} deciding quiet hours and when held email and push jobs are released (a
   * test moves it; database timestamps still come from PostgreSQL).
   */
  public Notifications(Vertx vertx, Pool pool, Gateway gateway, HeraldMetrics metrics, HeraldConfig.Notify config,
      Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
    this.templates = new Templates(pool);
    this.gateway = gateway;
    this.metrics = metrics;
    this.config = config;
    this.store = new NotificationStore(pool);
    this.keys = new IdempotencyKeys(pool);
    // few statements at a time: what arrives meanwhile waits and shares the next commit
    this.preferences = new Preferences(pool);
    gateway.onRegistered(preferences::rememberTokenLocale);
    this.batcher = new CreateBatcher(store, Math.max(1, config.databasePoolSize() / 4));
    metrics.gauge("herald_notifications_awaiting_ack", "Published notifications waiting for their ack on this node",
        awaitingAck::size);
  }

  /**
   * Starts releasing scheduled notifications and held email and push jobs (at once for those that
   * fell due while Herald was down).
   */
  public void start() {
    schedulerTimer = vertx.setPeriodic(0, config.schedulerPoll().toMillis(), t -> {
      releaseDue();
      releaseHeld();
    });
  }

  public void close() {
    closed = true;
    if (schedulerTimer >= 0) {
      vertx.cancelTimer(schedulerTimer);
    }
    awaitingAck.values().forEach(a -> vertx.cancelTimer(a.timer));
    awaitingAck.clear();
  }

  /**
   * Creates {@code request}; with an idempotency key, a repeat returns the first answer. Fails with
   * {@link InvalidRequest} (409, 422) for key conflicts and with the database's error otherwise.
   */
  public Future<Created> create(NotificationRequest request, String idempotencyKey, byte[] bodyHash) {
    Predicate<String> connected = recipient -> gateway.hasMembers(request.tenant(), "user:" + recipient);
    Future<TemplateSet> set = request.template() == null ? Future.succeededFuture(null)
        : templates.set(request.tenant(), request.template());
    return set.compose(templateSet -> preferences.cache().load(request.tenant(), request.recipients())
        .compose(loaded -> {
          Map<String, RecipientPlan> plans;
          try {
            plans = plan(request, templateSet, loaded);
          } catch (InvalidRequest e) {
            return Future.failedFuture(e);
          }
          return create(request, idempotencyKey, bodyHash, connected, plans);
        }));
  }

  /**
   * Each recipient's plan: preferences resolved per delivery channel (in-app off: stored, not
   * pushed; email and push held through quiet hours), the locale, and the texts, rendered from the
   * template in that locale when the request names one. Fails with 422 when it names a template
   * that does not exist, or one without a text for a recipient's locale and no literal title.
   */
  private Map<String, RecipientPlan> plan(NotificationRequest r, TemplateSet templateSet,
      PreferenceCache.Loaded loaded) throws InvalidRequest {
    if (templateSet != null && templateSet.isEmpty()) {
      throw new InvalidRequest(422, "there is no template named '" + r.template() + "' in tenant " + r.tenant()
          + " or system-wide", List.of(new InvalidRequest.FieldError("template", "no such template")));
    }
    Instant at = r.isScheduled() ? r.scheduledAt().toInstant() : clock.instant();
    var criticality = criticality(r.type());
    boolean urgent = "urgent".equals(r.priority());
    Map<String, Object> variables = templateSet == null ? null : Templates.variables(r.dataJson());
    Map<UUID, TemplateContent.Rendered> rendered = new HashMap<>();
    Map<String, RecipientPlan> plans = new HashMap<>(r.recipients().size() * 2);
    for (String to : r.recipients()) {
      DeliveryPlan plan = DeliveryPlan.of(loaded.of(to), loaded.tenantDefaults(), r.type(), r.channel(),
          urgent, criticality, r.deliverVia(), at, r.locale());
      ObjectNode explain = plan.explain();
      Texts texts = templateSet == null ? new Texts(r.title(), r.message())
          : render(r, templateSet, plan.locale(), to, variables, rendered, explain);
      plans.put(to, new RecipientPlan(plan.live(), texts.title(), texts.message() == null ? "" : texts.message(),
          explain.toString(), jobs(plan, at)));
    }
    return plans;
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

  /** The email and push jobs of {@code plan}: pending from {@code at}, or held until the quiet hours end. */
  private static List<RecipientPlan.Job> jobs(DeliveryPlan plan, Instant at) {
    List<RecipientPlan.Job> jobs = new ArrayList<>(2);
    for (var e : plan.decisions().entrySet()) {
      DeliveryPlan.Decision d = e.getValue();
      if (e.getKey().equals("inApp") || d.outcome().equals(DeliveryPlan.SUPPRESSED)) {
        continue;
      }
      boolean held = d.outcome().equals(DeliveryPlan.HELD);
      jobs.add(new RecipientPlan.Job(Uuids.v7(), e.getKey(), held ? "held" : "pending", held ? d.until() : at,
          plan.locale()));
    }
    return jobs;
  }

  private void countDecisions(Map<String, RecipientPlan> plans) {
    int notLive = 0;
    int queued = 0;
    int held = 0;
    for (RecipientPlan p : plans.values()) {
      notLive += p.live() ? 0 : 1;
      for (RecipientPlan.Job j : p.jobs()) {
        if (j.state().equals("held")) {
          held++;
        } else {
          queued++;
        }
      }
    }
    metrics.deliveryDecisions(notLive, queued, held);
  }

  private DeliveryPlan.Criticality criticality(String type) {
    Set<String> bypass = config.criticalTypes().get(type);
    return bypass == null ? DeliveryPlan.Criticality.NONE
        : new DeliveryPlan.Criticality(true, bypass);
  }

  /** The operator's view of a notification (see {@code NotificationStore#adminView}); null when none. */
  public Future<ObjectNode> adminView(String tenant, UUID id) {
    return store.adminView(tenant, id);
  }

  /** The templates, for the API. */
  public Templates templates() {
    return templates;
  }

  private Future<Created> create(NotificationRequest request, String idempotencyKey, byte[] bodyHash,
      Predicate<String> connected, Map<String, RecipientPlan> plans) {
    if (idempotencyKey == null) {
      UUID requestId = Uuids.v7();
      Future<List<Notification>> rows = request.isScheduled()
          ? store.insertScheduled(store.pool(), request, requestId, plans)
          : batcher.submit(new NotificationStore.Pending(request, requestId, connected, plans));
      return rows.map(created -> {
        publishAll(created);
        metrics.notificationsCreated(created.size());
        countDecisions(plans);
        return new Created(201, answer(requestId, request, created), false);
      });
    }
    return keys.claim(request.tenant(), idempotencyKey, bodyHash).compose(claim -> switch (claim) {
      case IdempotencyKeys.Answered a -> Future.succeededFuture(new Created(a.status(), a.body(), true));
      case IdempotencyKeys.InFlight f -> Future.failedFuture(new InvalidRequest(409,
          "a request with this Idempotency-Key is still being processed; retry later", List.of()));
      case IdempotencyKeys.Mismatch m -> Future.failedFuture(new InvalidRequest(422,
          "this Idempotency-Key was used with a different request body", List.of()));
      case IdempotencyKeys.Claimed c -> {
        UUID requestId = Uuids.v7();
        String[] body = new String[1];
        Future<List<Notification>> done = store.pool().withTransaction(tx ->
            (request.isScheduled()
                ? store.insertScheduled(tx, request, requestId, plans)
                : store.insertReleased(tx, List.of(new NotificationStore.Pending(request, requestId, connected, plans)))
                    .map(NotificationStore::byRecipient))
            .compose(rows -> {
              body[0] = answer(requestId, request, rows);
              return keys.complete(tx, request.tenant(), idempotencyKey, 201, body[0]).map(rows);
            }));
        yield done
            .map(rows -> {
              publishAll(rows);
              metrics.notificationsCreated(rows.size());
              countDecisions(plans);
              return new Created(201, body[0], false);
            })
            .recover(err -> keys.release(request.tenant(), idempotencyKey).transform(v -> Future.failedFuture(err)));
      }
    });
  }

  public Future<History.Page> page(Identity user, History.Query query) {
    return store.page(user.tenantId(), user.userId(), query);
  }

  public Future<Notification> one(Identity user, UUID id) {
    return store.one(user.tenantId(), user.userId(), id);
  }

  /** Marks read; tells the user's sessions. Null when the user has no such notification. */
  public Future<Notification> markRead(Identity user, UUID id) {
    return store.markRead(user.tenantId(), user.userId(), id).onSuccess(n -> {
      if (n != null) {
        stopResending(n.id());
        gateway.publish(user.tenantId(), List.of(user.userRoom()), "notification:read",
            "{\"notificationId\":\"" + n.id() + "\",\"readAt\":\"" + Notification.iso(n.readAt()) + "\"}");
      }
    });
  }

  /** Marks all read; tells the user's sessions. The number newly read. */
  public Future<Long> markAllRead(Identity user) {
    return store.markAllRead(user.tenantId(), user.userId()).onSuccess(count -> {
      // read counts as seen by a person: no more re-sends of the user's unacknowledged ones
      awaitingAck.values().removeIf(a -> {
        boolean mine = a.notification.tenant().equals(user.tenantId()) && a.notification.recipient().equals(user.userId());
        if (mine) {
          vertx.cancelTimer(a.timer);
        }
        return mine;
      });
      gateway.publish(user.tenantId(), List.of(user.userRoom()), "notification:all-read", "{\"count\":" + count + "}");
    });
  }

  public Future<Long> unreadCount(Identity user) {
    return store.unreadCount(user.tenantId(), user.userId());
  }

  public Future<Notification> markSeen(Identity user, UUID id) {
    return store.markSeen(user.tenantId(), user.userId(), id);
  }

  public Future<Notification> archive(Identity user, UUID id, boolean archived) {
    return store.archive(user.tenantId(), user.userId(), id, archived);
  }

  public Future<Boolean> delete(Identity user, UUID id) {
    return store.delete(user.tenantId(), user.userId(), id).onSuccess(deleted -> {
      if (deleted) {
        stopResending(id);
      }
    });
  }

  @Override
  public Future<String> ack(Identity user, JsonNode request) {
    JsonNode idNode = request == null ? null : request.get("notificationId");
    if (idNode == null || !idNode.isTextual()) {
      return Future.failedFuture(new Refusal("bad_request", "ack needs {notificationId}"));
    }
    UUID id = Uuids.parse(idNode.asText());
    if (id == null) {
      return Future.failedFuture(new Refusal("not_found", "no notification " + abbreviate(idNode.asText())));
    }
    return store.acknowledge(user.tenantId(), user.userId(), id).compose(n -> {
      if (n == null) {
        return Future.failedFuture(new Refusal("not_found", "no notification " + id));
      }
      stopResending(id);
      metrics.notificationAcked();
      String status = "{\"notificationId\":\"" + id + "\",\"status\":\"" + n.status() + "\",\"timestamp\":\""
          + Notification.iso(n.deliveredAt()) + "\"}";
      gateway.publish(user.tenantId(), List.of(user.userRoom()), "notificationStatus", status);
      return Future.succeededFuture(status);
    });
  }

  /** The users' preference documents. */
  public Preferences preferences() {
    return preferences;
  }

  @Override
  public Future<String> updatePreferences(Identity user, JsonNode request) {
    return preferences.merge(user, request)
        .map(JsonNode::toString)
        .recover(e -> Future.failedFuture(e instanceof InvalidRequest invalid
            ? new Refusal("bad_request", invalid.getMessage()) : e));
  }

  @Override
  public Future<Replay> missed(Identity user, JsonNode request) {
    JsonNode since = request == null ? null : request.get("since");
    int limit = MAX_REPLAY;
    if (request != null && request.has("limit")) {
      if (!request.get("limit").canConvertToInt() || request.get("limit").asInt() < 1) {
        return Future.failedFuture(new Refusal("bad_request", "limit must be a positive whole number"));
      }
      limit = Math.min(MAX_REPLAY, request.get("limit").asInt());
    }
    Future<List<Notification>> rows;
    if (since == null || since.isNull()) {
      rows = store.after(user.tenantId(), user.userId(), 0, limit + 1);
    } else if (since.isIntegralNumber() || since.isTextual() && since.asText().matches("\\d{1,18}")) {
      rows = store.after(user.tenantId(), user.userId(), since.asLong(), limit + 1);
    } else if (since.isTextual()) {
      OffsetDateTime time;
      try {
        time = OffsetDateTime.parse(since.asText());
      } catch (DateTimeParseException e) {
        return Future.failedFuture(new Refusal("bad_request",
            "since must be a sequence number or an ISO-8601 time such as 2024-01-15T10:30:00Z"));
      }
      rows = store.releasedAfter(user.tenantId(), user.userId(), time, limit + 1);
    } else {
      return Future.failedFuture(new Refusal("bad_request", "since must be a sequence number or an ISO-8601 time"));
    }
    int max = limit;
    return rows.map(list -> {
      boolean more = list.size() > max;
      List<Notification> shown = more ? list.subList(0, max) : list;
      List<Missed> json = new ArrayList<>(shown.size());
      List<UUID> nowDelivered = new ArrayList<>();
      for (Notification n : shown) {
        json.add(new Missed(n.toJson(), n.sequence()));
        if ("pending".equals(n.status()) && !n.requiresAck()) {
          nowDelivered.add(n.id());
        }
      }
      if (!nowDelivered.isEmpty()) {
        store.markDelivered(nowDelivered).onFailure(e -> LOG.warn("marking replayed notifications delivered: {}", e.toString()));
      }
      metrics.notificationsReplayed(shown.size());
      long last = !shown.isEmpty() ? shown.get(shown.size() - 1).sequence()
          : since != null && (since.isIntegralNumber() || since.isTextual() && since.asText().matches("\\d{1,18}"))
              ? since.asLong() : 0;
      return new Replay(json, last, more);
    });
  }

  private void publishAll(List<Notification> rows) {
    for (Notification n : rows) {
      if (n.sequence() != null && n.live()) {
        publish(n);
      }
    }
  }

  private void publish(Notification n) {
    String json = n.toJson();
    gateway.publishNotification(n.tenant(), "user:" + n.recipient(), json, n.sequence());
    if (n.requiresAck() && config.ackMaxRetries() > 0 && !closed) {
      if (awaitingAck.size() >= MAX_TRACKED_ACKS) {
        LOG.warn("{} notifications await an ack on this node; {} is not re-sent (clients get it on reconnect)",
            awaitingAck.size(), n.id());
        return;
      }
      AwaitingAck a = new AwaitingAck(n, json);
      awaitingAck.put(n.id(), a);
      a.timer = vertx.setTimer(config.ackRetryInterval().toMillis(), t -> resend(a));
    }
  }

  private void resend(AwaitingAck a) {
    if (awaitingAck.get(a.notification.id()) != a || closed) {
      return;
    }
    Notification n = a.notification;
    if (a.resends >= config.ackMaxRetries()) {
      awaitingAck.remove(n.id(), a);
      metrics.notificationUnacknowledged();
      store.log(n.id(), n.tenant(), "in_app", "unacknowledged",
              "no ack after " + a.resends + " re-sends", a.resends + 1)
          .onFailure(e -> LOG.warn("delivery log for {}: {}", n.id(), e.toString()));
      return;
    }
    a.resends++;
    metrics.notificationResent();
    gateway.publishNotification(n.tenant(), "user:" + n.recipient(), a.json, n.sequence());
    a.timer = vertx.setTimer(config.ackRetryInterval().toMillis(), t -> resend(a));
  }

  private void stopResending(UUID id) {
    AwaitingAck a = awaitingAck.remove(id);
    if (a != null) {
      vertx.cancelTimer(a.timer);
    }
  }

  /** Releases held email and push jobs whose quiet hours ended; repeats while full batches come back. */
  private void releaseHeld() {
    if (releasingHeld || closed) {
      return;
    }
    releasingHeld = true;
    store.releaseHeld(OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), RELEASE_BATCH)
        .onComplete(ar -> {
          releasingHeld = false;
          if (ar.failed()) {
            LOG.warn("releasing held deliveries: {}", ar.cause().toString());
          } else if (ar.result() == RELEASE_BATCH) {
            vertx.runOnContext(v -> releaseHeld());
          } else if (ar.result() > 0) {
            LOG.debug("released {} held deliveries", ar.result());
          }
          if (ar.succeeded()) {
            metrics.deliveryJobsReleased(ar.result());
          }
        });
  }

  /** Releases scheduled notifications that fell due; repeats while full batches come back. */
  private void releaseDue() {
    if (releasing || closed) {
      return;
    }
    releasing = true;
    store.releaseDue(RELEASE_BATCH).onComplete(ar -> {
      releasing = false;
      if (ar.failed()) {
        LOG.warn("releasing scheduled notifications: {}", ar.cause().toString());
        return;
      }
      List<Notification> due = ar.result();
      if (!due.isEmpty()) {
        LOG.debug("released {} scheduled notifications", due.size());
        publishAll(due);
        metrics.notificationsScheduledReleased(due.size());
      }
      if (due.size() == RELEASE_BATCH) {
        vertx.runOnContext(v -> releaseDue());
      }
    });
    long now = System.currentTimeMillis();
    if (now - lastExpiry > 600_000) {
      lastExpiry = now;
      keys.expire().onFailure(e -> LOG.warn("expiring idempotency keys: {}", e.toString()));
    }
  }

  /** The create answer: {@code {requestId, ids, notifications: [{id, recipient, sequence, status}]}}. */
  private static String answer(UUID requestId, NotificationRequest request, List<Notification> rows) {
    StringBuilder b = new StringBuilder(80 + rows.size() * 150);
    b.append("{\"requestId\":\"").append(requestId).append("\",\"ids\":[");
    for (int i = 0; i < rows.size(); i++) {
      b.append(i == 0 ? "\"" : ",\"").append(rows.get(i).id()).append('"');
    }
    b.append("],\"notifications\":[");
    for (int i = 0; i < rows.size(); i++) {
      Notification n = rows.get(i);
      b.append(i == 0 ? "{\"id\":\"" : ",{\"id\":\"").append(n.id()).append("\",\"recipient\":");
      Notification.quoted(b, n.recipient());
      if (n.sequence() != null) {
        b.append(",\"sequence\":").append(n.sequence());
      }
      b.append(",\"status\":\"").append(n.status()).append("\"}");
    }
    b.append(']');
    if (request.isScheduled()) {
      b.append(",\"scheduledAt\":\"").append(Notification.iso(request.scheduledAt())).append('"');
    }
    return b.append('}').toString();
  }

  /** Whether {@code key} may be an {@code Idempotency-Key}: 1-255 printable ASCII characters. */
  public static boolean isValidIdempotencyKey(String key) {
    return IdempotencyKeys.isValid(key);
  }

  /** The notification id in {@code s}, or null when it is none (a malformed id is simply not found). */
  public static UUID parseId(String s) {
    return Uuids.parse(s);
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
