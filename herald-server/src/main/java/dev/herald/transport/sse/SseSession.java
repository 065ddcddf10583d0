package dev.herald.transport.sse;

import dev.herald.auth.Identity;
import dev.herald.gateway.CloseReason;
import dev.herald.gateway.Gateway;
import dev.herald.bus.Inbox;
import dev.herald.gateway.RoomEvent;
import dev.herald.gateway.Session;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import java.util.UUID;

/**
 * One SSE stream. Ids are {@code <offset>} until the stream carried a durable notification, then
 * {@code <offset>~<sequence>} (see {@link SseEndpoint}).
 *
 * <p>Threads: created and welcomed on the request's event loop ({@link #context}); the gateway
 * delivers there; writes are thread-safe (Vert.x hops to the connection's loop).
 */
final class SseSession implements Session {
  /** Key of the SSE encoding of an event in {@link RoomEvent#encoded}. */
  private static final Object ENCODING = new Object();

  private final HttpServerResponse resp;
  private final Identity identity;
  private final Context context;
  private final Gateway gateway;
  private final HeraldMetrics metrics;
  private final String id = UUID.randomUUID().toString();
  private volatile boolean closed;
  /** The heartbeat timer; set once on the loop, read when the stream ends. */
  private volatile long heartbeat = -1;
  /** The last notification sequence this stream carried, or -1; part of every id after the first. */
  private volatile long lastSequence = -1;

  SseSession(HttpServerResponse resp, Identity identity, Context context, Gateway gateway, HeraldMetrics metrics,
      int outboundBufferBytes) {
    this.resp = resp;
    this.identity = identity;
    this.context = context;
    this.gateway = gateway;
    this.metrics = metrics;
    resp.setWriteQueueMaxSize(outboundBufferBytes);
  }

  /** The stream continues a client's position in its notifications ({@code ?since=} or an id's sequence). */
  void resumeAfterSequence(long sequence) {
    lastSequence = sequence;
  }

  /** The stream's first bytes: the reconnect delay, and a reset event when a resume lost its position. */
  void welcome(boolean positionLost) {
    write("retry: 1000\n: connected " + id + "\n\n");
    if (positionLost) {
      write("event: herald:reset\ndata: {\"recovered\":false}\n\n");
    }
  }

  void heartbeat(long timer) {
    heartbeat = timer;
    if (closed) {
      context.owner().cancelTimer(timer);
    }
  }

  @Override
  public Context context() {
    return context;
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
    return "sse";
  }

  @Override
  public boolean deliver(RoomEvent event) {
    if (closed) {
      return false;
    }
    if (resp.writeQueueFull()) {
      metrics.refused("slow_consumer");
      close(CloseReason.SLOW_CONSUMER);
      return false;
    }
    metrics.messageOut("sse");
    long seq = event.notificationSequence();
    if (seq > lastSequence) {
      lastSequence = seq;
    }
    String body = event.encoded(ENCODING, e -> "\nevent: " + e.event() + "\ndata: " + e.dataJson() + "\n\n");
    String chunk = lastSequence < 0 ? "id: " + event.offset() + body : "id: " + event.offset() + "~" + lastSequence + body;
    UUID receipt = event.deliveredByWrite();
    if (receipt == null) {
      write(chunk);
    } else {
      write(chunk, receipt);
    }
    return true;
  }

  /** A replayed notification: its id keeps the stream's position and carries its sequence. */
  @Override
  public void replay(Inbox.Missed missed) {
    if (missed.sequence() > lastSequence) {
      lastSequence = missed.sequence();
    }
    String chunk = "id: " + gateway.offsetOf(gateway.currentId()) + "~" + lastSequence + "\nevent: notification\ndata: "
        + missed.json() + "\n\n";
    if (missed.deliveredByWrite()) {
      write(chunk, missed.id());
    } else {
      write(chunk);
    }
  }

  void write(String chunk) {
    if (!closed) {
      resp.write(chunk);
    }
  }

  /** Writes {@code chunk}; once the connection took it, notification {@code delivered} is delivered. */
  private void write(String chunk, UUID delivered) {
    if (!closed) {
      resp.write(chunk).onSuccess(v -> gateway.written(this, delivered));
    }
  }

  @Override
  public void close(CloseReason reason) {
    if (!closed) {
      closed = true;
      resp.end();
      onClosed();
    }
  }

  void onClosed() {
    closed = true;
    context.owner().cancelTimer(heartbeat);
    gateway.unregister(this);
  }
}
