package dev.herald.api;

import dev.herald.validation.Fields;
import dev.herald.http.Bodies;

import dev.herald.http.Problem;
import dev.herald.http.Routes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.auth.ApiKeys;
import dev.herald.config.HeraldConfig;
import dev.herald.notify.OperatorView;
import dev.herald.ops.HeraldMetrics;
import dev.herald.preferences.Preferences;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.UUID;

/**
 * Service routes beside the notification and template ones, for API keys:
 *
 * <pre>
 * GET | PUT | PATCH /api/tenant/preferences       the tenant's default preference document
 * GET /api/admin/notifications/{id}                a notification with its explanation,
 *                                                  email and push jobs and delivery log
 * </pre>
 *
 * A tenant-bound key acts in its tenant; a global key names one with {@code ?tenant=} (the admin
 * view finds a notification in any tenant without it).
 */
public final class ServiceApi {

  private final OperatorView operator;
  private final Preferences preferences;
  private final ApiKeys apiKeys;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Limits limits;

  public ServiceApi(OperatorView operator, Preferences preferences, ApiKeys apiKeys, HeraldMetrics metrics, HeraldConfig.Limits limits) {
    this.operator = operator;
    this.preferences = preferences;
    this.apiKeys = apiKeys;
    this.metrics = metrics;
    this.limits = limits;
  }

  /** {@code GET | PUT | PATCH /api/tenant/preferences}. */
  public void tenantDefaults(HttpServerRequest req) {
    HttpMethod m = req.method();
    String tenant = ServiceScope.of(req, apiKeys, metrics);
    if (tenant == null) {
      return;
    }
    if (tenant.isEmpty()) {
      req.resume();
      Problem.badRequest(req.response(), "a global API key names the tenant: ?tenant=<id>");
      return;
    }
    if (m == HttpMethod.GET) {
      settle(req, preferences.tenantDefaults(tenant));
      return;
    }
    Bodies.readJson(req, limits.maxHttpBodyBytes(), metrics, doc -> settle(req, m == HttpMethod.PUT
        ? preferences.replaceTenantDefaults(tenant, doc) : preferences.mergeTenantDefaults(tenant, doc)));
  }

  /** {@code GET /api/admin/notifications/{id}}. */
  public void adminView(HttpServerRequest req, Routes.Params params) {
    String rawId = params.get("id");
    String scope = ServiceScope.of(req, apiKeys, metrics);
    if (scope == null) {
      return;
    }
    // a global key without ?tenant= finds the notification in any tenant
    String tenant = scope.isEmpty() ? null : scope;
    UUID id = Fields.uuid(rawId);
    if (id == null) {
      Problem.send(req.response(), 404, "Not Found", "no such notification");
      return;
    }
    settle(req, operator.notification(tenant, id));
  }

  private void settle(HttpServerRequest req, Future<? extends JsonNode> result) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        Problem.fail(req.response(), ar.cause(), metrics);
      } else if (ar.result() == null) {
        Problem.send(req.response(), 404, "Not Found", "no such notification");
      } else {
        Problem.ok(req.response(), 200, ar.result().toString());
      }
    });
  }
}
