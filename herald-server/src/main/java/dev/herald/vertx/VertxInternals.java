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

  /** A new event-loop context of {@code vertx}, on the next loop of its pool. */
  public static Context newEventLoopContext(Vertx vertx) {
    return ((VertxInternal) vertx).createEventLoopContext();
  }

  /** A promise whose callbacks run on the calling thread's context, or a plain one off any context. */
  public static <T> Promise<T> promiseOnCurrentContext() {
    ContextInternal context = ContextInternal.current();
    return context != null ? context.promise() : Promise.promise();
  }
}
