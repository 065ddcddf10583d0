package dev.herald.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.Identity;
import dev.herald.auth.TokenVerifier;
import dev.herald.config.HeraldConfig;
import dev.herald.delivery.TargetAddresses;
import dev.herald.delivery.webpush.PushSubscriptionBody;
import dev.herald.delivery.webpush.PushSubscriptions;
import dev.herald.delivery.webpush.VapidKeys;
import dev.herald.http.Bodies;
import dev.herald.http.Problem;
import dev.herald.http.Routes;
import dev.herald.ops.HeraldMetrics;
import dev.herald.validation.Fields;
import dev.herald.validation.InvalidRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * {@code /api/push} for users, with their token (contract part 2, "Web Push"): the VAPID public key a
 * page subscribes with, and the user's own browser subscriptions. Another user's or another
 * tenant's subscription is not found (404), never 403, so ids do not leak.
 *
 * <pre>
 * GET    /api/push/vapid-public-key      {publicKey}: base64url of the 65-byte uncompressed P-256 point
 * POST   /api/push/subscriptions         PushSubscription.toJSON() → 201 {id}; the same endpoint again: 200 {id}, same id
 * GET    /api/push/subscriptions         {subscriptions: [{id, endpoint, expirationTime, createdAt, userAgent?}]}
 * DELETE /api/push/subscriptions/{id}    204
 * </pre>
 *
 * A user holding {@value PushSubscriptions#MAX_PER_USER} subscriptions gets 409 for one more.
 */
public final class PushApi {
  /** The longest {@code User-Agent} kept with a subscription. */
  static final int MAX_USER_AGENT = 300;

  private final Vertx vertx;
  private final PushSubscriptions subscriptions;
  private final VapidKeys vapid;
  private final TargetAddresses targets;
  private final TokenVerifier verifier;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Limits limits;

  public PushApi(Vertx vertx, PushSubscriptions subscriptions, VapidKeys vapid, TargetAddresses targets,
      TokenVerifier verifier, HeraldMetrics metrics, HeraldConfig.Limits limits) {
    this.vertx = vertx;
    this.subscriptions = subscriptions;
    this.vapid = vapid;
    this.targets = targets;
    this.verifier = verifier;
    this.metrics = metrics;
    this.limits = limits;
  }

  /** {@code GET /api/push/vapid-public-key}: the browser's {@code applicationServerKey}. */
  public void publicKey(HttpServerRequest req) {
    asUser(req, user -> Problem.ok(req.response(), 200,
        JsonNodeFactory.instance.objectNode().put("publicKey", vapid.publicKey()).toString()));
  }

  /** {@code POST /api/push/subscriptions}: checks the body, then the endpoint (DNS, off the event loop), then stores. */
  public void subscribe(HttpServerRequest req) {
    asUser(req, user -> Bodies.readJson(req, limits.maxHttpBodyBytes(), metrics, doc -> {
      PushSubscriptionBody body;
      try {
        body = PushSubscriptionBody.read(doc, targets.allowsPrivate());
      } catch (InvalidRequest e) {
        refuse(req, e);
        return;
      }
      String agent = req.getHeader("user-agent");
      String userAgent = agent == null || agent.isBlank() ? null
          : agent.substring(0, Math.min(agent.length(), MAX_USER_AGENT));
      // contract: "loopback, private and link-local targets are refused (SSRF)", when registered too
      vertx.executeBlocking(() -> targets.refusal(body.endpoint()), false)
          .compose(refusal -> refusal.isEmpty()
              ? subscriptions.save(user.tenantId(), user.userId(), body, userAgent)
              : Future.failedFuture(new InvalidRequest(400, "endpoint: " + refusal.get(),
                  List.of(new InvalidRequest.FieldError("endpoint", refusal.get())))))
          .onComplete(ar -> {
            if (ar.failed()) {
              refuse(req, ar.cause());
            } else if (ar.result() == null) {
              metrics.refused("push_subscription_limit");
              Problem.invalid(req.response(), 409, "a user holds at most " + PushSubscriptions.MAX_PER_USER
                  + " push subscriptions; delete one first (DELETE /api/push/subscriptions/{id})", List.of());
            } else {
              Problem.ok(req.response(), ar.result().created() ? 201 : 200,
                  JsonNodeFactory.instance.objectNode().put("id", ar.result().id().toString()).toString());
            }
          });
    }));
  }

  /** {@code GET /api/push/subscriptions}: the caller's own, without their keys. */
  public void list(HttpServerRequest req) {
    asUser(req, user -> subscriptions.list(user.tenantId(), user.userId()).onComplete(ar -> {
      if (ar.failed()) {
        Problem.fail(req.response(), ar.cause(), metrics);
        return;
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      ArrayNode list = out.putArray("subscriptions");
      ar.result().forEach(s -> list.add(s.toJson()));
      Problem.ok(req.response(), 200, out.toString());
    }));
  }

  /** {@code DELETE /api/push/subscriptions/{id}}: 204, or 404 when it is not the caller's. */
  public void unsubscribe(HttpServerRequest req, Routes.Params params) {
    asUser(req, user -> {
      UUID id = Fields.uuid(params.get("id"));
      if (id == null) {
        notFound(req);
        return;
      }
      subscriptions.delete(user.tenantId(), user.userId(), id).onComplete(ar -> {
        if (ar.failed()) {
          Problem.fail(req.response(), ar.cause(), metrics);
        } else if (!ar.result()) {
          notFound(req);
        } else {
          req.response().setStatusCode(204).end();
        }
      });
    });
  }

  /** The user behind the request's token, then {@code action}; 401 without a valid one. */
  private void asUser(HttpServerRequest req, Consumer<Identity> action) {
    UserTokens.asUser(vertx, verifier, metrics, req, UserTokens.REQUIRED, action);
  }

  private void refuse(HttpServerRequest req, Throwable e) {
    if (e instanceof InvalidRequest) {
      metrics.refused("invalid_push_subscription");
    }
    Problem.fail(req.response(), e, metrics);
  }

  private static void notFound(HttpServerRequest req) {
    Problem.send(req.response(), 404, "Not Found", "no such push subscription");
  }
}
