package dev.herald.vertx;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

/**
 * The one place Herald reaches into Vert.x's internal API ({@code io.vertx.core.internal}), which
 * carries no compatibility promise: when Vert.x changes it, this class changes and nothing else.
 * What Herald needs from it is the event loop under a context, dispatching onto a context, and
 * promises bound to the caller's context.
 */
public final class VertxInternals {
  private VertxInternals() {}

  /** True when the calling thread is the event loop of {@code context} (or of a duplicate of it). */
  public static boolean isOnLoopOf(Context context) {
    return ((ContextInternal) context).nettyEventLoop().inEventLoop();
  }

  /** Runs {@code task} now, inside {@code context} (so timers and futures it starts stay on it). */
  public static void dispatch(Context context, Runnable task) {
    ((ContextInternal) context).dispatch(task);
  }

  /** Calls {@code handler} with {@code value} now, inside {@code context}. */
  public static <T> void dispatch(Context context, T value, io.vertx.core.Handler<T> handler) {
    ((ContextInternal) context).dispatch(value, handler);
  }

  /**
   * The Netty pipeline under a Vert.x HTTP connection, or null when it has none Herald can reach
   * (Vert.x's connection classes are internal; HTTP/2 streams share a parent's pipeline).
   */
  public static io.netty.channel.ChannelPipeline pipelineOf(io.vertx.core.http.HttpConnection connection) {
    return connection instanceof io.vertx.core.net.impl.ConnectionBase base
        ? base.channelHandlerContext().pipeline() : null;
  }

  /** The event-loop context a Vert.x HTTP connection runs on (its handlers run there). */
  public static Context contextOf(io.vertx.core.http.HttpConnection connection) {
    return ((io.vertx.core.net.impl.ConnectionBase) connection).context();
  }

  /** A periodic timer whose task runs in {@code context} itself, not in a duplicate of it. */
  public static long setPeriodicOnContext(Context context, long periodMillis, Runnable task) {
    ContextInternal owner = (ContextInternal) context;
    return owner.setPeriodic(periodMillis, t -> owner.dispatch(task));
  }

  /** A new event-loop context of {@code vertx}, on the next loop of its pool. */
  public static Context newEventLoopContext(Vertx vertx) {
    return ((VertxInternal) vertx).createEventLoopContext();
  }

  /** A promise whose callbacks run on the calling thread's context, or a plain one off any context. */
  public static <T> Promise<T> promiseOnCurrentContext() {
    ContextInternal context = ContextInternal.current();
    return context != null ? context.promise() : Promise.promise();
  }

  /**
   * The SQL pool's "no connection within {@code PoolOptions.connectionTimeout}". Vert.x 5.0.8's
   * {@code SqlConnectionPool} fails {@code getConnection()} (and so {@code withTransaction}) with
   * {@code Completable.fail("Timeout")}, a bare {@code io.vertx.core.impl.NoStackTraceThrowable}, and
   * {@code pool.query(…).execute()} with its constant {@code new VertxException("Timeout waiting for
   * connection", true)}: general-purpose types, so each is matched by its exact class and its exact
   * message, never by a part of a name. {@code DatabaseOutageTest} drives a real pool into both; a
   * Vert.x that changes either fails there.
   */
  public static boolean isPoolWaitTimeout(Throwable t) {
    return t.getClass() == io.vertx.core.impl.NoStackTraceThrowable.class && "Timeout".equals(t.getMessage())
        || t.getClass() == io.vertx.core.VertxException.class && "Timeout waiting for connection".equals(t.getMessage());
  }
}
