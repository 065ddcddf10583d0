package dev.herald.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.ApiKeys;
import dev.herald.config.HeraldConfig;
import dev.herald.http.Bodies;
import dev.herald.http.Problem;
import dev.herald.http.Routes;
import dev.herald.ops.HeraldMetrics;
import dev.herald.types.NotificationTypes;
import dev.herald.types.TypeDefinition;
import dev.herald.validation.Fields;
import dev.herald.validation.InvalidRequest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code /api/types} for API keys (contract part 2, "Notification types"): a tenant-bound key
 * manages its tenant's types and sees the system-wide ones; a global key manages the system-wide
 * ones, or a tenant's with {@code ?tenant=}. A refusal stores nothing.
 *
 * <pre>
 * PUT    /api/types/{type}   store the definition (201 when new, 200 when replaced)
 * GET    /api/types/{type}   the one in effect, with source tenant|system|default
 * GET    /api/types          {types: [...]}: the defined ones in effect
 * DELETE /api/types/{type}   204, 404 when the scope has none
 * </pre>
 */
public final class TypesApi {
  private final NotificationTypes types;
  private final ApiKeys apiKeys;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Limits limits;

  public TypesApi(NotificationTypes types, ApiKeys apiKeys, HeraldMetrics metrics, HeraldConfig.Limits limits) {
    this.types = types;
    this.apiKeys = apiKeys;
    this.metrics = metrics;
    this.limits = limits;
  }

  /** {@code PUT /api/types/{type}}. */
  public void put(HttpServerRequest req, Routes.Params params) {
    String scope = ServiceScope.of(req, apiKeys, metrics);
    String type = scope == null ? null : typeOf(req, params);
    if (type == null) {
      return;
    }
    Bodies.readJson(req, limits.maxHttpBodyBytes(), metrics, body -> {
      TypeDefinition definition;
      try {
        definition = TypeDefinition.parse(body);
      } catch (InvalidRequest e) {
        metrics.refused("invalid_type");
        Problem.fail(req.response(), e, metrics);
        return;
      }
      settle(req, types.put(scope, type, definition),
          w -> Problem.ok(req.response(), w.created() ? 201 : 200, w.type().toJson().toString()));
    });
  }

  /** {@code GET /api/types/{type}}: the definition in effect, saying where it came from. */
  public void get(HttpServerRequest req, Routes.Params params) {
    String scope = ServiceScope.of(req, apiKeys, metrics);
    String type = scope == null ? null : typeOf(req, params);
    if (type != null) {
      settle(req, types.resolve(scope, type), t -> Problem.ok(req.response(), 200, t.toJson().toString()));
    }
  }

  /** {@code GET /api/types}: {@code {types: [...]}}, the defined ones in effect, by name. */
  public void list(HttpServerRequest req) {
    String scope = ServiceScope.of(req, apiKeys, metrics);
    if (scope != null) {
      settle(req, types.list(scope), list -> {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        var array = out.putArray("types");
        list.forEach(t -> array.add(t.toJson()));
        Problem.ok(req.response(), 200, out.toString());
      });
    }
  }

  /** {@code DELETE /api/types/{type}}: 204, or 404 when the scope defines none. */
  public void delete(HttpServerRequest req, Routes.Params params) {
    String scope = ServiceScope.of(req, apiKeys, metrics);
    String type = scope == null ? null : typeOf(req, params);
    if (type != null) {
      settle(req, types.delete(scope, type).map(d -> d ? d : null), d -> req.response().setStatusCode(204).end());
    }
  }

  /** The type of the path, or null after answering 400: named like a create's {@code type}. */
  private static String typeOf(HttpServerRequest req, Routes.Params params) {
    String type = params.get("type");
    if (type == null || !Fields.isName(type)) {
      req.resume();
      Problem.invalid(req.response(), 400, "type: must be 1-100 characters of letters, digits and _ . : -",
          List.of(new InvalidRequest.FieldError("type", "must be 1-100 characters of letters, digits and _ . : -")));
      return null;
    }
    return type;
  }

  private <T> void settle(HttpServerRequest req, Future<T> result, Consumer<T> onFound) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        Problem.fail(req.response(), ar.cause(), metrics);
      } else if (ar.result() == null) {
        Problem.send(req.response(), 404, "Not Found", "no such notification type in this scope");
      } else {
        onFound.accept(ar.result());
      }
    });
  }
}
