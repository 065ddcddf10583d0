package dev.herald.delivery;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

/**
 * Isolation per receiver (an SMTP server, a webhook endpoint, a push service): at most
 * {@code perTarget} attempts at once, and a circuit breaker that stops attempts to a receiver after
 * {@value #FAILURES_TO_OPEN} failures in a row, for a cool-down that doubles from 5 s up to 5 min
 * while trial attempts keep failing. A hanging or failing receiver therefore holds at most its own
 * slots, and its jobs wait in PostgreSQL instead of in attempts.
 *
 * <p>Threads: any; each gate is guarded by its own monitor, slots by a semaphore.
 */
final class TargetGates {
  static final int FAILURES_TO_OPEN = 5;
  static final Duration FIRST_COOL_DOWN = Duration.ofSeconds(5);
  static final Duration MAX_COOL_DOWN = Duration.ofMinutes(5);
  private static final int MAX_GATES = 100_000;

  private final int perTarget;
  private final LongSupplier nanos;
  private final ConcurrentHashMap<String, Gate> gates = new ConcurrentHashMap<>();

  TargetGates(int perTarget, LongSupplier nanos) {
    this.perTarget = perTarget;
    this.nanos = nanos;
  }

  Gate of(String key) {
    return of(key, perTarget);
  }

  /** The gate of {@code key}, made with {@code slots} attempts at once when it is new. */
  Gate of(String key, int slots) {
    if (gates.size() > MAX_GATES) {
      // keys of endpoints long gone; a closed breaker loses nothing by being forgotten
      gates.values().removeIf(g -> g.idle());
    }
    return gates.computeIfAbsent(key, k -> new Gate(slots));
  }

  /** One receiver's slots and breaker. */
  final class Gate {
    final Semaphore slots;
    /** Guarded by this. */
    private int failuresInARow;
    /** Guarded by this; 0 when closed. */
    private long openUntilNanos;
    /** Guarded by this; the cool-down of the next opening. */
    private Duration coolDown = FIRST_COOL_DOWN;
    /** Guarded by this: a trial attempt is out while the breaker is half-open. */
    private boolean trialOut;

    Gate(int slots) {
      this.slots = new Semaphore(slots);
    }

    /**
     * How long attempts must wait before this receiver is tried again, or {@link Duration#ZERO}
     * when one may go now (the breaker closed, or a single trial when its cool-down passed).
     */
    synchronized Duration waitAt(long now) {
      if (openUntilNanos == 0) {
        return Duration.ZERO;
      }
      if (now - openUntilNanos < 0) {
        return Duration.ofNanos(openUntilNanos - now);
      }
      if (trialOut) {
        return FIRST_COOL_DOWN.dividedBy(5);
      }
      trialOut = true;
      return Duration.ZERO;
    }

    Duration waitNow() {
      return waitAt(nanos.getAsLong());
    }

    synchronized void succeeded() {
      failuresInARow = 0;
      openUntilNanos = 0;
      trialOut = false;
      coolDown = FIRST_COOL_DOWN;
    }

    synchronized void failed() {
      failuresInARow++;
      boolean trial = trialOut;
      trialOut = false;
      if (trial || failuresInARow >= FAILURES_TO_OPEN && openUntilNanos == 0) {
        openUntilNanos = nanos.getAsLong() + coolDown.toNanos();
        if (openUntilNanos == 0) {
          openUntilNanos = 1;
        }
        Duration doubled = coolDown.multipliedBy(2);
        coolDown = doubled.compareTo(MAX_COOL_DOWN) > 0 ? MAX_COOL_DOWN : doubled;
      }
    }

    synchronized boolean open() {
      return openUntilNanos != 0;
    }

    private synchronized boolean idle() {
      return openUntilNanos == 0 && failuresInARow == 0 && slots.availablePermits() == perTarget;
    }
  }
}
