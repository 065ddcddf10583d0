package dev.herald.api;

import dev.herald.validation.Fields;


import dev.herald.http.Bodies;

import dev.herald.http.Problem;
import dev.herald.http.Routes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.auth.ApiKeys;
import dev.herald.auth.Identity;
import dev.herald.auth.TokenVerifier;
import dev.herald.config.HeraldConfig;
import dev.herald.validation.InvalidRequest;
import dev.herald.notify.Notification;
import dev.herald.notify.NotificationRequest;
import dev.herald.notify.NotificationCreator;
import dev.herald.notify.UserNotifications;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The notification routes of the contract (seed 003) under {@code /api/notifications}: services
 * create with an API key; users read and change only their own, with their token. A notification
 * that is not the caller's is 404, never 403, so ids do not leak.
 *
 * <p>Errors are problem+json; validation problems list every offending field in {@code errors}. When
 * PostgreSQL cannot be reached the answer is 503 with {@code Retry-After}, and nothing is half-stored.
 */
public final class NotificationsApi {
  private static final Set<String> STATUSES = Set.of("pending", "delivered", "read", "failed");
  private static final int MAX_LIMIT = 100;

  private final Vertx vertx;
  private final NotificationCreator creator;
  private final UserNotifications notifications;
  private final dev.herald.preferences.Preferences preferences;
  private final ApiKeys apiKeys;
  private final TokenVerifier verifier;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Limits limits;

  public NotificationsApi(Vertx vertx, NotificationCreator creator, UserNotifications notifications,
      dev.herald.preferences.Preferences preferences,
      ApiKeys apiKeys, TokenVerifier verifier, HeraldMetrics metrics, HeraldConfig.Limits limits) {
    this.vertx = vertx;
    this.creator = creator;
    this.notifications = notifications;
    this.preferences = preferences;
    this.apiKeys = apiKeys;
    this.verifier = verifier;
    this.metrics = metrics;
    this.limits = limits;
  }

  /** {@code GET /api/notifications}: the user's history, newest first. */
  public void list(HttpServerRequest req) {
    asUser(req, user -> list(req, user));
  }

  /** {@code GET /api/notifications/unread-count}. */
  public void unreadCount(HttpServerRequest req) {
    asUser(req, user -> notifications.unreadCount(user)
        .onComplete(ar -> settle(req, ar.map(n -> "{\"count\":" + n + "}"))));
  }

  /** {@code PUT /api/notifications/read-all}. */
  public void readAll(HttpServerRequest req) {
    asUser(req, user -> notifications.markAllRead(user)
        .onComplete(ar -> settle(req, ar.map(n -> "{\"count\":" + n + "}"))));
  }

  /** {@code GET /api/notifications/{id}}. */
  public void one(HttpServerRequest req, Routes.Params params) {
    withId(req, params.get("id"), (user, id) -> notifications.one(user, id).map(n -> n == null ? null : n.toJson()),
        body -> json(req.response(), 200, body));
  }

  /** {@code DELETE /api/notifications/{id}}. */
  public void delete(HttpServerRequest req, Routes.Params params) {
    withId(req, params.get("id"), (user, id) -> notifications.delete(user, id).map(d -> d ? "" : null),
        body -> req.response().setStatusCode(204).end());
  }

  /** {@code PUT /api/notifications/{id}/read}: {@code {id, readAt}}. */
  public void read(HttpServerRequest req, Routes.Params params) {
    withId(req, params.get("id"), (user, id) -> notifications.markRead(user, id)
        .map(n -> n == null ? null : "{\"id\":\"" + n.id() + "\",\"readAt\":\"" + iso(n.readAt()) + "\"}"),
        body -> json(req.response(), 200, body));
  }

  /** {@code PUT /api/notifications/{id}/seen}: {@code {id, seenAt}}. */
  public void seen(HttpServerRequest req, Routes.Params params) {
    withId(req, params.get("id"), (user, id) -> notifications.markSeen(user, id)
        .map(n -> n == null ? null : "{\"id\":\"" + n.id() + "\",\"seenAt\":\"" + iso(n.seenAt()) + "\"}"),
        body -> json(req.response(), 200, body));
  }

  /** {@code PUT /api/notifications/{id}/archive}: the notification. */
  public void archive(HttpServerRequest req, Routes.Params params) {
    archive(req, params, true);
  }

  /** {@code PUT /api/notifications/{id}/unarchive}: the notification. */
  public void unarchive(HttpServerRequest req, Routes.Params params) {
    archive(req, params, false);
  }

  private void archive(HttpServerRequest req, Routes.Params params, boolean archived) {
    withId(req, params.get("id"),
        (user, id) -> notifications.archive(user, id, archived).map(n -> n == null ? null : n.toJson()),
        body -> json(req.response(), 200, body));
  }

  private void settle(HttpServerRequest req, io.vertx.core.AsyncResult<String> ar) {
    if (ar.failed()) {
      fail(req.response(), ar.cause());
    } else {
      json(req.response(), 200, ar.result());
    }
  }

  /** {@code POST /api/notifications} with an API key. */
  public void create(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    ApiKeys.Service service = Problem.service(req, apiKeys, metrics);
    if (service == null) {
      return;
    }
    String key = req.getHeader("idempotency-key");
    if (key != null && !NotificationCreator.isValidIdempotencyKey(key)) {
      req.resume();
      Problem.badRequest(resp, "Idempotency-Key must be 1-255 printable ASCII characters");
      return;
    }
    Bodies.read(req, limits.maxHttpBodyBytes(), metrics, body -> {
      NotificationRequest request;
      try {
        request = NotificationRequest.parse(Bodies.JSON.readTree(body.getBytes()), service, limits.maxEventBytes());
      } catch (JsonProcessingException e) {
        Problem.badRequest(resp, "body is not valid JSON: " + e.getOriginalMessage());
        return;
      } catch (IOException e) {
        Problem.badRequest(resp, "body could not be read");
        return;
      } catch (InvalidRequest e) {
        metrics.refused("invalid_notification");
        problem(resp, e.status(), e.getMessage(), e.errors());
        return;
      }
      creator.create(request, key, key == null ? null : sha256(request.tenant(), body.getBytes()))
          .onComplete(ar -> {
        if (ar.succeeded()) {
          if (ar.result().replayed()) {
            resp.putHeader("idempotent-replayed", "true");
          }
          json(resp, ar.result().status(), ar.result().body());
        } else {
          fail(resp, ar.cause());
        }
      });
    });
  }

  /** {@code GET} the user's preferences, {@code PUT} a whole document, {@code PATCH} a merge patch. */
  public void preferences(HttpServerRequest req) {
    HttpMethod m = req.method();
    if (m == HttpMethod.GET) {
      asUser(req, user -> preferences.get(user).onComplete(ar -> answer(req.response(), ar)));
    } else {
      asUser(req, user -> Bodies.readJson(req, limits.maxHttpBodyBytes(), metrics, doc ->
          (m == HttpMethod.PUT ? preferences.replace(user, doc) : preferences.merge(user, doc))
              .onComplete(ar -> answer(req.response(), ar))));
    }
  }

  private void answer(HttpServerResponse resp, io.vertx.core.AsyncResult<? extends JsonNode> ar) {
    if (ar.succeeded()) {
      json(resp, 200, ar.result().toString());
    } else {
      fail(resp, ar.cause());
    }
  }

  private void list(HttpServerRequest req, Identity user) {
    HttpServerResponse resp = req.response();
    List<InvalidRequest.FieldError> errors = new java.util.ArrayList<>();
    int page = intParam(req, "page", 1, 1, 1_000_000, errors);
    int limit = intParam(req, "limit", 20, 1, MAX_LIMIT, errors);
    String status = req.getParam("status");
    if (status != null && !STATUSES.contains(status)) {
      errors.add(new InvalidRequest.FieldError("status", "must be one of pending, delivered, read, failed"));
    }
    String channel = nameParam(req, "channel", errors);
    String type = nameParam(req, "type", errors);
    Boolean unread = boolParam(req, "unread", errors);
    String archived = req.getParam("archived");
    if (archived != null && !Set.of("true", "false", "all").contains(archived)) {
      errors.add(new InvalidRequest.FieldError("archived", "must be true, false or all"));
    }
    Long before = null;
    String cursor = req.getParam("cursor");
    if (cursor != null) {
      try {
        before = Long.parseLong(cursor);
        if (before < 1) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        errors.add(new InvalidRequest.FieldError("cursor", "must be a nextCursor from an earlier page"));
      }
    }
    if (!errors.isEmpty()) {
      problem(resp, 400, errors.get(0).field() + ": " + errors.get(0).message(), errors);
      return;
    }
    var query = new dev.herald.notify.History.Query(status, channel, type, unread, archived, before, limit + 1,
        (page - 1) * limit);
    int pageNumber = page;
    notifications.page(user, query).onComplete(ar -> {
      if (ar.failed()) {
        fail(resp, ar.cause());
        return;
      }
      var result = ar.result();
      boolean more = result.notifications().size() > limit;
      List<Notification> shown = more ? result.notifications().subList(0, limit) : result.notifications();
      StringBuilder out = new StringBuilder(256 + shown.size() * 400).append("{\"notifications\":[");
      for (int i = 0; i < shown.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(shown.get(i).toJson());
      }
      out.append("],\"pagination\":{\"page\":").append(pageNumber).append(",\"limit\":").append(limit)
          .append(",\"total\":").append(result.total()).append(",\"hasMore\":").append(more)
          .append(",\"nextCursor\":").append(more ? "\"" + shown.get(limit - 1).sequence() + "\"" : "null")
          .append("}}");
      json(resp, 200, out.toString());
    });
  }

  /** The user behind the request's token, then {@code action}. */
  private void asUser(HttpServerRequest req, java.util.function.Consumer<Identity> action) {
    UserTokens.asUser(vertx, verifier, metrics, req, UserTokens.REQUIRED, action);
  }

  private interface ById {
    Future<String> apply(Identity user, UUID id);
  }

  /** Runs {@code action} for the caller's notification {@code rawId}; null from it means not found. */
  private void withId(HttpServerRequest req, String rawId, ById action, java.util.function.Consumer<String> onFound) {
    asUser(req, user -> {
      UUID id = Fields.uuid(rawId);
      if (id == null) {
        notFound(req);
        return;
      }
      action.apply(user, id).onComplete(ar -> {
        if (ar.failed()) {
          fail(req.response(), ar.cause());
        } else if (ar.result() == null) {
          notFound(req);
        } else {
          onFound.accept(ar.result());
        }
      });
    });
  }

  private void fail(HttpServerResponse resp, Throwable e) {
    Problem.fail(resp, e, metrics);
  }

  private static void problem(HttpServerResponse resp, int status, String detail, List<InvalidRequest.FieldError> errors) {
    Problem.invalid(resp, status, detail, errors);
  }

  private static void json(HttpServerResponse resp, int status, String body) {
    Problem.ok(resp, status, body);
  }

  private static void notFound(HttpServerRequest req) {
    Problem.send(req.response(), 404, "Not Found", "no such notification");
  }

  private static int intParam(HttpServerRequest req, String name, int fallback, int min, int max,
      List<InvalidRequest.FieldError> errors) {
    String v = req.getParam(name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      errors.add(new InvalidRequest.FieldError(name, "must be a whole number from " + min + " to " + max));
      return fallback;
    }
  }

  private static String nameParam(HttpServerRequest req, String name, List<InvalidRequest.FieldError> errors) {
    String v = req.getParam(name);
    if (v != null && !Fields.isName(v)) {
      errors.add(new InvalidRequest.FieldError(name, "must be 1-100 characters of letters, digits and _ . : -"));
      return null;
    }
    return v;
  }

  private static Boolean boolParam(HttpServerRequest req, String name, List<InvalidRequest.FieldError> errors) {
    String v = req.getParam(name);
    if (v == null) {
      return null;
    }
    if (!v.equals("true") && !v.equals("false")) {
      errors.add(new InvalidRequest.FieldError(name, "must be true or false"));
      return null;
    }
    return Boolean.valueOf(v);
  }

  private static String iso(java.time.OffsetDateTime t) {
    return Notification.iso(t);
  }

  private static byte[] sha256(String tenant, byte[] body) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(tenant.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      d.update((byte) 0);
      return d.digest(body);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
