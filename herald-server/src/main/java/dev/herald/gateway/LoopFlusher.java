package dev.herald.gateway;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.ArrayList;
import java.util.List;

/**
 * Flushes the sessions of one event loop once per burst of deliveries. Fan-out writes each event to
 * its members without flushing and then queues one flush task behind whatever the loop already has
 * queued: when events come faster than the loop drains them, every connection gets one write system
 * call for all of the events that reached it meanwhile; when they come one at a time, the flush
 * follows each at once.
 *
 * <p>Threads: created under the gateway's dispatch lock, used only on its loop.
 */
final class LoopFlusher implements Handler<Void> {
  private final Context context;
  private List<Session> pending = new ArrayList<>();
  private boolean scheduled;

  LoopFlusher(Context context) {
    this.context = context;
  }

  /** Writes {@code event} to every session of {@code batch}; the flush follows. On the loop. */
  void deliver(RoomEvent event, List<Session> batch) {
    for (Session s : batch) {
      s.deliver(event);
    }
    if (pending.isEmpty()) {
      pending = batch;
    } else {
      pending.addAll(batch);
    }
    if (!scheduled) {
      scheduled = true;
      context.runOnContext(this);
    }
  }

  @Override
  public void handle(Void v) {
    scheduled = false;
    List<Session> due = pending;
    pending = new ArrayList<>();
    for (Session s : due) {
      s.flush();
    }
  }
}
