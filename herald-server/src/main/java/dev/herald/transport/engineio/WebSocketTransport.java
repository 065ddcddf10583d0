package dev.herald.transport.engineio;

import dev.herald.gateway.CloseReason;
import dev.herald.ops.HeraldMetrics;
import dev.herald.transport.websocket.WebSocket;
import io.netty.buffer.ByteBuf;

/**
 * The WebSocket transport of a session, from its handshake or from an upgrade (engine.io-protocol,
 * "WebSocket"): each packet is one frame, text for text packets and binary for binary messages,
 * with no payload encoding. A client that stops reading fills the connection's buffer past its
 * high-water mark; writes then fail and the session ends as a slow consumer.
 *
 * <p>Threads: owned by its session's event loop. The {@link WebSocket} may live on another loop
 * (an upgrade that arrived on another connection); its writes and closes are safe from any thread.
 */
final class WebSocketTransport {
  private final WebSocket ws;
  private final HeraldMetrics metrics;
  /** True when shared frames were written and not yet flushed. */
  private boolean unflushed;

  WebSocketTransport(WebSocket ws, HeraldMetrics metrics) {
    this.ws = ws;
    this.metrics = metrics;
  }

  /** Whether the connection is still there (false once a close frame went out or it ended). */
  boolean connected() {
    return ws.isOpen();
  }

  boolean carries(WebSocket socket) {
    return socket == ws;
  }

  /** Writes {@code p}; false when the client is not reading (the connection's buffer is full). */
  boolean write(EnginePacket p) {
    if (!ws.isWritable()) {
      return false;
    }
    writeNow(p);
    return true;
  }

  /**
   * {@link #write(EnginePacket)} with a receipt: {@code onWritten} runs once the frame was written
   * to the connection (a text packet; binary ones are never receipted).
   */
  boolean write(EnginePacket p, Runnable onWritten) {
    if (!ws.isWritable()) {
      return false;
    }
    metrics.messageOut("socketio");
    ws.sendText(p.encodeText(), onWritten);
    return true;
  }

  /** Runs {@code task} once everything written so far was written to the connection. */
  void afterWrites(Runnable task) {
    ws.afterWrites(task);
  }

  /** Writes {@code p} whatever the buffer holds: the packets an upgrade brings over. */
  void writeNow(EnginePacket p) {
    metrics.messageOut("socketio");
    if (p.isBinary()) {
      ws.sendBinary(p.binary().getBytes());
    } else {
      ws.sendText(p.encodeText());
    }
  }

  /** Writes a frame encoded once for many sessions, without flushing; false when the client is not reading. */
  boolean writeShared(ByteBuf frame) {
    if (!ws.isWritable()) {
      return false;
    }
    metrics.messageOut("socketio");
    ws.writeShared(frame);
    unflushed = true;
    return true;
  }

  /** {@link #writeShared(ByteBuf)} with a receipt: {@code onWritten} runs once the frame was written. */
  boolean writeShared(ByteBuf frame, Runnable onWritten) {
    if (!ws.isWritable()) {
      return false;
    }
    metrics.messageOut("socketio");
    ws.writeShared(frame, onWritten);
    unflushed = true;
    return true;
  }

  void flushShared() {
    if (unflushed) {
      unflushed = false;
      ws.flush();
    }
  }

  /**
   * Closes with {@code reason}'s code and text; a slow consumer is cut at once, since its close
   * frame would wait behind the data it does not read.
   */
  void close(CloseReason reason) {
    if (reason == CloseReason.SLOW_CONSUMER) {
      ws.abort(reason.code(), reason.text());
    } else {
      ws.close(reason.code(), reason.text());
    }
  }

  /** Closes with the reason the failure names and its message. */
  void close(ProtocolException failure) {
    ws.close(failure.reason().code(), failure.getMessage());
  }

  /** Answers the client's close packet: RFC 6455 normal closure. */
  void closeNormally() {
    ws.close(1000, "");
  }

  /** The session ended: closes a WebSocket still open (normal closure). */
  void end() {
    if (ws.isOpen()) {
      ws.close(1000, "");
    }
  }
}
