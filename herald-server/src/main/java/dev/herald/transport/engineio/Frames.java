package dev.herald.transport.engineio;

import dev.herald.gateway.CloseReason;
import dev.herald.transport.websocket.WebSocket;
import io.vertx.core.buffer.Buffer;

/**
 * The listener of a session's WebSockets, its transport's and an upgrading one's: moves their frames
 * onto the session's loop (an upgrade may arrive on a connection of another loop) and routes each
 * to the transport or to the upgrade whose WebSocket it came on. A frame of a WebSocket the session
 * no longer uses (a failed upgrade's, say) is dropped.
 *
 * <p>Threads: called on each WebSocket's loop; everything it does runs on the session's.
 */
final class Frames implements WebSocket.Listener {
  private final EngineSocket session;

  Frames(EngineSocket session) {
    this.session = session;
  }

  @Override
  public void onText(WebSocket socket, String text) {
    onSessionLoop(() -> {
      WebSocketTransport transport = session.websocketTransport();
      Upgrade upgrade = session.upgradeInProgress();
      if (transport != null && transport.carries(socket)) {
        try {
          session.onPacket(EnginePacket.decodeText(text));
        } catch (ProtocolException e) {
          session.fail(e);
        }
      } else if (upgrade != null && upgrade.carries(socket)) {
        upgrade.onText(text);
      }
    });
  }

  @Override
  public void onBinary(WebSocket socket, byte[] data) {
    onSessionLoop(() -> {
      WebSocketTransport transport = session.websocketTransport();
      Upgrade upgrade = session.upgradeInProgress();
      if (transport != null && transport.carries(socket)) {
        session.onPacket(EnginePacket.binaryMessage(Buffer.buffer(data)));
      } else if (upgrade != null && upgrade.carries(socket)) {
        upgrade.fail("binary frame during upgrade");
      }
    });
  }

  @Override
  public void onClose(WebSocket socket, int code, String reason) {
    onSessionLoop(() -> {
      WebSocketTransport transport = session.websocketTransport();
      Upgrade upgrade = session.upgradeInProgress();
      if (upgrade != null && upgrade.carries(socket)) {
        upgrade.onClose();
      } else if (transport != null && transport.carries(socket)) {
        // RFC 6455 7.4.1: 1009 for a message too big; 1002 and 1007 for frames that break the protocol
        if (code == 1009) {
          session.websocketEnded(CloseReason.MESSAGE_TOO_BIG, "message too big");
        } else if (code == 1002 || code == 1007) {
          session.websocketEnded(CloseReason.PROTOCOL_ERROR, "transport error");
        } else {
          session.websocketEnded(null, "transport close");
        }
      }
    });
  }

  private void onSessionLoop(Runnable r) {
    if (session.onContext()) {
      r.run();
    } else {
      session.context.runOnContext(v -> r.run());
    }
  }
}
