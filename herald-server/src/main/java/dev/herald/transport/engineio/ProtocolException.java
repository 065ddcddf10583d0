package dev.herald.transport.engineio;

import dev.herald.gateway.CloseReason;

/**
 * A frame or packet that breaks the Engine.IO or Socket.IO protocol. It names how the session
 * ends: callers close with {@link #reason()} (and the message as the close frame's reason).
 */
public final class ProtocolException extends Exception {
  private final CloseReason reason;

  /** A packet that breaks the protocol: the session closes with {@link CloseReason#PROTOCOL_ERROR} (1002). */
  public ProtocolException(String message) {
    this(CloseReason.PROTOCOL_ERROR, message);
  }

  /** A failure that ends the session with {@code reason}, for example {@link CloseReason#MESSAGE_TOO_BIG}. */
  public ProtocolException(CloseReason reason, String message) {
    super(message, null, false, false);
    this.reason = java.util.Objects.requireNonNull(reason, "reason");
  }

  /** How the session ends: its WebSocket close code and text. */
  public CloseReason reason() {
    return reason;
  }
}
