package dev.herald.gateway;

/**
 * Why Herald ended a connection. Each reason has a WebSocket close code (RFC 6455 section 7.4, and
 * 4000-4999 for Herald's own) so clients can tell them apart and decide whether to reconnect.
 */
public enum CloseReason {
  /** The node is draining; reconnect (to another node). RFC 6455: 1001 going away. */
  SERVER_SHUTDOWN(1001, "server shutting down"),
  /** The client broke the protocol. RFC 6455: 1002. */
  PROTOCOL_ERROR(1002, "protocol error"),
  /** Persistent flooding past the rate limit. RFC 6455: 1008 policy violation. */
  RATE_LIMITED(1008, "rate limit exceeded"),
  /** A message larger than allowed. RFC 6455: 1009 message too big. */
  MESSAGE_TOO_BIG(1009, "message too big"),
  /** Herald failed while handling the client's message. RFC 6455: 1011 internal error. */
  INTERNAL_ERROR(1011, "internal error"),
  /** A Socket.IO packet announced binary attachments that did not all arrive in time. */
  PARTIAL_PACKET_TIMEOUT(4001, "binary attachments not received in time"),
  /** The client did not read fast enough and its outbound buffer filled up. */
  SLOW_CONSUMER(4008, "slow consumer: outbound buffer full"),
  /** The client did not complete authentication in time. */
  HANDSHAKE_TIMEOUT(4408, "handshake timeout"),
  /** The client's heartbeat stopped. */
  PING_TIMEOUT(4000, "ping timeout"),
  /** The client closed, or its transport went away. */
  CLIENT_GONE(1000, "client closed"),
  /** Ended by the server application (for example a kicked user). */
  SERVER_CLOSE(1000, "closed by server");

  private final int code;
  private final String text;

  CloseReason(int code, String text) {
    this.code = code;
    this.text = text;
  }

  public short code() {
    return (short) code;
  }

  public String text() {
    return text;
  }
}
