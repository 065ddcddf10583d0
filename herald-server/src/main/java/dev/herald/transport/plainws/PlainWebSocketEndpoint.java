package dev.herald.transport.plainws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.http.HttpAuth;
import dev.herald.http.Problem;
import dev.herald.auth.AuthException;
import dev.herald.auth.Identity;
import dev.herald.auth.RoomAuthorizer;
import dev.herald.auth.TokenVerifier;
import dev.herald.config.HeraldConfig;
import dev.herald.gateway.CloseReason;
import dev.herald.gateway.Gateway;
import dev.herald.gateway.Requests;
import dev.herald.gateway.RoomEvent;
import dev.herald.gateway.Session;
import dev.herald.gateway.TokenBucket;
import dev.herald.transport.websocket.UpgradeRequest;
import dev.herald.transport.websocket.WebSocket;
import dev.herald.transport.websocket.WebSocketFrames;
import dev.herald.transport.websocket.WebSocketSettings;
import dev.herald.ops.HeraldMetrics;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code /ws}: the plain JSON WebSocket protocol of seed 002, one JSON object per text frame.
 * Client: {@code {type:"ping"}}, {@code {type:"subscribe", channels}}, {@code unsubscribe},
 * {@code join}/{@code leave {room}}. Server: {@code {type:"connected"}}, {@code {type:"pong"}},
 * {@code {type:"subscribed"}}, {@code {type:"error", message}}, and events as
 * {@code {type:"event", event, room, data, id}}. The token comes in the {@code Authorization}
 * header or {@code ?token=}; a bad one is refused with 401 before the upgrade.
 */
public final class PlainWebSocketEndpoint {
  /** Key of the /ws encoding of an event in {@link RoomEvent#encoded}. */
  private static final Object ENCODING = new Object();
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final Vertx vertx;
  private final Gateway gateway;
  private final TokenVerifier verifier;
  private final HeraldMetrics metrics;
  private final HeraldConfig config;
  private final WebSocketSettings settings;
  private final dev.herald.gateway.Inbox inbox;

  public PlainWebSocketEndpoint(Vertx vertx, Gateway gateway, TokenVerifier verifier, HeraldMetrics metrics,
      HeraldConfig config, dev.herald.gateway.Inbox inbox) {
    this.vertx = vertx;
    this.inbox = inbox;
    this.gateway = gateway;
    this.verifier = verifier;
    this.metrics = metrics;
    this.config = config;
    this.settings = new WebSocketSettings(config.engine().maxPayload(), config.limits().outboundBufferBytes());
  }

  /** A request to {@code /ws} that is not a WebSocket upgrade. */
  public void handle(HttpServerRequest req) {
    Problem.badRequest(req.response(), "/ws expects a WebSocket upgrade");
  }

  /** A WebSocket upgrade to {@code /ws}: the token is checked before the handshake completes. */
  public void upgrade(UpgradeRequest req) {
    if (gateway.isDraining()) {
      req.refuse(503, "application/problem+json", Problem.json(503, "Service Unavailable", "server shutting down"),
          "retry-after", "5");
      return;
    }
    String token = HttpAuth.bearer(req.header("authorization"));
    if (token == null) {
      token = req.param("token");
    }
    verifier.verifyAsync(vertx, token).onComplete(ar -> {
      if (ar.failed()) {
        metrics.refused("unauthorized");
        String reason = ar.cause() instanceof AuthException ? ar.cause().getMessage() : "token could not be verified";
        req.refuse(401, "application/problem+json", Problem.json(401, "Unauthorized", reason),
            "www-authenticate", "Bearer");
        return;
      }
      Identity identity = ar.result();
      if (Vertx.currentContext() == req.context()) {
        open(req, identity);
      } else {
        req.context().runOnContext(v -> open(req, identity));
      }
    });
  }

  private void open(UpgradeRequest req, Identity identity) {
    WsSession session = new WsSession(identity, req.context());
    WebSocket ws = req.accept(settings, session);
    session.ws = ws;
    // rooms are joined after the welcome is written, so no event can overtake it
    if (!gateway.register(session, false)) {
      ws.close(gateway.isDraining() ? CloseReason.SERVER_SHUTDOWN.code() : (short) 4429,
          gateway.isDraining() ? CloseReason.SERVER_SHUTDOWN.text()
              : "too many connections for this user (limit " + config.limits().maxConnectionsPerUser() + ")");
      return;
    }
    session.registered = true;
    ObjectNode hello = JsonNodeFactory.instance.objectNode().put("type", "connected")
        .put("sessionId", session.id).put("userId", identity.userId()).put("tenantId", identity.tenantId());
    ArrayNode rooms = hello.putArray("rooms");
    identity.automaticRooms().forEach(rooms::add);
    ws.sendText(hello.toString());
    for (String room : identity.automaticRooms()) {
      gateway.joinAuthorized(session, room);
    }
    session.scheduleHeartbeat();
  }

  /** One /ws connection. Owned by the WebSocket's event loop; deliver/close are thread-safe. */
  private final class WsSession implements Session, WebSocket.Listener {
    private WebSocket ws;
    private boolean registered;
    private final io.vertx.core.Context context;
    private boolean unflushed;
    private final Identity identity;
    private final String id = UUID.randomUUID().toString();
    private final TokenBucket bucket;
    private long heartbeatTimer = -1;
    private long lastSeen = System.nanoTime();
    private volatile boolean closed;

    WsSession(Identity identity, io.vertx.core.Context context) {
      this.identity = identity;
      this.context = context;
      this.bucket = new TokenBucket(config.limits().messagesPerSecond(), config.limits().burst());
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Identity identity() {
      return identity;
    }

    @Override
    public String transport() {
      return "ws";
    }

    @Override
    public boolean deliver(RoomEvent event) {
      if (closed) {
        return false;
      }
      if (!ws.isWritable()) {
        metrics.refused("slow_consumer");
        close(CloseReason.SLOW_CONSUMER);
        return false;
      }
      metrics.messageOut("ws");
      if (event.rooms().size() == 1) {
        ByteBuf frame = event.encoded(ENCODING, e -> WebSocketFrames.sharedText(encode(e, e.rooms().get(0))));
        ws.writeShared(frame);
        unflushed = true;
      } else {
        ws.sendText(encode(event, firstJoinedRoom(event)));
      }
      return true;
    }

    @Override
    public void flush() {
      if (unflushed) {
        unflushed = false;
        ws.flush();
      }
    }

    @Override
    public io.vertx.core.Context context() {
      return context;
    }

    @Override
    public void close(CloseReason reason) {
      if (!closed) {
        closed = true;
        if (reason == CloseReason.SLOW_CONSUMER) {
          ws.abort(reason.code(), reason.text());
        } else {
          ws.close(reason.code(), reason.text());
        }
      }
    }

    void scheduleHeartbeat() {
      long interval = config.engine().pingInterval().toMillis();
      long timeoutNanos = (config.engine().pingInterval().plus(config.engine().pingTimeout())).toNanos();
      heartbeatTimer = vertx.setPeriodic(interval, t -> {
        if (System.nanoTime() - lastSeen > timeoutNanos) {
          close(CloseReason.PING_TIMEOUT);
          return;
        }
        // RFC 6455 5.5.2: a ping frame; the client's automatic pong counts as a sign of life
        ws.sendPing();
      });
    }

    @Override
    public void onPong(WebSocket socket) {
      lastSeen = System.nanoTime();
    }

    @Override
    public void onBinary(WebSocket socket, byte[] data) {
      refuse(null, "binary frames are not supported; send JSON text");
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason) {
      closed = true;
      vertx.cancelTimer(heartbeatTimer);
      if (code == 1009) {
        metrics.refused("payload_too_large");
      }
      if (registered) {
        gateway.unregister(this);
      }
    }

    @Override
    public void onText(WebSocket socket, String text) {
      lastSeen = System.nanoTime();
      metrics.messageIn("ws");
      if (!bucket.tryTake()) {
        metrics.refused("rate_limited");
        if (bucket.refusedInARow() > config.limits().maxRefusedInARow()) {
          close(CloseReason.RATE_LIMITED);
        } else {
          sendError(null, "rate limit exceeded", "rate_limited");
        }
        return;
      }
      JsonNode msg;
      try {
        msg = JSON.readTree(text);
      } catch (Exception e) {
        refuse(null, "malformed message: not JSON");
        return;
      }
      if (msg == null || !msg.isObject() || !msg.path("type").isTextual()) {
        refuse(null, "malformed message: an object with a string type is expected");
        return;
      }
      JsonNode requestId = msg.get("requestId");
      String type = msg.get("type").asText();
      switch (type) {
        case "ping" -> send(JsonNodeFactory.instance.objectNode().put("type", "pong"), requestId);
        case "subscribe" -> join(Requests.channelRooms(msg), requestId);
        case "join" -> join(Requests.one(Requests.room(msg)), requestId);
        case "unsubscribe" -> leave(Requests.channelRooms(msg), requestId);
        case "leave" -> leave(Requests.one(Requests.room(msg)), requestId);
        case "ack" -> inbox.ack(identity(), msg).onComplete(ar -> {
          if (ar.succeeded()) {
            sendRaw(ar.result().replaceFirst("^\\{", "{\"type\":\"acked\","), requestId);
          } else {
            inboxFailure(requestId, ar.cause());
          }
        });
        case "updatePreferences" -> {
          com.fasterxml.jackson.databind.node.ObjectNode patch = ((com.fasterxml.jackson.databind.node.ObjectNode) msg).deepCopy();
          patch.remove(java.util.List.of("type", "requestId"));
          inbox.updatePreferences(identity(), patch).onComplete(ar -> {
            if (ar.succeeded()) {
              sendRaw("{\"type\":\"preferences\",\"preferences\":" + ar.result() + "}", requestId);
            } else {
              inboxFailure(requestId, ar.cause());
            }
          });
        }
        case "requestMissedNotifications" -> inbox.missed(identity(), msg).onComplete(ar -> {
          if (ar.failed()) {
            inboxFailure(requestId, ar.cause());
            return;
          }
          for (dev.herald.gateway.Inbox.Missed missed : ar.result().notifications()) {
            String n = missed.json();
            sendRaw(n, null);
          }
          send(JsonNodeFactory.instance.objectNode().put("type", "missedNotifications")
              .put("count", ar.result().notifications().size()).put("lastSequence", ar.result().lastSequence())
              .put("hasMore", ar.result().more()), requestId);
        });
        default -> refuse(requestId, "unknown message type '" + abbreviate(type) + "'");
      }
    }

    void refuse(JsonNode requestId, String message) {
      sendError(requestId, message, "bad_request");
    }

    private void join(List<String> rooms, JsonNode requestId) {
      if (rooms.isEmpty() || rooms.contains(null)) {
        refuse(requestId, "subscribe needs channels, join needs a room");
        return;
      }
      List<Future<RoomAuthorizer.Decision>> decisions = new ArrayList<>();
      for (String r : rooms) {
        decisions.add(gateway.join(this, r));
      }
      Future.join(decisions).onComplete(done -> {
        ObjectNode answer = JsonNodeFactory.instance.objectNode().put("type", "subscribed");
        ArrayNode joined = answer.putArray("rooms");
        ArrayNode refused = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < rooms.size(); i++) {
          RoomAuthorizer.Decision d = decisions.get(i).result();
          if (d != null && d.allowed()) {
            joined.add(rooms.get(i));
          } else {
            refused.addObject().put("room", rooms.get(i)).put("reason", d == null ? "authorization failed" : d.reason());
          }
        }
        if (!joined.isEmpty()) {
          send(answer, requestId);
        }
        for (JsonNode r : refused) {
          ObjectNode err = JsonNodeFactory.instance.objectNode().put("type", "error")
              .put("code", "forbidden").put("message", r.get("reason").asText()).put("room", r.get("room").asText());
          send(err, requestId);
        }
      });
    }

    private void leave(List<String> rooms, JsonNode requestId) {
      ObjectNode answer = JsonNodeFactory.instance.objectNode().put("type", "unsubscribed");
      ArrayNode left = answer.putArray("rooms");
      for (String r : rooms) {
        if (r != null && gateway.leave(this, r)) {
          left.add(r);
        }
      }
      send(answer, requestId);
    }

    private void inboxFailure(JsonNode requestId, Throwable e) {
      if (e instanceof dev.herald.gateway.Inbox.Refusal r) {
        sendError(requestId, r.getMessage(), r.code());
      } else {
        sendError(requestId, "notifications are unavailable right now; retry shortly", "unavailable");
      }
    }

    /** Sends a JSON object given as text, with {@code requestId} added when there is one. */
    private void sendRaw(String json, JsonNode requestId) {
      if (closed) {
        return;
      }
      if (requestId != null && json.endsWith("}")) {
        json = json.substring(0, json.length() - 1) + ",\"requestId\":" + requestId + "}";
      }
      ws.sendText(json);
    }

    private void sendError(JsonNode requestId, String message, String code) {
      send(JsonNodeFactory.instance.objectNode().put("type", "error").put("code", code).put("message", message),
          requestId);
    }

    private void send(ObjectNode msg, JsonNode requestId) {
      if (requestId != null) {
        msg.set("requestId", requestId);
      }
      if (!closed) {
        ws.sendText(msg.toString());
      }
    }

    private String firstJoinedRoom(RoomEvent event) {
      if (event.rooms().size() == 1) {
        return event.rooms().get(0);
      }
      List<String> mine = gateway.roomsOf(this);
      for (String r : event.rooms()) {
        if (mine.contains(r)) {
          return r;
        }
      }
      return event.rooms().get(0);
    }
  }

  private static String encode(RoomEvent e, String room) {
    if (e.event().equals("notification")) {
      // a durable notification travels as itself, the seed 002 shape {id, type, timestamp, requiresAck, data, ...}
      return e.dataJson();
    }
    return "{\"type\":\"event\",\"event\":" + JsonNodeFactory.instance.textNode(e.event())
        + ",\"room\":" + JsonNodeFactory.instance.textNode(room)
        + ",\"data\":" + e.dataJson()
        + ",\"id\":\"" + e.offset() + "\",\"timestamp\":" + e.timestampMillis() + "}";
  }


  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
