package dev.herald.time;

import java.time.Duration;

/**
 * Timers, behind an interface so that tests move time instead of waiting for it: a test of
 * five-second re-sends advances a manual scheduler by five seconds and sees the re-send at once.
 * Production uses {@link VertxScheduler}. Tasks must not block; they may run on any thread.
 */
public interface Scheduler {
  /** A scheduled task; {@link #cancel} is idempotent and safe from any thread. */
  interface Timer {
    void cancel();
  }

  /** Runs {@code task} once, {@code delay} from now. */
  Timer schedule(Duration delay, Runnable task);

  /** Runs {@code task} now and then every {@code period}. */
  Timer every(Duration period, Runnable task);
}
