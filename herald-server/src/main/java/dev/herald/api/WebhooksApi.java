package dev.herald.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.ApiKeys;
import dev.herald.config.HeraldConfig;
import dev.herald.delivery.TargetAddresses;
import dev.herald.delivery.webhook.NewEndpoint;
import dev.herald.delivery.webhook.WebhookChannel;
import dev.herald.delivery.webhook.WebhookEndpoint;
import dev.herald.delivery.webhook.WebhookEndpoints;
import dev.herald.http.Bodies;
import dev.herald.http.Problem;
import dev.herald.http.Routes;
import dev.herald.ops.HeraldMetrics;
import dev.herald.validation.Fields;
import dev.herald.validation.InvalidRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * {@code /api/webhooks} for API keys (contract part 2, "Webhooks"): a tenant's Standard Webhooks
 * endpoints. Endpoints belong to tenants: a tenant-bound key manages its own, a global key names the
 * tenant with {@code ?tenant=}. Another tenant's endpoint is not found (404).
 *
 * <pre>
 * POST   /api/webhooks                       {url, events?, description?} → 201 with the secret
 * GET    /api/webhooks                       {webhooks: [...]} without secrets
 * GET    /api/webhooks/{id}                  with the secret (and disabledReason once disabled)
 * DELETE /api/webhooks/{id}                  204
 * POST   /api/webhooks/{id}/rotate-secret    a new secret; the old one signs beside it for 24 h
 * POST   /api/webhooks/{id}/test             sends webhook.test now: {delivered, status?, error?, webhookId, durationMs}
 * </pre>
 */
public final class WebhooksApi {
  private final Vertx vertx;
  private final WebhookEndpoints endpoints;
  private final WebhookChannel channel;
  private final TargetAddresses targets;
  private final ApiKeys apiKeys;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Limits limits;
  private final Clock clock;

  public WebhooksApi(Vertx vertx, WebhookEndpoints endpoints, WebhookChannel channel, TargetAddresses targets,
      ApiKeys apiKeys, HeraldMetrics metrics, HeraldConfig.Limits limits, Clock clock) {
    this.vertx = vertx;
    this.endpoints = endpoints;
    this.channel = channel;
    this.targets = targets;
    this.apiKeys = apiKeys;
    this.metrics = metrics;
    this.limits = limits;
    this.clock = clock;
  }

  /** {@code POST /api/webhooks}: checks the body, then the target (DNS, off the event loop), then stores. */
  public void create(HttpServerRequest req) {
    String tenant = tenantOf(req);
    if (tenant == null) {
      return;
    }
    Bodies.readJson(req, limits.maxHttpBodyBytes(), metrics, body -> {
      NewEndpoint asked;
      try {
        asked = NewEndpoint.read(body);
      } catch (InvalidRequest e) {
        refuse(req, e);
        return;
      }
      // contract: "loopback, private and link-local targets are refused (SSRF)", when registered too
      vertx.executeBlocking(() -> targets.refusal(asked.url()), false)
          .compose(refusal -> refusal.isEmpty() ? endpoints.create(tenant, asked)
              : Future.failedFuture(new InvalidRequest(400, "url: " + refusal.get(),
                  List.of(new InvalidRequest.FieldError("url", refusal.get())))))
          .onComplete(ar -> {
            if (ar.failed()) {
              refuse(req, ar.cause());
            } else {
              Problem.ok(req.response(), 201, ar.result().toJson(true, clock.instant()).toString());
            }
          });
    });
  }

  /** {@code GET /api/webhooks}: the tenant's endpoints, without their secrets. */
  public void list(HttpServerRequest req) {
    req.resume();
    String tenant = tenantOf(req);
    if (tenant == null) {
      return;
    }
    endpoints.list(tenant).onComplete(ar -> {
      if (ar.failed()) {
        Problem.fail(req.response(), ar.cause(), metrics);
        return;
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      ArrayNode list = out.putArray("webhooks");
      ar.result().forEach(e -> list.add(e.toJson(false, clock.instant())));
      Problem.ok(req.response(), 200, out.toString());
    });
  }

  /** {@code GET /api/webhooks/{id}}: with its secret. */
  public void get(HttpServerRequest req, Routes.Params params) {
    withEndpoint(req, params, endpoints::get, e -> ok(req, e));
  }

  /** {@code DELETE /api/webhooks/{id}}. */
  public void delete(HttpServerRequest req, Routes.Params params) {
    withEndpoint(req, params, (tenant, id) -> endpoints.delete(tenant, id).map(d -> d ? Boolean.TRUE : null),
        d -> req.response().setStatusCode(204).end());
  }

  /** {@code POST /api/webhooks/{id}/rotate-secret}: the endpoint with its new secret. */
  public void rotateSecret(HttpServerRequest req, Routes.Params params) {
    withEndpoint(req, params, endpoints::rotateSecret, e -> ok(req, e));
  }

  /**
   * {@code POST /api/webhooks/{id}/enable}: turns an endpoint disabled by a 410 back on; jobs that
   * ended {@code skipped: endpoint-disabled} meanwhile can be retried ({@code /api/deliveries/retry}).
   */
  public void enable(HttpServerRequest req, Routes.Params params) {
    withEndpoint(req, params, endpoints::enable, e -> ok(req, e));
  }

  /** {@code POST /api/webhooks/{id}/test}: a {@code webhook.test} message, sent and reported synchronously. */
  public void test(HttpServerRequest req, Routes.Params params) {
    withEndpoint(req, params, endpoints::get, e -> vertx.executeBlocking(() -> channel.test(e), false)
        .onComplete(ar -> {
          if (ar.failed()) {
            Problem.fail(req.response(), ar.cause(), metrics);
          } else {
            Problem.ok(req.response(), 200, ar.result().toJson().toString());
          }
        }));
  }

  private void ok(HttpServerRequest req, WebhookEndpoint e) {
    Problem.ok(req.response(), 200, e.toJson(true, clock.instant()).toString());
  }

  /** Runs {@code action} on the endpoint of the path; 404 when the id is malformed or not the tenant's. */
  private <T> void withEndpoint(HttpServerRequest req, Routes.Params params,
      BiFunction<String, UUID, Future<T>> action, Consumer<T> onFound) {
    req.resume();
    String tenant = tenantOf(req);
    if (tenant == null) {
      return;
    }
    UUID id = Fields.uuid(params.get("id"));
    if (id == null) {
      notFound(req);
      return;
    }
    action.apply(tenant, id).onComplete(ar -> {
      if (ar.failed()) {
        Problem.fail(req.response(), ar.cause(), metrics);
      } else if (ar.result() == null) {
        notFound(req);
      } else {
        onFound.accept(ar.result());
      }
    });
  }

  /**
   * The tenant the request acts in, or null after answering: endpoints belong to tenants, so a
   * global key must name one ({@code ?tenant=}).
   */
  private String tenantOf(HttpServerRequest req) {
    String scope = ServiceScope.of(req, apiKeys, metrics);
    if (scope != null && scope.isEmpty()) {
      req.resume();
      Problem.badRequest(req.response(), "webhook endpoints belong to tenants: a global API key names one "
          + "with ?tenant=<tenant id>");
      return null;
    }
    return scope;
  }

  private void refuse(HttpServerRequest req, Throwable e) {
    if (e instanceof InvalidRequest) {
      metrics.refused("invalid_webhook");
    }
    Problem.fail(req.response(), e, metrics);
  }

  private static void notFound(HttpServerRequest req) {
    Problem.send(req.response(), 404, "Not Found", "no such webhook endpoint");
  }
}
