package dev.herald.transport.engineio;

import dev.herald.gateway.CloseReason;
import dev.herald.transport.websocket.WebSocket;
import dev.herald.transport.websocket.WebSocketFrames;
import dev.herald.vertx.VertxInternals;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;


/**
 * One Engine.IO v4 session: its state, its handler, its heartbeat and how it ends. Its packets
 * travel on a {@link PollingTransport} from an HTTP handshake until an {@link Upgrade} moves them to
 * a {@link WebSocketTransport}, or on a WebSocket from the start.
 *
 * <p>Lifecycle: OPEN, then CLOSING when the server closes a long-polling session (its close packet
 * waits up to pingTimeout for the client's next poll), then CLOSED: the handler hears
 * {@link Handler#onClose} once and the server forgets the sid. A client's close packet, a failed
 * transport, a missed pong or a packet that breaks the protocol end it at once.
 *
 * <p>Threads: owned by the event loop of {@link #context}, where requests and WebSocket frames from
 * other loops hop. {@link #send}, {@link #sendBinary} and {@link #close} may be called from any
 * thread; {@link #state} and {@link #pongDeadline} are read from any thread.
 */
public final class EngineSocket {
  /** What the layer above (Socket.IO, or the conformance echo) does with a session's messages. */
  public interface Handler {
    void onMessage(String text);

    void onBinary(Buffer data);

    /** Called once, on the socket's context, when the session ends for any reason. */
    void onClose(String reason);
  }

  enum State { OPEN, CLOSING, CLOSED }

  private static final Handler NO_HANDLER = new Handler() {
    @Override public void onMessage(String text) { }

    @Override public void onBinary(Buffer data) { }

    @Override public void onClose(String reason) { }
  };

  final String sid;
  final Context context;
  final EngineServer server;
  final EngineOptions options;
  private final Heartbeats heartbeats;
  private final Frames frames = new Frames(this);
  /** Loop-owned, like every field without a note. */
  private Handler handler = NO_HANDLER;
  /** Written on the loop; volatile because {@link #send} from another thread answers from it. */
  private volatile State state = State.OPEN;
  /** Why the server closed the session, once it did. */
  private CloseReason closeReason;
  /** The long-polling transport of a session opened over HTTP; null for one opened over WebSocket. */
  private PollingTransport polling;
  /** The upgrade in progress, null when there is none. */
  private Upgrade upgrade;
  /** The WebSocket transport, once the session has one. */
  private WebSocketTransport websocket;
  /** Heartbeat queue links, owned by {@link Heartbeats} on this session's loop. */
  EngineSocket heartbeatPrev;
  EngineSocket heartbeatNext;
  long heartbeatDue;
  byte heartbeatQueue;
  /**
   * nanoTime by which the next ping (or the one outstanding) must be answered: its due time plus
   * pingTimeout. Written on the loop when a ping is scheduled, read by any thread.
   */
  private volatile long pongDeadline;

  EngineSocket(String sid, Context context, EngineServer server, EngineOptions options) {
    this.sid = sid;
    this.context = context;
    this.server = server;
    this.options = options;
    this.heartbeats = server.heartbeats(context);
    // not expired before the first ping is scheduled, though the server may already list it
    this.pongDeadline = System.nanoTime() + options.engine().pingInterval().plus(options.engine().pingTimeout()).toNanos();
  }

  public String id() {
    return sid;
  }

  /** The name of the current transport: {@code polling} or {@code websocket}. Call on the socket's context. */
  public String transportName() {
    return websocket != null ? "websocket" : "polling";
  }

  /** Sets who receives this session's messages. Call on the socket's context, right after open. */
  public void setHandler(Handler handler) {
    this.handler = handler;
  }

  public Context context() {
    return context;
  }

  /**
   * Sends a text message. On the session's loop the answer is final: true when the message was
   * written to the WebSocket or queued for the next poll, false when the session is closing or
   * closed, or when its buffer overflowed (the session then closes as a slow consumer). From another
   * thread the message is handed to the loop, after this thread's earlier sends: false when the
   * session is already closing or closed; true when handed over, in which case the loop queues it
   * unless the session ends first or overflows then, and the handler's {@link Handler#onClose}
   * reports either.
   */
  public boolean send(String text) {
    return enqueue(EnginePacket.message(text));
  }

  /**
   * Sends a text message, and runs {@code onWritten} (when not null) on the session's loop once it
   * was written to the client's connection: the WebSocket took its frame, or the poll response that
   * carries it was written. Never when the session ends or overflows first. Call on the socket's
   * context; answers as {@link #send(String)} there.
   */
  public boolean send(String text, Runnable onWritten) {
    if (onWritten == null) {
      return send(text);
    }
    EnginePacket p = EnginePacket.message(text);
    if (state != State.OPEN) {
      return false;
    }
    if (websocket != null ? !websocket.write(p, onWritten) : !polling.write(p, onWritten)) {
      writeRefused();
      return false;
    }
    return true;
  }

  /** Sends a binary message; answers as {@link #send(String)}. */
  public boolean sendBinary(Buffer data) {
    return enqueue(EnginePacket.binaryMessage(data));
  }

  /**
   * Sends a text message already encoded for every receiver: {@code frame} is the WebSocket frame
   * of the whole Engine.IO packet ({@code 4} + message, from {@link WebSocketFrames#sharedText}),
   * written to a WebSocket transport without flushing ({@link #flushShared}); a polling transport
   * queues its text. Call on the socket's context. Returns false if the session is closed or its
   * buffer is full.
   */
  public boolean sendShared(ByteBuf frame) {
    if (state != State.OPEN) {
      return false;
    }
    if (websocket == null) {
      return enqueue(EnginePacket.decodeTextUnchecked(WebSocketFrames.textOf(frame)));
    }
    if (!websocket.writeShared(frame)) {
      writeRefused();
      return false;
    }
    return true;
  }

  /**
   * {@link #sendShared(ByteBuf)}, and {@code onWritten} runs on the session's loop once the packet
   * was written to the client's connection (see {@link #send(String, Runnable)}).
   */
  public boolean sendShared(ByteBuf frame, Runnable onWritten) {
    if (state != State.OPEN) {
      return false;
    }
    if (websocket == null) {
      return send(WebSocketFrames.textOf(frame).substring(1), onWritten);
    }
    if (!websocket.writeShared(frame, onWritten)) {
      writeRefused();
      return false;
    }
    return true;
  }

  /** Flushes what {@link #sendShared} wrote. Call on the socket's context. */
  public void flushShared() {
    if (websocket != null) {
      websocket.flushShared();
    }
  }

  /**
   * True when called on this socket's event loop thread (in its context or in a duplicate of it,
   * as Vert.x's periodic timers run).
   */
  public boolean onContext() {
    return VertxInternals.isOnLoopOf(context);
  }

  /** Closes the session, telling the client (close packet or WebSocket close frame). Thread-safe. */
  public void close(CloseReason reason) {
    if (!onContext()) {
      context.runOnContext(v -> close(reason));
      return;
    }
    if (state != State.OPEN) {
      return;
    }
    state = State.CLOSING;
    closeReason = reason;
    if (websocket != null) {
      websocket.close(reason);
      end(reason.text());
    } else {
      polling.queueClose();
      // the client gets the close packet on its next poll; give it one poll cycle to come
      context.owner().setTimer(options.engine().pingTimeout().toMillis(), t -> end(reason.text()));
    }
  }

  // ---- called by EngineServer ----

  /** Receives the frames of this session's WebSockets: its transport's and an upgrading one's. */
  WebSocket.Listener transportListener() {
    return frames;
  }

  /** Opens the session on a WebSocket from the handshake, which carries the open packet. */
  void openOverWebSocket(WebSocket socket) {
    websocket = new WebSocketTransport(socket, server.metrics());
    socket.sendText(EnginePacket.open(sid, options.engine(), false));
    schedulePing();
  }

  /** Opens the session over long-polling; returns the open packet, the handshake's answer. */
  String openOverPolling() {
    polling = new PollingTransport(this);
    schedulePing();
    return EnginePacket.open(sid, options.engine(), true);
  }

  /**
   * True when a ping went unanswered past its timeout, even if the tick has not noticed yet; the
   * server then treats the session as gone (EIO v4: pingInterval + pingTimeout ends a silent session).
   */
  boolean heartbeatExpired() {
    return System.nanoTime() - pongDeadline >= 0;
  }

  /** A long-polling GET. Engine.IO allows one pending GET per session. */
  void onPoll(HttpServerResponse response) {
    if (state == State.CLOSED) {
      EngineResponses.error(response, EngineError.UNKNOWN_SID, options.engine());
    } else if (websocket != null) {
      EngineResponses.error(response, EngineError.BAD_REQUEST, options.engine());
    } else {
      polling.onPoll(response);
    }
  }

  /**
   * The body of a long-polling POST, already size-checked. False when the session cannot take it
   * (ended, or on a WebSocket now) or it broke the protocol; the answer is then 400.
   */
  boolean onPost(String body) {
    if (state == State.CLOSED || websocket != null) {
      return false;
    }
    return polling.onPost(body);
  }

  /** Claims the one upgrade a polling session may have in progress. */
  Upgrade.Claim reserveUpgrade() {
    if (state == State.CLOSED) {
      return Upgrade.Claim.GONE;
    }
    if (state != State.OPEN || websocket != null || upgrade != null) {
      return Upgrade.Claim.TAKEN;
    }
    upgrade = new Upgrade(this, options.engine().upgradeTimeout().toMillis());
    return Upgrade.Claim.GRANTED;
  }

  /** The WebSocket of the upgrade reserved by {@link #reserveUpgrade}, now accepted. */
  void onUpgradeSocket(WebSocket socket) {
    if (upgrade == null) {
      // the session ended while the WebSocket was being accepted
      socket.close(1000, "");
      return;
    }
    upgrade.begin(socket);
  }

  // ---- called by the transports, the upgrade and the heartbeat ----

  boolean isClosed() {
    return state == State.CLOSED;
  }

  /** The long-polling transport; the upgrade's session always has one. */
  PollingTransport pollingTransport() {
    return polling;
  }

  /** The WebSocket transport, or null while the session polls. */
  WebSocketTransport websocketTransport() {
    return websocket;
  }

  /** The upgrade in progress, or null. */
  Upgrade upgradeInProgress() {
    return upgrade;
  }

  /** The session's WebSocket ended from the client's side, or its connection did ({@code why} may be null). */
  void websocketEnded(CloseReason why, String reason) {
    if (state == State.OPEN) {
      if (why == CloseReason.MESSAGE_TOO_BIG) {
        server.metrics().refused("payload_too_large");
      }
      closeReason = why;
      end(reason);
    }
  }

  /** The upgrade ended without completing; another may be tried. */
  void upgradeAbandoned() {
    upgrade = null;
  }

  /**
   * EIO v4 upgrade: the client's upgrade packet arrived on {@code socket}, the session moves there:
   * "a noop packet to any pending GET request ... to cleanly close HTTP long-polling transport",
   * then what waited for the next poll goes out on the WebSocket.
   */
  void upgraded(WebSocket socket) {
    upgrade = null;
    polling.releaseWithNoop();
    websocket = new WebSocketTransport(socket, server.metrics());
    polling.drainTo(websocket);
  }

  /** Text to pass to the handler when a close packet the server queued reaches the client. */
  String closedByServer() {
    return closeReason != null ? closeReason.text() : "forced close";
  }

  /** One packet from the client, from either transport. */
  void onPacket(EnginePacket p) {
    if (state == State.CLOSED) {
      return;
    }
    switch (p.type()) {
      case MESSAGE -> {
        server.metrics().messageIn("socketio");
        if (p.isBinary()) {
          handler.onBinary(p.binary());
        } else {
          handler.onMessage(p.text());
        }
      }
      case PONG -> {
        // EIO v4: the client answers each server ping with a pong; the next ping is scheduled then.
        // A pong nobody asked for changes nothing (a second ping cycle would end the session).
        if (Heartbeats.awaitsPong(this)) {
          schedulePing();
        }
      }
      case CLOSE -> {
        // the client ends the session: a poll still held is released with a noop
        if (polling != null) {
          polling.releaseWithNoop();
        }
        if (websocket != null) {
          websocket.closeNormally();
        }
        end("transport close");
      }
      // ping, open, upgrade and noop are not sent by v4 clients outside the probe
      default -> fail(new ProtocolException("unexpected packet " + p.type()));
    }
  }

  /** Ends the session for a packet that broke the protocol, closing a WebSocket with its reason. */
  void fail(ProtocolException e) {
    if (websocket != null) {
      websocket.close(e);
    }
    end("parse error");
  }

  /** Called by {@link Heartbeats} when this session's next ping is due. */
  void onPingDue() {
    if (state == State.OPEN && enqueue(EnginePacket.of(EnginePacket.Type.PING))) {
      heartbeats.awaitPong(this);
    }
  }

  /** EIO v4: a ping not answered within pingTimeout closes the session. Called on the socket's context. */
  void onPongMissed() {
    if (state == State.OPEN) {
      if (websocket != null) {
        websocket.close(CloseReason.PING_TIMEOUT);
      }
      end("ping timeout");
    }
  }

  /** Ends the session exactly once: heartbeat, upgrade, transports, the server's table, the handler. */
  void end(String reason) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    heartbeats.drop(this);
    if (upgrade != null) {
      upgrade.cancel();
      upgrade = null;
    }
    if (polling != null) {
      polling.end();
    }
    if (websocket != null) {
      websocket.end();
    }
    server.remove(this);
    handler.onClose(reason);
  }

  // ---- internals ----

  private boolean enqueue(EnginePacket p) {
    if (!onContext()) {
      // a closing session takes nothing more, from any thread (the volatile read sees its close)
      if (state != State.OPEN) {
        return false;
      }
      context.runOnContext(v -> enqueue(p));
      return true;
    }
    if (state != State.OPEN) {
      return false;
    }
    if (websocket != null ? !websocket.write(p) : !polling.write(p)) {
      writeRefused();
      return false;
    }
    return true;
  }

  /**
   * A transport refused a write. A WebSocket whose connection is already gone (the client's TCP
   * connection was cut, and the close has not reached this loop yet) ends the session as the
   * client's transport close would, which Socket.IO keeps for recovery; otherwise the buffer is
   * full: a slow consumer.
   */
  private void writeRefused() {
    if (websocket != null && !websocket.connected()) {
      end("transport close");
    } else {
      slowConsumer();
    }
  }

  private void slowConsumer() {
    server.metrics().refused("slow_consumer");
    close(CloseReason.SLOW_CONSUMER);
  }

  private void schedulePing() {
    pongDeadline = heartbeats.schedulePing(this);
  }
}
