package dev.herald.transport.engineio;

import dev.herald.gateway.CloseReason;
import dev.herald.transport.websocket.WebSocket;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One Engine.IO v4 session: its current transport (HTTP long-polling or WebSocket), the upgrade
 * between them, the heartbeat, and the queue of packets waiting for the next poll.
 *
 * <p>Threads: every field is owned by {@link #context}; requests arriving on other event loops hop
 * onto it. {@link #send}, {@link #sendBinary} and {@link #close} may be called from any thread.
 */
public final class EngineSocket {
  /** What the layer above (Socket.IO, or the conformance echo) does with a session's messages. */
  public interface Handler {
    void onMessage(String text);

    void onBinary(Buffer data);

    /** Called once, on the socket's context, when the session ends for any reason. */
    void onClose(String reason);
  }

  private enum State { OPEN, CLOSING, CLOSED }

  final String sid;
  final Context context;
  private final EngineServer server;
  private final EngineOptions options;
  private final Vertx vertx;
  private Handler handler = new Handler() {
    @Override public void onMessage(String text) { }
    @Override public void onBinary(Buffer data) { }
    @Override public void onClose(String reason) { }
  };

  private final Transport transport = new Transport();
  private State state = State.OPEN;
  private WebSocket ws;
  private boolean unflushed;
  private HttpServerResponse pendingPoll;
  private boolean postInFlight;
  private final ArrayDeque<EnginePacket> writeBuffer = new ArrayDeque<>();
  private int writeBufferBytes;
  private boolean flushScheduled;
  private WebSocket upgrading;
  private boolean probed;
  private boolean upgradeReserved;
  private long upgradeTimer = -1;
  private final Heartbeats heartbeats;
  /** Heartbeat queue links, owned by {@link Heartbeats} on this session's loop. */
  EngineSocket heartbeatPrev;
  EngineSocket heartbeatNext;
  long heartbeatDue;
  byte heartbeatQueue;
  private CloseReason closeReason;
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
    this.vertx = context.owner();
    this.heartbeats = server.heartbeats(context);
    // not expired before open() schedules the first ping, though the server may already list it
    this.pongDeadline = System.nanoTime() + options.engine().pingInterval().plus(options.engine().pingTimeout()).toNanos();
  }

  public String id() {
    return sid;
  }

  /** The name of the current transport: {@code polling} or {@code websocket}. */
  public String transportName() {
    return ws != null ? "websocket" : "polling";
  }

  /** Sets who receives this session's messages. Call on the socket's context, right after open. */
  public void setHandler(Handler handler) {
    this.handler = handler;
  }

  public Context context() {
    return context;
  }

  /** Sends a text message. Returns false if the session is closed or its buffer is full. */
  public boolean send(String text) {
    return enqueue(EnginePacket.message(text));
  }

  /** Sends a binary message. Returns false if the session is closed or its buffer is full. */
  public boolean sendBinary(Buffer data) {
    return enqueue(EnginePacket.binaryMessage(data));
  }

  /**
   * Sends a text message already encoded for every receiver: {@code frame} is the WebSocket frame
   * of the whole Engine.IO packet ({@code 4} + message, from
   * {@link dev.herald.transport.websocket.WebSocketFrames#sharedText}), written to a WebSocket
   * transport without flushing ({@link #flushShared}); a polling transport queues its text. Call on
   * the socket's context. Returns false if the session is closed or its buffer is full.
   */
  public boolean sendShared(ByteBuf frame) {
    if (state != State.OPEN) {
      return false;
    }
    if (ws != null) {
      if (!ws.isWritable()) {
        server.metrics().refused("slow_consumer");
        close(CloseReason.SLOW_CONSUMER);
        return false;
      }
      server.metrics().messageOut("socketio");
      ws.writeShared(frame);
      unflushed = true;
      return true;
    }
    return enqueue(EnginePacket.decodeTextUnchecked(
        dev.herald.transport.websocket.WebSocketFrames.textOf(frame)));
  }

  /** Flushes what {@link #sendShared} wrote. Call on the socket's context. */
  public void flushShared() {
    if (unflushed) {
      unflushed = false;
      ws.flush();
    }
  }

  /**
   * True when called on this socket's event loop thread (in its context or in a duplicate of it,
   * as Vert.x's periodic timers run).
   */
  public boolean onContext() {
    return ((io.vertx.core.internal.ContextInternal) context).nettyEventLoop().inEventLoop();
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
    if (ws != null) {
      if (reason == CloseReason.SLOW_CONSUMER) {
        ws.abort(reason.code(), reason.text());
      } else {
        ws.close(reason.code(), reason.text());
      }
      onClose(reason.text());
    } else {
      writeBuffer.add(EnginePacket.of(EnginePacket.Type.CLOSE));
      if (pendingPoll != null) {
        flush();
      }
      // the client gets the close packet on its next poll; give it one poll cycle to come
      vertx.setTimer(options.engine().pingTimeout().toMillis(), t -> onClose(reason.text()));
    }
  }

  // ---- called by EngineServer ----

  /** Receives the frames of this session's WebSockets: the current transport and an upgrading one. */
  WebSocket.Listener transportListener() {
    return transport;
  }

  void open(WebSocket directWs) {
    String open = "0{\"sid\":\"" + sid + "\",\"upgrades\":" + (directWs == null ? "[\"websocket\"]" : "[]")
        + ",\"pingInterval\":" + options.engine().pingInterval().toMillis()
        + ",\"pingTimeout\":" + options.engine().pingTimeout().toMillis()
        + ",\"maxPayload\":" + options.engine().maxPayload() + "}";
    if (directWs != null) {
      ws = directWs;
      directWs.sendText(open);
    } else {
      writeBuffer.add(new EnginePacket(EnginePacket.Type.OPEN, open.substring(1), null));
    }
    schedulePing();
  }

  /** The open packet for the handshake response of a polling session. */
  String takeOpenPacketForHandshake() {
    EnginePacket open = writeBuffer.poll();
    return open.encodeText();
  }

  /**
   * True when a ping went unanswered past its timeout, even if the timer has not fired yet; the
   * server then treats the session as gone (EIO v4: pingInterval + pingTimeout ends a silent session).
   */
  boolean heartbeatExpired() {
    return System.nanoTime() - pongDeadline >= 0;
  }

  /** Ends the session for a missed heartbeat; called on the socket's context. */
  void expire() {
    if (state == State.OPEN) {
      if (ws != null) {
        ws.close(CloseReason.PING_TIMEOUT.code(), CloseReason.PING_TIMEOUT.text());
      }
      onClose("ping timeout");
    }
  }

  /** A long-polling GET. Engine.IO allows one pending GET per session. */
  void onPoll(HttpServerResponse response) {
    if (state == State.CLOSED) {
      EngineServer.error(response, EngineError.UNKNOWN_SID, options.engine());
      return;
    }
    if (ws != null) {
      EngineServer.error(response, EngineError.BAD_REQUEST, options.engine());
      return;
    }
    if (pendingPoll != null) {
      // engine.io: "overlap from client" is a transport error; the session ends
      EngineServer.error(response, EngineError.BAD_REQUEST, options.engine());
      onClose("transport error");
      return;
    }
    if (response.closed()) {
      // the client went away before this poll reached the session: engine.io's "poll connection
      // closed prematurely", a transport error
      onClose("transport error");
      return;
    }
    pendingPoll = response;
    response.closeHandler(v -> context.runOnContext(x -> {
      if (pendingPoll == response) {
        pendingPoll = null;
        onClose("transport error");
      }
    }));
    if (!writeBuffer.isEmpty() || upgrading != null && probed) {
      flush();
    }
  }

  /** Whether a POST may start; a second concurrent POST is a protocol error. */
  boolean beginPost() {
    if (state == State.CLOSED || ws != null || postInFlight) {
      return false;
    }
    postInFlight = true;
    return true;
  }

  /** The body of a long-polling POST, already size-checked. False when it broke the protocol. */
  boolean onPostBody(String body) {
    postInFlight = false;
    List<EnginePacket> packets;
    try {
      packets = EnginePacket.decodePayload(body);
    } catch (ProtocolException e) {
      onClose("parse error");
      return false;
    }
    for (EnginePacket p : packets) {
      if (state == State.CLOSED) {
        break;
      }
      onPacket(p);
    }
    return true;
  }

  void postAborted() {
    postInFlight = false;
  }

  /** What a WebSocket asking to upgrade this session gets. */
  enum UpgradeClaim {
    /** The one upgrade a polling session may have: it is this WebSocket's. */
    GRANTED,
    /** The session has its WebSocket already, or one is upgrading: this one is closed. */
    TAKEN,
    /** The session ended: its sid is unknown now. */
    GONE
  }

  /** Claims the one upgrade a polling session may have in progress. */
  UpgradeClaim reserveUpgrade() {
    if (state == State.CLOSED) {
      return UpgradeClaim.GONE;
    }
    if (state != State.OPEN || ws != null || upgradeReserved) {
      return UpgradeClaim.TAKEN;
    }
    upgradeReserved = true;
    return UpgradeClaim.GRANTED;
  }

  void releaseUpgrade() {
    upgradeReserved = false;
  }

  /** A WebSocket that asks to upgrade this polling session (probe, then upgrade packet). */
  void onUpgradeSocket(WebSocket socket) {
    upgrading = socket;
    probed = false;
    upgradeTimer = vertx.setTimer(options.engine().upgradeTimeout().toMillis(), t -> {
      if (upgrading == socket) {
        upgrading = null;
        upgradeReserved = false;
        socket.close(1002, "upgrade timeout");
      }
    });
  }

  private void onUpgradeFrame(WebSocket socket, String text) {
    if (!probed && text.equals("2probe")) {
      probed = true;
      socket.sendText("3probe");
      // answer the pending poll with a noop so the client can pause polling and send "5"
      if (pendingPoll != null) {
        flush();
      }
    } else if (probed && text.equals("5")) {
      vertx.cancelTimer(upgradeTimer);
      upgrading = null;
      if (pendingPoll != null) {
        HttpServerResponse poll = pendingPoll;
        pendingPoll = null;
        EngineServer.respondPayload(poll, "6", options.engine());
      }
      ws = socket;
      for (EnginePacket p; (p = writeBuffer.poll()) != null; ) {
        writeToWebSocket(p);
      }
      writeBufferBytes = 0;
    } else {
      upgrading = null;
      upgradeReserved = false;
      vertx.cancelTimer(upgradeTimer);
      socket.close(1002, "invalid upgrade");
    }
  }

  // ---- internals ----

  /**
   * The frames of this session's WebSockets, moved onto the session's context when the WebSocket
   * lives on another event loop (an upgrade that arrived on another connection).
   */
  private final class Transport implements WebSocket.Listener {
    @Override
    public void onText(WebSocket socket, String text) {
      onSessionContext(() -> {
        if (socket == ws) {
          onWebSocketText(text);
        } else if (socket == upgrading) {
          onUpgradeFrame(socket, text);
        }
      });
    }

    @Override
    public void onBinary(WebSocket socket, byte[] data) {
      onSessionContext(() -> {
        if (socket == ws) {
          server.metrics().messageIn("socketio");
          handler.onBinary(Buffer.buffer(data));
        } else if (socket == upgrading) {
          upgrading = null;
          upgradeReserved = false;
          vertx.cancelTimer(upgradeTimer);
          socket.close(1002, "binary frame during upgrade");
        }
      });
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason) {
      onSessionContext(() -> {
        if (socket == upgrading) {
          upgrading = null;
          upgradeReserved = false;
          vertx.cancelTimer(upgradeTimer);
        } else if (socket == ws && state == State.OPEN) {
          // RFC 6455 7.4.1: 1009 for a message too big; 1002 and 1007 for frames that break the protocol
          if (code == 1009) {
            server.metrics().refused("payload_too_large");
            closeReason = CloseReason.MESSAGE_TOO_BIG;
            EngineSocket.this.onClose("message too big");
          } else if (code == 1002 || code == 1007) {
            closeReason = CloseReason.PROTOCOL_ERROR;
            EngineSocket.this.onClose("transport error");
          } else {
            EngineSocket.this.onClose(closeReason != null ? closeReason.text() : "transport close");
          }
        }
      });
    }

    private void onSessionContext(Runnable r) {
      if (onContext()) {
        r.run();
      } else {
        context.runOnContext(v -> r.run());
      }
    }
  }

  private void onWebSocketText(String text) {
    try {
      onPacket(EnginePacket.decodeText(text));
    } catch (ProtocolException e) {
      WebSocket socket = ws;
      onClose("parse error");
      socket.close(CloseReason.PROTOCOL_ERROR.code(), e.getMessage());
    }
  }

  private void onPacket(EnginePacket p) {
    if (state != State.OPEN && state != State.CLOSING) {
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
        if (pendingPoll != null) {
          // the client ends the session: a poll still held is released with a noop
          HttpServerResponse poll = pendingPoll;
          pendingPoll = null;
          EngineServer.respondPayload(poll, "6", options.engine());
        }
        if (ws != null) {
          ws.close(1000, "");
        }
        onClose("transport close");
      }
      default -> {
        // ping, open, upgrade and noop are not sent by v4 clients outside the probe: protocol error
        onClose("parse error");
        if (ws != null) {
          ws.close(CloseReason.PROTOCOL_ERROR.code(), "unexpected packet");
        }
      }
    }
  }

  private boolean enqueue(EnginePacket p) {
    if (!onContext()) {
      if (state == State.CLOSED) {
        return false;
      }
      context.runOnContext(v -> enqueue(p));
      return true;
    }
    if (state != State.OPEN) {
      return false;
    }
    if (ws != null) {
      if (!ws.isWritable()) {
        server.metrics().refused("slow_consumer");
        close(CloseReason.SLOW_CONSUMER);
        return false;
      }
      writeToWebSocket(p);
      return true;
    }
    writeBufferBytes += p.weight();
    if (writeBufferBytes > options.outboundBufferBytes()) {
      server.metrics().refused("slow_consumer");
      writeBuffer.clear();
      writeBufferBytes = 0;
      close(CloseReason.SLOW_CONSUMER);
      return false;
    }
    writeBuffer.add(p);
    if (pendingPoll != null && !flushScheduled) {
      // gather everything sent during this event-loop turn into one poll response
      flushScheduled = true;
      context.runOnContext(v -> {
        flushScheduled = false;
        if (pendingPoll != null) {
          flush();
        }
      });
    }
    return true;
  }

  private void writeToWebSocket(EnginePacket p) {
    server.metrics().messageOut("socketio");
    if (p.isBinary()) {
      ws.sendBinary(p.binary().getBytes());
    } else {
      ws.sendText(p.encodeText());
    }
  }

  private void flush() {
    HttpServerResponse poll = pendingPoll;
    pendingPoll = null;
    if (writeBuffer.isEmpty()) {
      EngineServer.respondPayload(poll, "6", options.engine());
      return;
    }
    StringBuilder sb = new StringBuilder();
    boolean first = true;
    boolean closing = false;
    for (EnginePacket p; (p = writeBuffer.poll()) != null; ) {
      if (!first) {
        sb.append(EnginePacket.SEPARATOR);
      }
      first = false;
      p.appendPollingForm(sb);
      closing |= p.type() == EnginePacket.Type.CLOSE;
      if (p.type() == EnginePacket.Type.MESSAGE) {
        server.metrics().messageOut("socketio");
      }
    }
    writeBufferBytes = 0;
    EngineServer.respondPayload(poll, sb.toString(), options.engine());
    if (closing) {
      onClose(closeReason != null ? closeReason.text() : "forced close");
    }
  }

  private void schedulePing() {
    pongDeadline = heartbeats.schedulePing(this);
  }

  /** Called by {@link Heartbeats} when this session's next ping is due. */
  void onPingDue() {
    if (state != State.OPEN) {
      return;
    }
    enqueue(EnginePacket.of(EnginePacket.Type.PING));
    heartbeats.awaitPong(this);
  }

  /** Called by {@link Heartbeats}: EIO v4, a ping not answered within pingTimeout closes the session. */
  void onPongMissed() {
    if (state == State.OPEN) {
      if (ws != null) {
        ws.close(CloseReason.PING_TIMEOUT.code(), CloseReason.PING_TIMEOUT.text());
      }
      onClose("ping timeout");
    }
  }

  /** Ends the session exactly once: timers, transports, the server's table, the handler. */
  private void onClose(String reason) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    heartbeats.drop(this);
    vertx.cancelTimer(upgradeTimer);
    if (pendingPoll != null) {
      HttpServerResponse poll = pendingPoll;
      pendingPoll = null;
      EngineServer.respondPayload(poll, "1", options.engine());
    }
    if (upgrading != null) {
      upgrading.close(1000, "");
      upgrading = null;
    }
    if (ws != null && ws.isOpen()) {
      ws.close(1000, "");
    }
    writeBuffer.clear();
    server.remove(this);
    handler.onClose(reason);
  }
}
