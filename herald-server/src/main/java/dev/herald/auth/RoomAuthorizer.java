package dev.herald.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import dev.herald.validation.Fields;

/**
 * Decides whether a user may join a room: first the token's {@code rooms} patterns, then the
 * operator's HTTP hook ({@code POST {user, tenant, room}}, any 2xx allows), whose answers are cached
 * for a short time. Rooms {@code user:} and {@code tenant:} are joined automatically and never on
 * request, unless a pattern grants them. Thread-safe.
 */
public final class RoomAuthorizer {
  /** The answer to a join request. {@code reason} says why a refusal happened. */
  public record Decision(boolean allowed, String reason) {
    static final Decision ALLOW = new Decision(true, null);

    static Decision refuse(String reason) {
      return new Decision(false, reason);
    }
  }

  private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_.:@/+=\\-]{1,200}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ECHOED = 40;

  private final String hookUrl;
  private final long cacheTtlNanos;
  private final HttpClient http;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Decision decision, long expiresAt) {}

  public RoomAuthorizer(Vertx vertx, String hookUrl, Duration cacheTtl) {
    this.hookUrl = hookUrl;
    this.cacheTtlNanos = cacheTtl.toNanos();
    this.http = hookUrl == null ? null : vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout(2_000).setIdleTimeout(30));
  }

  /** True for names Herald accepts as rooms: 1-200 of letters, digits and {@code _.:@/+=-}. */
  public static boolean isValidRoomName(String room) {
    return room != null && ROOM.matcher(room).matches();
  }

  /** Decides whether {@code who} may join {@code room}. Never fails; refusals carry a reason. */
  public Future<Decision> authorize(Identity who, String room) {
    if (!isValidRoomName(room)) {
      return Future.succeededFuture(Decision.refuse(
          "invalid room name: 1-200 letters, digits and _.:@/+=- expected"));
    }
    if (who.automaticRooms().contains(room) || who.patternsAllow(room)) {
      return Future.succeededFuture(Decision.ALLOW);
    }
    if (room.startsWith("user:") || room.startsWith("tenant:")) {
      return Future.succeededFuture(Decision.refuse("room " + Fields.abbreviate(room, MAX_ECHOED) + " is reserved"));
    }
    if (http == null) {
      return Future.succeededFuture(Decision.refuse("not allowed to join " + Fields.abbreviate(room, MAX_ECHOED)));
    }
    String cacheKey = who.tenantId() + '\u0000' + who.userId() + '\u0000' + room;
    Cached hit = cache.get(cacheKey);
    long now = System.nanoTime();
    if (hit != null && hit.expiresAt - now > 0) {
      return Future.succeededFuture(hit.decision);
    }
    return askHook(who, room).map(decision -> {
      if (cache.size() > 100_000) {
        cache.clear();
      }
      cache.put(cacheKey, new Cached(decision, System.nanoTime() + cacheTtlNanos));
      return decision;
    });
  }

  /**
   * The room as a refusal reason names it: a client may have sent the longest name there is (200
   * characters) to have it echoed, once per refused join.
   */
  private Future<Decision> askHook(Identity who, String room) {
    String body;
    try {
      body = JSON.writeValueAsString(Map.of("user", who.userId(), "tenant", who.tenantId(), "room", room));
    } catch (Exception e) {
      return Future.succeededFuture(Decision.refuse("authorization failed"));
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(hookUrl)
        .putHeader("content-type", "application/json").setTimeout(5_000);
    return http.request(options)
        .compose(req -> req.send(Buffer.buffer(body)))
        .map(resp -> resp.statusCode() / 100 == 2
            ? Decision.ALLOW
            : Decision.refuse("not allowed to join " + Fields.abbreviate(room, MAX_ECHOED)))
        .otherwise(err -> Decision.refuse("authorization hook unavailable"));
  }
}
