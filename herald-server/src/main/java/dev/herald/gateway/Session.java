package dev.herald.gateway;

import dev.herald.auth.Identity;

/**
 * One live client connection, whatever its transport: a Socket.IO namespace socket, a plain
 * WebSocket or an SSE stream.
 *
 * <p>Lifecycle: a transport creates the session after authentication, {@link Gateway#register}s it
 * (which joins {@code user:} and {@code tenant:}), joins further rooms on request, and
 * {@link Gateway#unregister}s it when the connection ends, whichever side ends it.
 *
 * <p>Threads: each session belongs to one Vert.x event loop. {@link #deliver} and {@link #close} may
 * be called from any thread; implementations hop to their own loop.
 */
public interface Session {
  /** Unique on this node. */
  String id();

  Identity identity();

  /** The metrics label of the transport: {@code socketio}, {@code ws} or {@code sse}. */
  String transport();

  /**
   * Sends {@code event} to the client. Returns {@code false} when the client's outbound buffer is
   * full; the session then closes itself with {@link CloseReason#SLOW_CONSUMER}.
   */
  boolean deliver(RoomEvent event);

  /** Ends the connection, telling the client why as far as its protocol allows. Idempotent. */
  void close(CloseReason reason);
}
