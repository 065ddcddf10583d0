package dev.herald.transport.engineio;

import dev.herald.transport.websocket.WebSocket;

/**
 * The upgrade of a long-polling session to WebSocket (engine.io-protocol, "Upgrade"): the client
 * opens a WebSocket with the session's sid and sends a {@code 2probe} ping; the server answers
 * {@code 3probe} and releases the held GET with a noop; the client's upgrade packet {@code 5}
 * completes it, and the session's packets go over the WebSocket from then on. Anything else on the
 * WebSocket, or no upgrade packet within upgradeTimeout, abandons it: the WebSocket is closed and
 * the session goes on polling.
 *
 * <p>Threads: owned by its session's event loop; the WebSocket may live on another loop (its
 * frames reach this class through the session, on the session's loop).
 */
final class Upgrade {
  /** What a WebSocket asking to upgrade a session gets. */
  enum Claim {
    /** The one upgrade a polling session may have in progress: this WebSocket's. */
    GRANTED,
    /** The session has its WebSocket, or one is upgrading: this one is accepted, then closed. */
    TAKEN,
    /** The session ended: its sid is unknown now. */
    GONE
  }

  private final EngineSocket session;
  private final long timeoutMillis;
  /** The upgrading WebSocket, null until accepted and once the upgrade is over. */
  private WebSocket socket;
  private boolean probed;
  private long timer = -1;

  Upgrade(EngineSocket session, long timeoutMillis) {
    this.session = session;
    this.timeoutMillis = timeoutMillis;
  }

  /** The WebSocket of this upgrade was accepted; the upgrade packet must come within the timeout. */
  void begin(WebSocket accepted) {
    socket = accepted;
    timer = session.context.owner().setTimer(timeoutMillis, t -> {
      if (socket == accepted) {
        fail("upgrade timeout");
      }
    });
  }

  boolean carries(WebSocket ws) {
    return ws == socket;
  }

  /** True once the probe was answered. */
  boolean probed() {
    return socket != null && probed;
  }

  void onText(String text) {
    if (!probed && text.equals("2probe")) {
      // EIO v4 upgrade: the server MUST "respond with a pong packet with the string probe in the
      // payload" and "send a noop packet to any pending GET request", so the client can pause polling
      probed = true;
      socket.sendText("3probe");
      session.pollingTransport().flushHeld();
    } else if (probed && text.equals("5")) {
      // "Finally, the client MUST send a upgrade packet to complete the upgrade"
      session.context.owner().cancelTimer(timer);
      WebSocket upgraded = socket;
      socket = null;
      session.upgraded(upgraded);
    } else {
      fail("invalid upgrade");
    }
  }

  /** The upgrading WebSocket closed: the session goes on polling and may try again. */
  void onClose() {
    socket = null;
    session.context.owner().cancelTimer(timer);
    session.upgradeAbandoned();
  }

  /** Abandons the upgrade, closing its WebSocket with a protocol error; the session goes on polling. */
  void fail(String why) {
    WebSocket failed = socket;
    socket = null;
    session.context.owner().cancelTimer(timer);
    session.upgradeAbandoned();
    failed.close(1002, why);
  }

  /** The session ended during the upgrade: its WebSocket closes too. */
  void cancel() {
    session.context.owner().cancelTimer(timer);
    if (socket != null) {
      socket.close(1000, "");
      socket = null;
    }
  }
}
