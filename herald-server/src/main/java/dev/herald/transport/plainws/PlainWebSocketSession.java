package dev.herald.transport.plainws;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.Identity;
import dev.herald.config.HeraldConfig;
import dev.herald.gateway.Answer;
import dev.herald.gateway.ClientCommand;
import dev.herald.gateway.ClientCommands;
import dev.herald.gateway.CloseReason;
import dev.herald.gateway.Gateway;
import dev.herald.bus.Inbox;
import dev.herald.gateway.RoomEvent;
import dev.herald.gateway.Session;
import dev.herald.gateway.TokenBucket;
import dev.herald.ops.HeraldMetrics;
import dev.herald.transport.websocket.WebSocket;
import dev.herald.transport.websocket.WebSocketFrames;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import java.util.List;
import java.util.UUID;

/**
 * One {@code /ws} connection: decodes the client's JSON messages into {@link ClientCommand}s,
 * encodes {@link Answer}s and events. Client: {@code {type:"ping"}}, {@code subscribe},
 * {@code join}, {@code ack}, … with an optional {@code requestId} echoed in the answer. Server:
 * {@code connected}, {@code pong}, {@code subscribed}, {@code error}, events as
 * {@code {type:"event", event, room, data, id, timestamp}} and notifications as themselves.
 *
 * <p>Threads: owned by the WebSocket's event loop ({@link #context}); {@link #close} from anywhere.
 * Every field but {@link #closed} is the loop's.
 */
final class PlainWebSocketSession implements Session, WebSocket.Listener {
  /** Key of the /ws encoding of an event in {@link RoomEvent#encoded}. */
  private static final Object ENCODING = new Object();
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final Identity identity;
  private final Context context;
  private final Gateway gateway;
  private final ClientCommands commands;
  private final HeraldMetrics metrics;
  private final HeraldConfig config;
  private final String id = UUID.randomUUID().toString();
  private final TokenBucket bucket;
  private WebSocket ws;
  private boolean registered;
  private boolean unflushed;
  private long heartbeatTimer = -1;
  private long lastSeen = System.nanoTime();
  /** Set once the connection is ending, from any thread. */
  private volatile boolean closed;

  PlainWebSocketSession(Identity identity, Context context, Gateway gateway, ClientCommands commands,
      HeraldMetrics metrics, HeraldConfig config) {
    this.identity = identity;
    this.context = context;
    this.gateway = gateway;
    this.commands = commands;
    this.metrics = metrics;
    this.config = config;
    this.bucket = new TokenBucket(config.limits().messagesPerSecond(), config.limits().burst());
  }

  void attach(WebSocket ws) {
    this.ws = ws;
  }

  /** Registered: the welcome frame, then the heartbeat. */
  void welcome() {
    registered = true;
    ObjectNode hello = JsonNodeFactory.instance.objectNode().put("type", "connected")
        .put("sessionId", id).put("userId", identity.userId()).put("tenantId", identity.tenantId());
    identity.automaticRooms().forEach(hello.putArray("rooms")::add);
    ws.sendText(hello.toString());
    scheduleHeartbeat();
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
  public Context context() {
    return context;
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
    UUID receipt = event.deliveredByWrite();
    if (event.rooms().size() == 1) {
      ByteBuf frame = event.encoded(ENCODING, e -> WebSocketFrames.sharedText(encode(e, e.rooms().get(0))));
      if (receipt == null) {
        ws.writeShared(frame);
      } else {
        ws.writeShared(frame, () -> gateway.written(this, receipt));
      }
      unflushed = true;
    } else {
      ws.sendText(encode(event, firstJoinedRoom(event)));
    }
    return true;
  }

  @Override
  public void replay(Inbox.Missed notification) {
    if (closed) {
      return;
    }
    metrics.messageOut("ws");
    // a durable notification travels as itself, the seed 002 shape {id, type, timestamp, requiresAck, data, ...}
    if (notification.deliveredByWrite()) {
      ws.sendText(notification.json(), () -> gateway.written(this, notification.id()));
    } else {
      ws.sendText(notification.json());
    }
  }

  @Override
  public void flush() {
    if (unflushed) {
      unflushed = false;
      ws.flush();
    }
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

  private void scheduleHeartbeat() {
    long interval = config.engine().pingInterval().toMillis();
    long timeoutNanos = config.engine().pingInterval().plus(config.engine().pingTimeout()).toNanos();
    heartbeatTimer = context.owner().setPeriodic(interval, t -> {
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
    send(refusal("bad_request", "binary frames are not supported; send JSON text"), null);
  }

  @Override
  public void onClose(WebSocket socket, int code, String reason) {
    closed = true;
    context.owner().cancelTimer(heartbeatTimer);
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
        send(refusal("rate_limited", "rate limit exceeded"), null);
      }
      return;
    }
    JsonNode msg;
    try {
      msg = JSON.readTree(text);
    } catch (Exception e) {
      send(refusal("bad_request", "malformed message: not JSON"), null);
      return;
    }
    if (msg == null || !msg.isObject() || !msg.path("type").isTextual()) {
      send(refusal("bad_request", "malformed message: an object with a string type is expected"), null);
      return;
    }
    JsonNode requestId = msg.get("requestId");
    String type = msg.get("type").asText();
    ObjectNode arg = ((ObjectNode) msg).deepCopy();
    arg.remove(List.of("type", "requestId"));
    commands.handle(this, ClientCommand.parse(type, type.equals("updatePreferences") ? arg : msg))
        .onSuccess(answer -> answer(answer, requestId));
  }

  /** Encodes {@code answer} as the /ws message(s) of docs/PROTOCOL.md. */
  private void answer(Answer answer, JsonNode requestId) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    switch (answer) {
      case Answer.Pong p -> send(f.objectNode().put("type", "pong"), requestId);
      case Answer.Joined j -> {
        if (!j.rooms().isEmpty()) {
          ObjectNode subscribed = f.objectNode().put("type", "subscribed");
          j.rooms().forEach(subscribed.putArray("rooms")::add);
          send(subscribed, requestId);
        }
        for (Answer.RefusedRoom r : j.refused()) {
          send(refusal("forbidden", r.reason()).put("room", r.room()), requestId);
        }
      }
      case Answer.Left l -> {
        ObjectNode unsubscribed = f.objectNode().put("type", "unsubscribed");
        l.rooms().forEach(unsubscribed.putArray("rooms")::add);
        send(unsubscribed, requestId);
      }
      case Answer.Acked a -> send(f.objectNode().put("type", "acked").put("notificationId", a.notificationId().toString())
          .put("status", a.status()).put("timestamp", a.timestamp()),
          requestId);
      case Answer.Preferences p -> {
        ObjectNode out = f.objectNode().put("type", "preferences");
        out.set("preferences", p.document());
        send(out, requestId);
      }
      case Answer.Who w -> send(w.toJson().put("type", "presence:who"), requestId);
      case Answer.Following fo -> send(fo.toJson().put("type", "presence:subscribed"), requestId);
      case Answer.Done d -> {
        // typing needs no answer; one that asked (requestId) hears it was taken
        if (requestId != null) {
          send(f.objectNode().put("type", "ok"), requestId);
        }
      }
      case Answer.PresenceState p -> send(f.objectNode().put("type", "presence:updated").put("userId", p.userId())
          .put("status", p.status()).put("customStatus", p.customStatus()), requestId);
      case Answer.Replayed r -> send(f.objectNode().put("type", "missedNotifications").put("count", r.count())
          .put("lastSequence", r.lastSequence()).put("hasMore", r.more()), requestId);
      case Answer.Refused r -> send(refusal(r.code(), r.message()), requestId);
    }
  }

  private static ObjectNode refusal(String code, String message) {
    return JsonNodeFactory.instance.objectNode().put("type", "error").put("code", code).put("message", message);
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
    List<String> mine = gateway.roomsOf(this);
    for (String r : event.rooms()) {
      if (mine.contains(r)) {
        return r;
      }
    }
    return event.rooms().get(0);
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
}
