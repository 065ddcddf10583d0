package dev.herald.transport.engineio;

/** A frame or packet that breaks the Engine.IO or Socket.IO protocol; the session closes. */
public final class ProtocolException extends Exception {
  public ProtocolException(String message) {
    super(message, null, false, false);
  }
}
