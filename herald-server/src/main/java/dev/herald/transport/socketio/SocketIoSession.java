package dev.herald.transport.socketio;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.auth.Identity;
import dev.herald.config.HeraldConfig;
import dev.herald.gateway.CloseReason;
import dev.herald.gateway.Gateway;
import dev.herald.bus.Inbox;
import dev.herald.gateway.RoomEvent;
import dev.herald.gateway.Session;
import dev.herald.gateway.TokenBucket;
import dev.herald.ops.HeraldMetrics;
import dev.herald.transport.websocket.WebSocketFrames;
import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Herald session carried by one Socket.IO namespace socket. Events go out as
 * {@code 42[/nsp,]["event",data,"offset"]}, encoded once per namespace and shared by every socket.
 *
 * <p>Threads: owned by the Engine.IO session's event loop; {@link #close} from anywhere.
 */
final class SocketIoSession implements Session {
  /** {@link RoomEvent#encoded} keys, one per namespace, shared by its sessions. */
  private static final Map<String, Object> ENCODING_KEYS = new ConcurrentHashMap<>();

  private final SioSocket socket;
  private final Identity identity;
  private final Gateway gateway;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Limits limits;
  /** The event-log position when the session started. */
  private final long startId;
  private final Object encodingKey;
  /** Created at the client's first event: most clients send few or none. */
  private TokenBucket bucket;
  /** Log id of the last event handed to the client (-1: none yet); written on the session's loop. */
  private volatile long lastId = -1;

  SocketIoSession(SioSocket socket, Identity identity, Gateway gateway, HeraldMetrics metrics,
      HeraldConfig.Limits limits) {
    this.socket = socket;
    this.identity = identity;
    this.gateway = gateway;
    this.metrics = metrics;
    this.limits = limits;
    this.startId = gateway.currentId();
    this.encodingKey = ENCODING_KEYS.computeIfAbsent(socket.nsp(), nsp -> new Object());
  }

  TokenBucket bucket() {
    if (bucket == null) {
      bucket = new TokenBucket(limits.messagesPerSecond(), limits.burst());
    }
    return bucket;
  }

  /** The log id the client has seen everything up to: where a recovery resumes. */
  long lastSeenId() {
    return Math.max(lastId, startId);
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
    ByteBuf frame = event.encoded(encodingKey, e -> WebSocketFrames.sharedText("4" + encode(socket.nsp(), e)));
    lastId = event.id();
    UUID receipt = event.deliveredByWrite();
    return receipt == null ? socket.sendShared(frame) : socket.sendShared(frame, () -> gateway.written(this, receipt));
  }

  @Override
  public void replay(Inbox.Missed notification) {
    metrics.messageOut("socketio");
    if (notification.deliveredByWrite()) {
      socket.emitRaw("notification", notification.json(), () -> gateway.written(this, notification.id()));
    } else {
      socket.emitRaw("notification", notification.json(), null);
    }
  }

  @Override
  public void flush() {
    socket.flush();
  }

  @Override
  public void close(CloseReason reason) {
    socket.engine().close(reason);
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
