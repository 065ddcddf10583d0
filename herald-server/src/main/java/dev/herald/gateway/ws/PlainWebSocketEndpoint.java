package dev.herald.gateway.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.api.HttpAuth;
import dev.herald.api.Problem;
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
import dev.herald.gateway.SharedFrames;
import dev.herald.gateway.TokenBucket;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
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

  public PlainWebSocketEndpoint(Vertx vertx, Gateway gateway, TokenVerifier verifier, HeraldMetrics metrics,
      HeraldConfig config) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.verifier = verifier;
    this.metrics = metrics;
    this.config = config;
  }

  public void handle(HttpServerRequest req) {
    if (!"websocket".equalsIgnoreCase(req.getHeader("upgrade"))) {
      Problem.badRequest(req.response(), "/ws expects a WebSocket upgrade");
      return;
    }
    if (gateway.isDraining()) {
      Problem.unavailable(req.response(), "server shutting down");
      return;
    }
    req.pause();
    verifier.verifyAsync(vertx, HttpAuth.userToken(req)).onComplete(ar -> {
      if (ar.failed()) {
        metrics.refused("unauthorized");
        req.resume();
        String reason = ar.cause() instanceof AuthException ? ar.cause().getMessage() : "token could not be verified";
        Problem.unauthorized(req.response(), reason);
        return;
      }
      req.toWebSocket().onSuccess(ws -> open(ws, ar.result()));
    });
  }

  private void open(ServerWebSocket ws, Identity identity) {
    WsSession session = new WsSession(ws, identity);
    // rooms are joined after the welcome is written, so no event can overtake it
    if (!gateway.register(session, false)) {
      ws.close(gateway.isDraining() ? CloseReason.SERVER_SHUTDOWN.code() : (short) 4429,
          gateway.isDraining() ? CloseReason.SERVER_SHUTDOWN.text()
              : "too many connections for this user (limit " + config.limits().maxConnectionsPerUser() + ")");
      return;
    }
    ws.setWriteQueueMaxSize(config.limits().outboundBufferBytes());
    ObjectNode hello = JsonNodeFactory.instance.objectNode().put("type", "connected")
        .put("sessionId", session.id).put("userId", identity.userId()).put("tenantId", identity.tenantId());
    ArrayNode rooms = hello.putArray("rooms");
    identity.automaticRooms().forEach(rooms::add);
    ws.writeTextMessage(hello.toString());
    for (String room : identity.automaticRooms()) {
      gateway.joinAuthorized(session, room);
    }
    ws.textMessageHandler(session::onText);
    ws.binaryMessageHandler(b -> session.refuse(null, "binary frames are not supported; send JSON text"));
    ws.closeHandler(v -> session.onClosed());
    ws.exceptionHandler(e -> {
      // RFC 6455 7.4.1: 1009 for a message too big to process; any other failure ends the session too
      boolean tooBig = dev.herald.gateway.engineio.EngineSocket.isTooBig(e);
      if (tooBig) {
        metrics.refused("payload_too_large");
      }
      session.close(tooBig ? CloseReason.MESSAGE_TOO_BIG : CloseReason.PROTOCOL_ERROR);
    });
    session.scheduleHeartbeat();
  }

  /** One /ws connection. Owned by the WebSocket's event loop; deliver/close are thread-safe. */
  private final class WsSession implements Session {
    private final ServerWebSocket ws;
    private final io.netty.channel.ChannelHandlerContext channel;
    private final io.vertx.core.Context context = Vertx.currentContext();
    private boolean unflushed;
    private final Identity identity;
    private final String id = UUID.randomUUID().toString();
    private final TokenBucket bucket;
    private long heartbeatTimer = -1;
    private long lastSeen = System.nanoTime();
    private volatile boolean closed;

    WsSession(ServerWebSocket ws, Identity identity) {
      this.ws = ws;
      this.channel = SharedFrames.channelOf(ws);
      this.identity = identity;
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
      if (SharedFrames.full(ws, channel)) {
        metrics.refused("slow_consumer");
        close(CloseReason.SLOW_CONSUMER);
        return false;
      }
      metrics.messageOut("ws");
      if (event.rooms().size() == 1 && channel != null) {
        SharedFrames.write(channel, event.encoded(ENCODING, e -> SharedFrames.utf8(encode(e, e.rooms().get(0)))));
        unflushed = true;
      } else {
        ws.writeTextMessage(encode(event, firstJoinedRoom(event)));
      }
      return true;
    }

    @Override
    public void flush() {
      if (unflushed) {
        unflushed = false;
        channel.flush();
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
          dev.herald.gateway.ConnectionFailure.failSlowConsumer(ws, reason);
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
        ws.writePing(io.vertx.core.buffer.Buffer.buffer());
      });
      ws.pongHandler(b -> lastSeen = System.nanoTime());
    }

    void onClosed() {
      closed = true;
      vertx.cancelTimer(heartbeatTimer);
      gateway.unregister(this);
    }

    void onText(String text) {
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

    private void sendError(JsonNode requestId, String message, String code) {
      send(JsonNodeFactory.instance.objectNode().put("type", "error").put("code", code).put("message", message),
          requestId);
    }

    private void send(ObjectNode msg, JsonNode requestId) {
      if (requestId != null) {
        msg.set("requestId", requestId);
      }
      if (!closed) {
        ws.writeTextMessage(msg.toString());
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
    return "{\"type\":\"event\",\"event\":" + JsonNodeFactory.instance.textNode(e.event())
        + ",\"room\":" + JsonNodeFactory.instance.textNode(room)
        + ",\"data\":" + e.dataJson()
        + ",\"id\":\"" + e.offset() + "\",\"timestamp\":" + e.timestampMillis() + "}";
  }


  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
