package dev.herald.testing;

import dev.herald.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} that runs nothing until the test moves time: {@link #advance} moves the
 * {@link MovableClock} it shares with the node and runs, on the test's thread and in due order,
 * every task that fell due. A test of five-second re-sends takes no five seconds.
 *
 * <p>Threads: thread-safe; tasks run on the thread that calls {@link #advance} or {@link #runDue},
 * outside the scheduler's lock (they may schedule more).
 */
public final class ManualScheduler implements Scheduler {
  private final MovableClock clock;
  private final PriorityQueue<Entry> queue = new PriorityQueue<>();
  private long sequence;

  private final class Entry implements Comparable<Entry>, Timer {
    /** Changed only while the entry is out of the queue (a periodic one between runs). */
    Instant due;
    long order;
    final Runnable task;
    final Duration period;
    volatile boolean cancelled;

    Entry(Instant due, Runnable task, Duration period) {
      this.due = due;
      this.order = sequence++;
      this.task = task;
      this.period = period;
    }

    @Override
    public int compareTo(Entry o) {
      int c = due.compareTo(o.due);
      return c != 0 ? c : Long.compare(order, o.order);
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  public ManualScheduler(MovableClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized Timer schedule(Duration delay, Runnable task) {
    Entry e = new Entry(clock.instant().plus(delay), task, null);
    queue.add(e);
    return e;
  }

  @Override
  public synchronized Timer every(Duration period, Runnable task) {
    Entry e = new Entry(clock.instant(), task, period);
    queue.add(e);
    return e;
  }

  /** Runs what is due now (a periodic task's first run, say). */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** Moves time forward by {@code by}, running each task as its due time is reached. */
  public void advance(Duration by) {
    Instant target = clock.instant().plus(by);
    while (true) {
      Entry next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.due.isAfter(target)) {
          break;
        }
        queue.poll();
      }
      if (next.cancelled) {
        continue;
      }
      if (next.due.isAfter(clock.instant())) {
        clock.set(next.due);
      }
      if (next.period != null) {
        synchronized (this) {
          next.due = next.due.plus(next.period);
          next.order = sequence++;
          queue.add(next);
        }
      }
      next.task.run();
    }
    if (target.isAfter(clock.instant())) {
      clock.set(target);
    }
  }

  /** The tasks waiting, for a test that checks nothing is left behind. */
  public synchronized List<Instant> pending() {
    List<Instant> out = new ArrayList<>();
    for (Entry e : queue) {
      if (!e.cancelled) {
        out.add(e.due);
      }
    }
    return out;
  }
}
