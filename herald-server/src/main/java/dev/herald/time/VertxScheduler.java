package dev.herald.time;

import io.vertx.core.Vertx;
import java.time.Duration;

/** {@link Scheduler} on Vert.x timers: tasks run on an event loop of {@code vertx}. */
public final class VertxScheduler implements Scheduler {
  private final Vertx vertx;

  public VertxScheduler(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Timer schedule(Duration delay, Runnable task) {
    long id = vertx.setTimer(Math.max(1, delay.toMillis()), t -> task.run());
    return () -> vertx.cancelTimer(id);
  }

  @Override
  public Timer every(Duration period, Runnable task) {
    long id = vertx.setPeriodic(0, Math.max(1, period.toMillis()), t -> task.run());
    return () -> vertx.cancelTimer(id);
  }
}
