package dev.herald.api;

import dev.herald.validation.Fields;

import dev.herald.http.Bodies;

import dev.herald.http.Problem;
import dev.herald.http.Routes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.auth.ApiKeys;
import dev.herald.config.HeraldConfig;
import dev.herald.validation.InvalidRequest;
import dev.herald.notify.NotificationRequest;
import dev.herald.ops.HeraldMetrics;
import dev.herald.templates.Locales;
import dev.herald.templates.Template;
import dev.herald.templates.Templates;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code /api/templates} for API keys: a tenant-bound key manages its tenant's templates and reads
 * (and previews) the system-wide ones; a global key manages the system-wide ones, or a tenant's with
 * {@code ?tenant=}. Bodies and filters take seed 003's template field names as aliases
 * ({@code type}, {@code channel}, {@code subject_template}, {@code content_template}, {@code variables});
 * answers use Herald's names.
 *
 * <pre>
 * POST   /api/templates                       create (version 1)
 * GET    /api/templates?name=&deliveryChannel=&locale=   (seed 003's type= and channel= too)
 * GET    /api/templates/{id}                  current version
 * PUT    /api/templates/{id}                  save a new version
 * DELETE /api/templates/{id}
 * GET    /api/templates/{id}/versions         every version, newest first
 * GET    /api/templates/{id}/versions/{n}
 * POST   /api/templates/{id}/preview          render with {data, version?}; reports missing variables
 * </pre>
 */
public final class TemplatesApi {

  private final Templates templates;
  private final ApiKeys apiKeys;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Limits limits;

  public TemplatesApi(Templates templates, ApiKeys apiKeys, HeraldMetrics metrics, HeraldConfig.Limits limits) {
    this.templates = templates;
    this.apiKeys = apiKeys;
    this.metrics = metrics;
    this.limits = limits;
  }

  /** {@code POST /api/templates}: version 1 of a new template. */
  public void create(HttpServerRequest req) {
    withBody(req, (scope, body) -> templates.create(new Templates.Scope(scope), body),
        t -> Problem.ok(req.response(), 201, t.toJson().toString()));
  }

  /** {@code GET /api/templates/{id}}: the current version. */
  public void get(HttpServerRequest req, Routes.Params params) {
    UUID id = idOf(req, params);
    if (id != null) {
      without(req, scope -> templates.get(scope, id, null), t -> Problem.ok(req.response(), 200, t.toJson().toString()));
    }
  }

  /** {@code PUT /api/templates/{id}}: saves a new version. */
  public void update(HttpServerRequest req, Routes.Params params) {
    UUID id = idOf(req, params);
    if (id != null) {
      withBody(req, (scope, body) -> templates.update(new Templates.Scope(scope), id, body),
          t -> Problem.ok(req.response(), 200, t.toJson().toString()));
    }
  }

  /** {@code DELETE /api/templates/{id}}. */
  public void delete(HttpServerRequest req, Routes.Params params) {
    UUID id = idOf(req, params);
    if (id != null) {
      without(req, scope -> templates.delete(scope, id).map(d -> d ? d : null),
          d -> req.response().setStatusCode(204).end());
    }
  }

  /** {@code GET /api/templates/{id}/versions}: every version, newest first. */
  public void versions(HttpServerRequest req, Routes.Params params) {
    UUID id = idOf(req, params);
    if (id != null) {
      without(req, scope -> templates.versions(scope, id),
          list -> Problem.ok(req.response(), 200, Templates.listJson(list).toString()));
    }
  }

  /** {@code GET /api/templates/{id}/versions/{version}}. */
  public void version(HttpServerRequest req, Routes.Params params) {
    UUID id = idOf(req, params);
    if (id == null) {
      return;
    }
    Integer version = parseVersion(params.get("version"));
    if (version == null) {
      req.resume();
      notFound(req);
      return;
    }
    without(req, scope -> templates.get(scope, id, version), t -> Problem.ok(req.response(), 200,
        t.toJson().toString()));
  }

  /** {@code POST /api/templates/{id}/preview}: renders {@code {data, version?}}, reports missing variables. */
  public void preview(HttpServerRequest req, Routes.Params params) {
    UUID id = idOf(req, params);
    if (id != null) {
      withBody(req, (scope, body) -> templates.preview(new Templates.Scope(scope), id, body),
          out -> Problem.ok(req.response(), 200, out.toString()));
    }
  }

  /** The template id of the path, or null after answering 404 for one that is not an id. */
  private static UUID idOf(HttpServerRequest req, Routes.Params params) {
    UUID id = Fields.uuid(params.get("id"));
    if (id == null) {
      req.resume();
      notFound(req);
    }
    return id;
  }

  /** {@code GET /api/templates?name=&deliveryChannel=&locale=}. */
  public void list(HttpServerRequest req) {
    String scope = ServiceScope.of(req, apiKeys, metrics);
    if (scope == null) {
      return;
    }
    List<InvalidRequest.FieldError> errors = new ArrayList<>();
    String name = param(req, "name", "type", errors);
    if (name != null && !Fields.isName(name)) {
      errors.add(new InvalidRequest.FieldError("name", "must be 1-100 letters, digits and _ . : -"));
    }
    String deliveryChannel = param(req, "deliveryChannel", "channel", errors);
    if (deliveryChannel != null && !Template.DELIVERY_CHANNELS.contains(deliveryChannel)) {
      errors.add(new InvalidRequest.FieldError("deliveryChannel", "must be default, inApp, email or push"));
    }
    String locale = req.getParam("locale");
    if (locale != null && !locale.isEmpty()) {
      locale = Locales.normalize(locale);
      if (locale == null) {
        errors.add(new InvalidRequest.FieldError("locale", "must be a locale tag such as de-AT (empty for the default)"));
      }
    }
    if (!errors.isEmpty()) {
      Problem.invalid(req.response(), 400, errors.get(0).field() + ": " + errors.get(0).message(), errors);
      return;
    }
    templates.list(new Templates.Scope(scope), name, deliveryChannel, locale).onComplete(ar -> {
      if (ar.failed()) {
        Problem.fail(req.response(), ar.cause(), metrics);
      } else {
        Problem.ok(req.response(), 200, Templates.listJson(ar.result()).toString());
      }
    });
  }

  /**
   * The query parameter {@code name}, or its seed 003 alias {@code seedName} (the contract, part 2:
   * the seed's template fields are aliases); both given is a refusal naming both.
   */
  private static String param(HttpServerRequest req, String name, String seedName, List<InvalidRequest.FieldError> errors) {
    String value = req.getParam(name);
    String alias = req.getParam(seedName);
    if (value != null && alias != null) {
      errors.add(new InvalidRequest.FieldError(seedName, "give either " + name + " or " + seedName
          + " (seed 003's name for it), not both"));
    }
    return value != null ? value : alias;
  }

  private interface WithBody<T> {
    Future<T> apply(String scope, JsonNode body);
  }

  private <T> void withBody(HttpServerRequest req, WithBody<T> action, Consumer<T> onFound) {
    String scope = ServiceScope.of(req, apiKeys, metrics);
    if (scope == null) {
      return;
    }
    Bodies.readJson(req, limits.maxHttpBodyBytes(), metrics, body -> settle(req, action.apply(scope, body), onFound));
  }

  private <T> void without(HttpServerRequest req, Function<Templates.Scope, Future<T>> action, Consumer<T> onFound) {
    String scope = ServiceScope.of(req, apiKeys, metrics);
    if (scope == null) {
      return;
    }
    settle(req, action.apply(new Templates.Scope(scope)), onFound);
  }

  private <T> void settle(HttpServerRequest req, Future<T> result, Consumer<T> onFound) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof InvalidRequest) {
          metrics.refused("invalid_template");
        }
        Problem.fail(req.response(), ar.cause(), metrics);
      } else if (ar.result() == null) {
        notFound(req);
      } else {
        onFound.accept(ar.result());
      }
    });
  }

  private static void notFound(HttpServerRequest req) {
    Problem.send(req.response(), 404, "Not Found", "no such template");
  }

  private static Integer parseVersion(String s) {
    try {
      int v = Integer.parseInt(s);
      return v >= 1 ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
