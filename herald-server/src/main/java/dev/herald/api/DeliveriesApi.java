package dev.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.auth.ApiKeys;
import dev.herald.auth.Identity;
import dev.herald.config.HeraldConfig;
import dev.herald.delivery.Deliveries;
import dev.herald.http.Bodies;
import dev.herald.http.Problem;
import dev.herald.http.Routes;
import dev.herald.ops.HeraldMetrics;
import dev.herald.validation.Fields;
import dev.herald.validation.InvalidRequest.FieldError;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /api/deliveries} for API keys: the delivery jobs of a tenant (a global key: of every
 * tenant, or of one with {@code ?tenant=}).
 *
 * <pre>
 * GET  /api/deliveries?status=&amp;channel=&amp;notificationId=&amp;userId=&amp;cursor=&amp;limit=   {deliveries, nextCursor}
 * GET  /api/deliveries/{id}                 one job with every attempt
 * POST /api/deliveries/{id}/retry           run it again now (failed, skipped, cancelled, retrying)
 * POST /api/deliveries/retry                {status: "failed", channel?}: all of them   {retried}
 * POST /api/deliveries/{id}/cancel          held, pending or retrying ones
 * </pre>
 *
 * Another tenant's jobs are not found (404).
 */
public final class DeliveriesApi {
  private static final int MAX_LIMIT = 200;
  private static final Set<String> BULK_FIELDS = Set.of("status", "channel");
  private static final Set<String> BULK_STATES = Set.of("failed", "skipped", "cancelled");

  private final Deliveries deliveries;
  private final ApiKeys apiKeys;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Limits limits;

  public DeliveriesApi(Deliveries deliveries, ApiKeys apiKeys, HeraldMetrics metrics, HeraldConfig.Limits limits) {
    this.deliveries = deliveries;
    this.apiKeys = apiKeys;
    this.metrics = metrics;
    this.limits = limits;
  }

  /** {@code GET /api/deliveries}. */
  public void list(HttpServerRequest req) {
    String tenant = scope(req);
    if (tenant == null) {
      return;
    }
    List<FieldError> errors = new ArrayList<>();
    String status = oneOf(req, "status", Deliveries.STATES, errors);
    String channel = oneOf(req, "channel", Deliveries.CHANNELS, errors);
    UUID notification = uuid(req, "notificationId", errors);
    UUID cursor = uuid(req, "cursor", errors);
    String user = req.getParam("userId");
    if (user != null && !Identity.isValidId(user)) {
      errors.add(new FieldError("userId", "must be a user id"));
    }
    int limit = 50;
    String rawLimit = req.getParam("limit");
    if (rawLimit != null) {
      try {
        limit = Integer.parseInt(rawLimit);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        errors.add(new FieldError("limit", "must be 1-" + MAX_LIMIT));
      }
    }
    if (!errors.isEmpty()) {
      Problem.invalid(req.response(), 400, "invalid delivery query", errors);
      return;
    }
    answer(req, deliveries.list(tenant(tenant), new Deliveries.Query(status, channel, notification, user, cursor, limit)),
        200);
  }

  /** {@code GET /api/deliveries/{id}}. */
  public void one(HttpServerRequest req, Routes.Params params) {
    withJob(req, params, (tenant, id) -> deliveries.one(tenant, id));
  }

  /** {@code POST /api/deliveries/{id}/retry}. */
  public void retry(HttpServerRequest req, Routes.Params params) {
    withJob(req, params, (tenant, id) -> deliveries.retry(tenant, id));
  }

  /** {@code POST /api/deliveries/{id}/cancel}. */
  public void cancel(HttpServerRequest req, Routes.Params params) {
    withJob(req, params, (tenant, id) -> deliveries.cancel(tenant, id));
  }

  /** {@code POST /api/deliveries/retry} {@code {status: "failed", channel?}}. */
  public void retryAll(HttpServerRequest req) {
    String tenant = scope(req);
    if (tenant == null) {
      return;
    }
    Bodies.readJson(req, limits.maxHttpBodyBytes(), metrics, doc -> {
      List<FieldError> errors = new ArrayList<>();
      if (doc == null || !doc.isObject()) {
        Problem.badRequest(req.response(), "the body must be a JSON object such as {\"status\": \"failed\"}");
        return;
      }
      for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!BULK_FIELDS.contains(f)) {
          errors.add(new FieldError(Fields.abbreviate(f, 100), "unknown field; known: status, channel"));
        }
      }
      String status = text(doc, "status");
      if (status == null || !BULK_STATES.contains(status)) {
        errors.add(new FieldError("status", "must be failed, skipped or cancelled"));
      }
      String channel = text(doc, "channel");
      if (doc.has("channel") && (channel == null || !Deliveries.CHANNELS.contains(channel))) {
        errors.add(new FieldError("channel", "must be email, push or webhook"));
      }
      if (!errors.isEmpty()) {
        Problem.invalid(req.response(), 422, "invalid bulk retry", errors);
        return;
      }
      deliveries.retryAll(tenant(tenant), status, channel).onComplete(ar -> {
        if (ar.failed()) {
          Problem.fail(req.response(), ar.cause(), metrics);
        } else {
          Problem.ok(req.response(), 200, Bodies.JSON.createObjectNode().put("retried", ar.result()).toString());
        }
      });
    });
  }

  private interface JobAction {
    Future<? extends JsonNode> apply(String tenant, UUID id);
  }

  private void withJob(HttpServerRequest req, Routes.Params params, JobAction action) {
    String tenant = scope(req);
    if (tenant == null) {
      return;
    }
    UUID id = Fields.uuid(params.get("id"));
    if (id == null) {
      Problem.send(req.response(), 404, "Not Found", "no such delivery");
      return;
    }
    answer(req, action.apply(tenant(tenant), id), 200);
  }

  private void answer(HttpServerRequest req, Future<? extends JsonNode> result, int status) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        Problem.fail(req.response(), ar.cause(), metrics);
      } else if (ar.result() == null) {
        Problem.send(req.response(), 404, "Not Found", "no such delivery");
      } else {
        Problem.ok(req.response(), status, ar.result().toString());
      }
    });
  }

  private String scope(HttpServerRequest req) {
    return ServiceScope.of(req, apiKeys, metrics);
  }

  /** The scope's tenant for queries: null (every tenant) for a global key without {@code ?tenant=}. */
  private static String tenant(String scope) {
    return scope.isEmpty() ? null : scope;
  }

  private static String oneOf(HttpServerRequest req, String name, Set<String> allowed, List<FieldError> errors) {
    String v = req.getParam(name);
    if (v != null && !allowed.contains(v)) {
      errors.add(new FieldError(name, "must be one of " + String.join(", ", new java.util.TreeSet<>(allowed))));
      return null;
    }
    return v;
  }

  private static UUID uuid(HttpServerRequest req, String name, List<FieldError> errors) {
    String v = req.getParam(name);
    if (v == null) {
      return null;
    }
    UUID id = Fields.uuid(v);
    if (id == null) {
      errors.add(new FieldError(name, "must be a UUID"));
    }
    return id;
  }

  private static String text(JsonNode doc, String field) {
    JsonNode v = doc.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

}
