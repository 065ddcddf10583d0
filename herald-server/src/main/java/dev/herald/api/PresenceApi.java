package dev.herald.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.ApiKeys;
import dev.herald.auth.Identity;
import dev.herald.auth.TokenVerifier;
import dev.herald.bus.LastSeen;
import dev.herald.bus.PresenceView;
import dev.herald.http.HttpAuth;
import dev.herald.http.Problem;
import dev.herald.http.Routes;
import dev.herald.ops.HeraldMetrics;
import dev.herald.store.Timestamps;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.ZoneOffset;
import java.util.function.Consumer;

/**
 * {@code GET /api/presence/{userId}} and {@code GET /api/presence?room=} (contract part 2, "Presence
 * and typing"). One user's presence:
 * {@code {userId, status, customStatus, online, lastSeenAt}}, for a user of the same tenant (their
 * token) or a service (its key; a global key names the tenant with {@code ?tenant=}). A user with
 * no session is {@code OFFLINE} with the {@code lastSeenAt} kept in PostgreSQL (null: never seen);
 * one online was last seen now.
 */
public final class PresenceApi {
  private final Vertx vertx;
  private final PresenceView presence;
  private final LastSeen lastSeen;
  private final ApiKeys apiKeys;
  private final TokenVerifier verifier;
  private final HeraldMetrics metrics;

  public PresenceApi(Vertx vertx, PresenceView presence, LastSeen lastSeen, ApiKeys apiKeys, TokenVerifier verifier,
      HeraldMetrics metrics) {
    this.vertx = vertx;
    this.presence = presence;
    this.lastSeen = lastSeen;
    this.apiKeys = apiKeys;
    this.verifier = verifier;
    this.metrics = metrics;
  }

  /** {@code GET /api/presence/{userId}}. */
  public void user(HttpServerRequest req, Routes.Params params) {
    String user = UsersApi.decode(params.get("userId"));
    if (!Identity.isValidId(user)) {
      Problem.badRequest(req.response(), "the user id must be 1-128 printable characters without spaces");
      return;
    }
    tenantOf(req, tenant -> {
      PresenceView.Live live = presence.live(tenant, user);
      ObjectNode out = JsonNodeFactory.instance.objectNode().put("userId", user);
      if (live != null) {
        out.put("status", live.status()).put("customStatus", live.customStatus()).put("online", live.connected())
            .put("lastSeenAt", Timestamps.iso(java.time.OffsetDateTime.now(ZoneOffset.UTC)));
        Problem.ok(req.response(), 200, out.toString());
        return;
      }
      lastSeen.lastSeen(tenant, user).onComplete(ar -> {
        if (ar.failed()) {
          Problem.fail(req.response(), ar.cause(), metrics);
          return;
        }
        out.put("status", "OFFLINE").putNull("customStatus").put("online", false);
        out.put("lastSeenAt", ar.result() == null ? null : Timestamps.iso(ar.result().atOffset(ZoneOffset.UTC)));
        Problem.ok(req.response(), 200, out.toString());
      });
    });
  }

  /**
   * {@code GET /api/presence?room=}: {@code {room, users: [{userId, status, customStatus, since}]}},
   * for a service, or for a user who is in the room.
   */
  public void room(HttpServerRequest req, Routes.Params params) {
    String room = req.getParam("room");
    if (room == null || !dev.herald.auth.RoomAuthorizer.isValidRoomName(room)) {
      Problem.badRequest(req.response(), "room must name a room: ?room=document:42");
      return;
    }
    String bearer = HttpAuth.bearer(req);
    boolean service = bearer != null && apiKeys.authenticate(bearer).isPresent();
    tenantAndUser(req, (tenant, user) -> {
      java.util.List<PresenceView.Member> members = presence.room(tenant, room);
      if (!service && members.stream().noneMatch(m -> m.userId().equals(user))) {
        metrics.refused("presence_who_not_member");
        Problem.forbidden(req.response(), "only members of the room (or a service) see who is in it");
        return;
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode().put("room", room);
      var users = out.putArray("users");
      for (PresenceView.Member m : members) {
        users.addObject().put("userId", m.userId()).put("status", m.status()).put("customStatus", m.customStatus())
            .put("since", m.since().toString());
      }
      Problem.ok(req.response(), 200, out.toString());
    });
  }

  /** The tenant the request reads: a service key's scope, else the verified user token's tenant; answers 401/400 itself. */
  private void tenantOf(HttpServerRequest req, Consumer<String> then) {
    tenantAndUser(req, (tenant, user) -> then.accept(tenant));
  }

  /** The tenant, and the user of a user token (null for a service); answers 401/400 itself. */
  private void tenantAndUser(HttpServerRequest req, java.util.function.BiConsumer<String, String> then) {
    String bearer = HttpAuth.bearer(req);
    if (bearer != null && apiKeys.authenticate(bearer).isPresent()) {
      String tenant = ServiceScope.of(req, apiKeys, metrics);
      if (tenant == null) {
        return;
      }
      if (tenant.isEmpty()) {
        Problem.badRequest(req.response(), "a global API key names the tenant with ?tenant=");
        return;
      }
      then.accept(tenant, null);
      return;
    }
    UserTokens.asUser(vertx, verifier, metrics, req,
        "a user token or an API key is required: Authorization: Bearer <…>",
        user -> then.accept(user.tenantId(), user.userId()));
  }
}
