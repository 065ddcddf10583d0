package dev.herald.transport.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.AuthException;
import dev.herald.auth.Identity;
import dev.herald.auth.RoomAuthorizer;
import dev.herald.auth.TokenVerifier;
import dev.herald.config.HeraldConfig;
import dev.herald.gateway.CloseReason;
import dev.herald.gateway.Gateway;
import dev.herald.gateway.Inbox;
import dev.herald.gateway.Requests;
import dev.herald.gateway.RoomEvent;
import dev.herald.gateway.Session;
import dev.herald.gateway.TokenBucket;
import dev.herald.transport.engineio.EngineServer;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Herald's Socket.IO application, served on {@code /} and {@code /events}: authenticates the
 * CONNECT, joins the automatic rooms, answers room requests, and offers connection state recovery
 * (a client whose transport dropped within the recovery window gets its id, rooms and missed
 * events back, and {@code socket.recovered} is true).
 */
public final class HeraldNamespace implements Namespace {
  /** Disconnect reasons after which socket.io keeps a session for recovery. */
  private static final Set<String> RECOVERABLE = Set.of(
      "transport close", "transport error", "ping timeout", "forced close", "server shutting down");

  private final Vertx vertx;
  private final Gateway gateway;
  private final dev.herald.gateway.Inbox inbox;
  private final TokenVerifier verifier;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Limits limits;
  private final long recoveryWindowNanos;
  private final Map<String, Parked> parked = new ConcurrentHashMap<>();
  /** {@link RoomEvent#encoded} keys, one per namespace, shared by its sessions. */
  private static final Map<String, Object> ENCODING_KEYS = new ConcurrentHashMap<>();

  /** A disconnected session kept for recovery. */
  private record Parked(String sid, String pid, Identity identity, List<String> rooms, String startOffset,
      long expiresAt) {}

  public HeraldNamespace(Vertx vertx, Gateway gateway, TokenVerifier verifier, HeraldMetrics metrics,
      HeraldConfig config, dev.herald.gateway.Inbox inbox) {
    this.vertx = vertx;
    this.inbox = inbox;
    this.gateway = gateway;
    this.verifier = verifier;
    this.metrics = metrics;
    this.limits = config.limits();
    this.recoveryWindowNanos = config.recovery().window().toNanos();
    vertx.setPeriodic(Math.max(1_000, config.recovery().window().toMillis() / 4), t -> expireParked());
  }

  @Override
  public Future<Void> connect(SioSocket socket, JsonNode auth, EngineServer.Handshake handshake) {
    String token = text(auth, "token");
    if (token == null) {
      token = handshake.param("token");
    }
    if (token == null && handshake.authorization() != null
        && handshake.authorization().regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = handshake.authorization().substring(7).trim();
    }
    return verifier.verifyAsync(vertx, token)
        .recover(err -> {
          metrics.refused("unauthorized");
          String reason = err instanceof AuthException ? err.getMessage() : "token could not be verified";
          return Future.failedFuture(refusal("unauthorized: " + reason, "unauthorized"));
        })
        .compose(identity -> onContext(socket, () -> accept(socket, identity, text(auth, "pid"), text(auth, "offset"))));
  }

  private Future<Void> accept(SioSocket socket, Identity identity, String pid, String offset) {
    Parked previous = pid == null ? null : parked.remove(pid);
    // why an offered recovery id cannot resume (null: it can, or none was offered)
    String refused = pid == null ? null
        : previous == null ? "unknown_pid"
        : !previous.identity.userId().equals(identity.userId())
            || !previous.identity.tenantId().equals(identity.tenantId()) ? "other_user"
        : previous.expiresAt - System.nanoTime() <= 0 ? "expired"
        : null;
    boolean resumable = previous != null && refused == null;
    if (refused != null) {
      metrics.recovery(refused);
    }
    if (resumable) {
      socket.restore(previous.sid, previous.pid);
    } else {
      socket.enableRecovery();
    }
    SocketIoSession session = new SocketIoSession(socket, identity, gateway.currentId());
    if (!gateway.register(session, !resumable)) {
      return Future.failedFuture(gateway.isDraining()
          ? refusal("server shutting down", "draining")
          : refusal("too many connections for this user (limit " + limits.maxConnectionsPerUser() + ")",
              "connection_limit"));
    }
    socket.attach(session);
    if (resumable) {
      String from = offset != null ? offset : previous.startOffset;
      if (!gateway.resume(session, previous.rooms, from)) {
        // the position is lost: start afresh under a new recovery id, so the client sees recovered=false
        socket.renew();
        metrics.recovery("position_lost");
      } else {
        metrics.recovery("recovered");
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public void onEvent(SioSocket socket, String event, ArrayNode args, SioSocket.Ack ack) {
    SocketIoSession session = socket.attachment();
    metrics.messageIn("socketio.event");
    if (!session.bucket().tryTake()) {
      metrics.refused("rate_limited");
      if (session.bucket().refusedInARow() > limits.maxRefusedInARow()) {
        socket.emit("error", error("rate_limited", "disconnected: persistent rate limit violations", event));
        socket.disconnect(true);
        return;
      }
      answerRefusal(socket, ack, error("rate_limited", "rate limit exceeded", event));
      return;
    }
    JsonNode arg = args.isEmpty() ? null : args.get(0);
    switch (event) {
      case "subscribe" -> joinAll(socket, session, event, Requests.channelRooms(arg), ack);
      case "join" -> joinAll(socket, session, event, Requests.one(Requests.room(arg)), ack);
      case "unsubscribe" -> leaveAll(session, Requests.channelRooms(arg), ack);
      case "leave" -> leaveAll(session, Requests.one(Requests.room(arg)), ack);
      case "ack" -> answer(socket, ack, event, inbox.ack(session.identity(), arg));
      case "updatePreferences" -> answer(socket, ack, event, inbox.updatePreferences(session.identity(), arg));
      case "requestMissedNotifications" -> inbox.missed(session.identity(), arg).onComplete(ar -> {
        if (ar.failed()) {
          answerFailure(socket, ack, event, ar.cause());
          return;
        }
        Inbox.Replay replay = ar.result();
        for (Inbox.Missed missed : replay.notifications()) {
          String n = missed.json();
          socket.emit("notification", parse(n));
        }
        if (ack != null) {
          ack.send(JsonNodeFactory.instance.objectNode().put("count", replay.notifications().size())
              .put("lastSequence", replay.lastSequence()).put("hasMore", replay.more()));
        }
      });
      default -> {
        if (event.startsWith("subscribe:")) {
          String kind = event.substring("subscribe:".length());
          joinAll(socket, session, event, Requests.one(Requests.aliasRoom(kind, arg)), ack);
        } else if (event.startsWith("unsubscribe:")) {
          String kind = event.substring("unsubscribe:".length());
          leaveAll(session, Requests.one(Requests.aliasRoom(kind, arg)), ack);
        } else {
          answerRefusal(socket, ack, error("unknown_event", "unknown event " + event, event));
        }
      }
    }
  }

  @Override
  public void onDisconnect(SioSocket socket, String reason) {
    SocketIoSession session = socket.attachment();
    if (session == null) {
      return;
    }
    List<String> rooms = gateway.roomsOf(session);
    gateway.unregister(session);
    if (socket.pid() != null && RECOVERABLE.contains(reason) && parked.size() < 100_000) {
      parked.put(socket.pid(), new Parked(socket.id(), socket.pid(), session.identity(), rooms,
          gateway.offsetOf(Math.max(session.lastId, session.startId)),
          System.nanoTime() + recoveryWindowNanos));
    }
  }

  private void joinAll(SioSocket socket, SocketIoSession session, String event, List<String> rooms,
      SioSocket.Ack ack) {
    if (rooms.isEmpty() || rooms.contains(null)) {
      answerRefusal(socket, ack, error("bad_request", event + " needs a room name", event));
      return;
    }
    List<Future<RoomAuthorizer.Decision>> decisions = new ArrayList<>();
    for (String room : rooms) {
      decisions.add(gateway.join(session, room));
    }
    Future.join(decisions).onComplete(done -> socket.engine().context().runOnContext(v -> {
      ObjectNode result = JsonNodeFactory.instance.objectNode();
      ArrayNode joined = result.putArray("rooms");
      ArrayNode refused = JsonNodeFactory.instance.arrayNode();
      for (int i = 0; i < rooms.size(); i++) {
        RoomAuthorizer.Decision d = decisions.get(i).result();
        if (d != null && d.allowed()) {
          joined.add(rooms.get(i));
        } else {
          refused.addObject().put("room", rooms.get(i))
              .put("reason", d == null ? "authorization failed" : d.reason());
        }
      }
      result.put("ok", refused.isEmpty());
      if (!refused.isEmpty()) {
        result.set("refused", refused);
        result.put("error", refused.get(0).get("reason").asText());
      }
      if (ack != null) {
        ack.send(result);
      } else if (!refused.isEmpty()) {
        for (JsonNode r : refused) {
          ObjectNode err = error("forbidden", r.get("reason").asText(), event);
          err.put("room", r.get("room").asText());
          socket.emit("error", err);
        }
      }
    }));
  }

  private void leaveAll(SocketIoSession session, List<String> rooms, SioSocket.Ack ack) {
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    ArrayNode left = result.putArray("rooms");
    for (String room : rooms) {
      if (room != null && gateway.leave(session, room)) {
        left.add(room);
      }
    }
    result.put("ok", true);
    if (ack != null) {
      ack.send(result);
    }
  }

  /** Answers {@code ack} with the JSON document {@code result} completes with, or with its refusal. */
  private static void answer(SioSocket socket, SioSocket.Ack ack, String event, Future<String> result) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        answerFailure(socket, ack, event, ar.cause());
      } else if (ack != null) {
        ack.send(parse(ar.result()));
      }
    });
  }

  private static void answerFailure(SioSocket socket, SioSocket.Ack ack, String event, Throwable e) {
    ObjectNode err = e instanceof Inbox.Refusal r
        ? error(r.code(), r.getMessage(), event)
        : error("unavailable", "notifications are unavailable right now; retry shortly", event);
    answerRefusal(socket, ack, err);
  }

  private static JsonNode parse(String json) {
    try {
      return SioCodec.JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("Herald produced invalid JSON", e);
    }
  }

  private static void answerRefusal(SioSocket socket, SioSocket.Ack ack, ObjectNode error) {
    if (ack != null) {
      ObjectNode answer = JsonNodeFactory.instance.objectNode().put("ok", false);
      answer.put("error", error.get("message").asText()).put("code", error.get("code").asText());
      ack.send(answer);
    } else {
      socket.emit("error", error);
    }
  }

  private static ObjectNode error(String code, String message, String event) {
    return JsonNodeFactory.instance.objectNode().put("code", code).put("message", message).put("event", event);
  }


  private static Namespace.ConnectRefused refusal(String message, String code) {
    return new Namespace.ConnectRefused(message, JsonNodeFactory.instance.objectNode().put("code", code));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  private static <T> Future<T> onContext(SioSocket socket, java.util.function.Supplier<Future<T>> work) {
    if (socket.engine().onContext()) {
      return work.get();
    }
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    socket.engine().context().runOnContext(v -> work.get().onComplete(promise));
    return promise.future();
  }

  private void expireParked() {
    long now = System.nanoTime();
    parked.values().removeIf(p -> p.expiresAt - now <= 0);
  }

  /** A Herald session carried by one Socket.IO namespace socket. */
  private final class SocketIoSession implements Session {
    private final SioSocket socket;
    private final Identity identity;
    /** The event-log position when the session started. */
    private final long startId;
    private final Object encodingKey;
    /** Created at the client's first event: most clients send few or none. */
    private TokenBucket bucket;
    /** Log id of the last event handed to the client (-1: none yet); written on the session's loop. */
    volatile long lastId = -1;

    SocketIoSession(SioSocket socket, Identity identity, long startId) {
      this.socket = socket;
      this.identity = identity;
      this.startId = startId;
      this.encodingKey = ENCODING_KEYS.computeIfAbsent(socket.nsp(), nsp -> new Object());
    }

    TokenBucket bucket() {
      if (bucket == null) {
        bucket = new TokenBucket(limits.messagesPerSecond(), limits.burst());
      }
      return bucket;
    }

    @Override
    public String id() {
      return socket.id();
    }

    @Override
    public Identity identity() {
      return identity;
    }

    @Override
    public String transport() {
      return "socketio";
    }

    @Override
    public io.vertx.core.Context context() {
      return socket.engine().context();
    }

    @Override
    public boolean deliver(RoomEvent event) {
      io.netty.buffer.ByteBuf frame = event.encoded(encodingKey,
          e -> dev.herald.transport.websocket.WebSocketFrames.sharedText("4" + encode(socket.nsp(), e)));
      lastId = event.id();
      return socket.sendShared(frame);
    }

    @Override
    public void flush() {
      socket.flush();
    }

    @Override
    public void close(CloseReason reason) {
      socket.engine().close(reason);
    }
  }

  /** {@code 2[/nsp,]["event",data,"offset"]}: the offset lets socket.io-client resume (its _lastOffset). */
  private static String encode(String nsp, RoomEvent e) {
    StringBuilder sb = SioCodec.eventPrefix(nsp);
    // one allocation for the whole packet instead of doubling from 16 characters
    sb.ensureCapacity(sb.length() + e.event().length() + e.dataJson().length() + e.offset().length() + 16);
    sb.append("[").append(JsonNodeFactory.instance.textNode(e.event()).toString()).append(',')
        .append(e.dataJson()).append(",\"").append(e.offset()).append("\"]");
    return sb.toString();
  }
}
