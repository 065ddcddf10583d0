package dev.herald.api;

import dev.herald.http.Problem;

import dev.herald.auth.ApiKeys;
import dev.herald.auth.Identity;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.http.HttpServerRequest;

/**
 * The tenant a service request acts in: a tenant-bound key's own tenant; for a global key the
 * {@code ?tenant=} parameter, or none ({@code ""}: the system-wide scope) without it.
 */
final class ServiceScope {
  private ServiceScope() {}

  /** The tenant ({@code ""} for system-wide), or null after answering 401, 400 or 403. */
  static String of(HttpServerRequest req, ApiKeys apiKeys, HeraldMetrics metrics) {
    ApiKeys.Service service = Problem.service(req, apiKeys, metrics);
    if (service == null) {
      return null;
    }
    String asked = req.getParam("tenant");
    if (asked != null && !Identity.isValidId(asked)) {
      Problem.badRequest(req.response(), "tenant must be a tenant id");
      return null;
    }
    if (service.isGlobal()) {
      return asked == null ? "" : asked;
    }
    if (asked != null && !asked.equals(service.tenant())) {
      metrics.refused("other_tenant");
      Problem.forbidden(req.response(), "this API key acts only in tenant " + service.tenant());
      return null;
    }
    return service.tenant();
  }
}
