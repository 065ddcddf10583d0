package dev.herald.transport.engineio;

/**
 * The HTTP errors an Engine.IO server answers with, as {@code {"code":N,"message":"..."}} bodies
 * (engine.io's {@code Server.errors}).
 */
enum EngineError {
  UNKNOWN_TRANSPORT(0, "Transport unknown", 400),
  UNKNOWN_SID(1, "Session ID unknown", 400),
  BAD_HANDSHAKE_METHOD(2, "Bad handshake method", 400),
  BAD_REQUEST(3, "Bad request", 400),
  FORBIDDEN(4, "Forbidden", 403),
  UNSUPPORTED_PROTOCOL_VERSION(5, "Unsupported protocol version", 400),
  SHUTTING_DOWN(4, "Server is shutting down", 503);

  final int code;
  final String message;
  final int status;

  EngineError(int code, String message, int status) {
    this.code = code;
    this.message = message;
    this.status = status;
  }

  String json() {
    return "{\"code\":" + code + ",\"message\":\"" + message + "\"}";
  }
}
