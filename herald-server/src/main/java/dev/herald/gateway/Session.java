package dev.herald.gateway;

import dev.herald.bus.Inbox;

import dev.herald.auth.Identity;

/**
 * One live client connection, whatever its transport: a Socket.IO namespace socket, a plain
 * WebSocket or an SSE stream.
 *
 * <p>Lifecycle: a transport creates the session after authentication, {@link Gateway#register}s it
 * (which joins {@code user:} and {@code tenant:}), then writes its welcome (never before: see
 * {@link Gateway#register}), hands the client's commands to {@link ClientCommands}, and
 * {@link Gateway#unregister}s it when the connection ends, whichever side ends it.
 *
 * <p>Delivery is recorded honestly: when a written event carries a durable notification that
 * writing delivers ({@link RoomEvent#deliveredByWrite}, {@link Inbox.Missed#deliveredByWrite}), the
 * session calls {@link Gateway#written} once the write to its connection succeeded, not before.
 *
 * <p>Threads: each session belongs to one Vert.x event loop, {@link #context()}. The gateway calls
 * {@link #deliver} and {@link #flush} only on that loop, a batch of deliveries followed by one flush,
 * so a fan-out costs one task and one write system call per connection. {@link #close} may be
 * called from any thread.
 */
public interface Session {
  /** Unique on this node. */
  String id();

  Identity identity();

  /** The metrics label of the transport: {@code socketio}, {@code ws} or {@code sse}. */
  String transport();

  /** The event loop this session lives on. */
  io.vertx.core.Context context();

  /**
   * Writes {@code event} for the client, possibly without flushing; called on {@link #context()}.
   * Returns {@code false} when the client's outbound buffer is full; the session then closes itself
   * with {@link CloseReason#SLOW_CONSUMER}.
   */
  boolean deliver(RoomEvent event);

  /**
   * Writes a notification replayed from storage ({@code requestMissedNotifications}, an SSE
   * resume): like a {@code notification} event, without a log offset. Called on {@link #context()}.
   */
  void replay(Inbox.Missed notification);

  /** Pushes out what {@link #deliver} wrote; called on {@link #context()} after a batch. */
  default void flush() {
  }

  /** Ends the connection, telling the client why as far as its protocol allows. Idempotent. */
  void close(CloseReason reason);
}
