package dev.herald.transport.engineio;

import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP long-polling, the transport of a session opened over HTTP until it upgrades
 * (engine.io-protocol, "HTTP long-polling"): one GET held until there is something to send, POSTs
 * carrying the client's packets, and the packets waiting for the next GET, bounded in bytes.
 *
 * <p>Threads: owned by its session's event loop, like the session; the response of a held GET
 * reports its connection's end there too.
 */
final class PollingTransport {
  private final EngineSocket session;
  private final int maxBufferedBytes;
  /** The GET waiting for packets, or null. */
  private HttpServerResponse pendingPoll;
  /** Packets for the next GET, in order, and what they weigh. */
  private final ArrayDeque<EnginePacket> buffer = new ArrayDeque<>();
  private int bufferedBytes;
  /** Receipts of queued packets: run once the poll response that carries them was written; or null. */
  private List<Runnable> receipts;
  /** True while a task that answers the held GET with this turn's packets is queued. */
  private boolean flushScheduled;

  PollingTransport(EngineSocket session) {
    this.session = session;
    this.maxBufferedBytes = session.options.outboundBufferBytes();
  }

  /** A GET of an open (or closing) session; its answer waits for packets. */
  void onPoll(HttpServerResponse response) {
    if (pendingPoll != null) {
      // engine.io: "overlap from client" is a transport error; the session ends
      EngineResponses.error(response, EngineError.BAD_REQUEST, session.options.engine());
      session.end("transport error");
      return;
    }
    if (response.closed()) {
      // the client went away before this poll reached the session: engine.io's "poll connection
      // closed prematurely", a transport error
      session.end("transport error");
      return;
    }
    pendingPoll = response;
    response.closeHandler(v -> session.context.runOnContext(x -> {
      if (pendingPoll == response) {
        pendingPoll = null;
        session.end("transport error");
      }
    }));
    // an upgrade that answered its probe wants the poll ended at once, with a noop
    Upgrade upgrade = session.upgradeInProgress();
    if (!buffer.isEmpty() || upgrade != null && upgrade.probed()) {
      flush();
    }
  }

  /** The packets of a POST body, handed to the session in order. False when the body is not a payload. */
  boolean onPost(String body) {
    List<EnginePacket> packets;
    try {
      packets = EnginePacket.decodePayload(body);
    } catch (ProtocolException e) {
      session.end("parse error");
      return false;
    }
    for (EnginePacket p : packets) {
      if (session.isClosed()) {
        break;
      }
      session.onPacket(p);
    }
    return true;
  }

  /**
   * Queues {@code p} for the next GET, answering a held one once this turn's packets are in.
   * False when the client does not poll fast enough: the buffer passed its bound and was dropped.
   */
  boolean write(EnginePacket p) {
    bufferedBytes += p.weight();
    if (bufferedBytes > maxBufferedBytes) {
      buffer.clear();
      receipts = null;
      bufferedBytes = 0;
      return false;
    }
    buffer.add(p);
    if (pendingPoll != null && !flushScheduled) {
      // gather everything sent during this event-loop turn into one poll response
      flushScheduled = true;
      session.context.runOnContext(v -> {
        flushScheduled = false;
        if (pendingPoll != null) {
          flush();
        }
      });
    }
    return true;
  }

  /** {@link #write(EnginePacket)} with a receipt: {@code onWritten} runs once a poll response carried it. */
  boolean write(EnginePacket p, Runnable onWritten) {
    if (!write(p)) {
      return false;
    }
    if (receipts == null) {
      receipts = new ArrayList<>(2);
    }
    receipts.add(onWritten);
    return true;
  }

  /** Queues the close packet the server ends the session with, past the bound; sent at once to a held GET. */
  void queueClose() {
    buffer.add(EnginePacket.of(EnginePacket.Type.CLOSE));
    if (pendingPoll != null) {
      flush();
    }
  }

  /** Answers a held GET with what is queued, or a noop. Nothing happens without one. */
  void flushHeld() {
    if (pendingPoll != null) {
      flush();
    }
  }

  /** Answers a held GET with a noop, leaving the queue for the transport that takes over. */
  void releaseWithNoop() {
    if (pendingPoll != null) {
      HttpServerResponse poll = pendingPoll;
      pendingPoll = null;
      EngineResponses.respondPayload(poll, "6", session.options.engine());
    }
  }

  /** Hands every queued packet to the WebSocket the session upgraded to, in order. */
  void drainTo(WebSocketTransport websocket) {
    for (EnginePacket p; (p = buffer.poll()) != null; ) {
      websocket.writeNow(p);
    }
    bufferedBytes = 0;
    if (receipts != null) {
      // written in order: once the last of them is, all of them are
      List<Runnable> written = receipts;
      receipts = null;
      websocket.afterWrites(() -> written.forEach(Runnable::run));
    }
  }

  /** The session ended: a held GET gets the close packet, the queue is dropped. */
  void end() {
    if (pendingPoll != null) {
      HttpServerResponse poll = pendingPoll;
      pendingPoll = null;
      EngineResponses.respondPayload(poll, "1", session.options.engine());
    }
    buffer.clear();
    receipts = null;
    bufferedBytes = 0;
  }

  /** Answers the held GET with every queued packet (a noop when none); a close packet among them ends the session. */
  private void flush() {
    HttpServerResponse poll = pendingPoll;
    pendingPoll = null;
    if (buffer.isEmpty()) {
      EngineResponses.respondPayload(poll, "6", session.options.engine());
      return;
    }
    StringBuilder payload = new StringBuilder();
    boolean closing = false;
    for (EnginePacket p; (p = buffer.poll()) != null; ) {
      if (!payload.isEmpty()) {
        payload.append(EnginePacket.SEPARATOR);
      }
      p.appendPollingForm(payload);
      closing |= p.type() == EnginePacket.Type.CLOSE;
      if (p.type() == EnginePacket.Type.MESSAGE) {
        session.server.metrics().messageOut("socketio");
      }
    }
    bufferedBytes = 0;
    List<Runnable> written = receipts;
    receipts = null;
    EngineResponses.respondPayload(poll, payload.toString(), session.options.engine()).onSuccess(v -> {
      if (written != null) {
        written.forEach(Runnable::run);
      }
    });
    if (closing) {
      session.end(session.closedByServer());
    }
  }
}
