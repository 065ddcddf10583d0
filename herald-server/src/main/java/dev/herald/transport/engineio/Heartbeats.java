package dev.herald.transport.engineio;

import io.vertx.core.Context;
import dev.herald.vertx.VertxInternals;

/**
 * The Engine.IO heartbeat of every session of one event loop: who is due a ping, and who owes a
 * pong. Intervals are the same for every session of an endpoint, so each queue is in due order by
 * construction: a session goes to the tail when it is scheduled, one periodic tick takes the due
 * ones off the head. No timer object per session, and O(1) to schedule or drop one.
 *
 * <p>EIO v4: "At a given interval (the pingInterval value sent in the handshake) the server sends a
 * ping packet and the client has a few seconds (the pingTimeout value) to send a pong packet back."
 * Deadlines follow that schedule, not the tick: a ping due at {@code t} must be answered by
 * {@code t + pingTimeout} even when the tick sent it a little late, so a silent session is gone
 * exactly pingInterval + pingTimeout after its last pong (or its handshake).
 *
 * <p>Threads: owned by its loop; sessions call it from their context, which is that loop's.
 */
final class Heartbeats {
  private final long intervalNanos;
  private final long timeoutNanos;
  private final Queue toPing = new Queue();
  private final Queue awaitingPong = new Queue();

  /** Starts the tick on {@code context}; call on it. */
  Heartbeats(Context context, long intervalMillis, long timeoutMillis) {
    this.intervalNanos = intervalMillis * 1_000_000;
    this.timeoutNanos = timeoutMillis * 1_000_000;
    // pings go out at most one tick late: a fortieth of the shorter period, between 5 ms and 250 ms
    long tick = Math.max(5, Math.min(250, Math.min(intervalMillis, timeoutMillis) / 40));
    // a periodic timer fires on a duplicate of the context: dispatch on the context itself
    VertxInternals.setPeriodicOnContext(context, tick, () -> tick(System.nanoTime()));
  }

  /**
   * The next ping of {@code s} is due one interval from now. Returns the deadline of its pong: one
   * interval and one timeout from now.
   */
  long schedulePing(EngineSocket s) {
    drop(s);
    s.heartbeatDue = System.nanoTime() + intervalNanos;
    toPing.append(s, Queue.TO_PING);
    return s.heartbeatDue + timeoutNanos;
  }

  /**
   * {@code s} just sent the ping that was due; its pong is due one timeout after that ping's due
   * time, however late the tick was.
   */
  void awaitPong(EngineSocket s) {
    long pingDue = s.heartbeatDue;
    drop(s);
    s.heartbeatDue = pingDue + timeoutNanos;
    awaitingPong.append(s, Queue.AWAITING_PONG);
  }

  /** True while {@code s} owes a pong for a ping it was sent. */
  static boolean awaitsPong(EngineSocket s) {
    return s.heartbeatQueue == Queue.AWAITING_PONG;
  }

  /** Takes {@code s} off whichever queue it is on. */
  void drop(EngineSocket s) {
    if (s.heartbeatQueue == Queue.TO_PING) {
      toPing.unlink(s);
    } else if (s.heartbeatQueue == Queue.AWAITING_PONG) {
      awaitingPong.unlink(s);
    }
  }

  private void tick(long now) {
    for (EngineSocket s; (s = awaitingPong.head) != null && s.heartbeatDue - now <= 0; ) {
      awaitingPong.unlink(s);
      s.onPongMissed();
    }
    for (EngineSocket s; (s = toPing.head) != null && s.heartbeatDue - now <= 0; ) {
      toPing.unlink(s);
      s.onPingDue();
    }
  }

  /** An intrusive doubly linked list through the sessions' heartbeat fields. */
  private static final class Queue {
    static final byte NONE = 0;
    static final byte TO_PING = 1;
    static final byte AWAITING_PONG = 2;

    EngineSocket head;
    EngineSocket tail;

    void append(EngineSocket s, byte which) {
      s.heartbeatQueue = which;
      s.heartbeatPrev = tail;
      s.heartbeatNext = null;
      if (tail == null) {
        head = s;
      } else {
        tail.heartbeatNext = s;
      }
      tail = s;
    }

    void unlink(EngineSocket s) {
      if (s.heartbeatPrev == null) {
        head = s.heartbeatNext;
      } else {
        s.heartbeatPrev.heartbeatNext = s.heartbeatNext;
      }
      if (s.heartbeatNext == null) {
        tail = s.heartbeatPrev;
      } else {
        s.heartbeatNext.heartbeatPrev = s.heartbeatPrev;
      }
      s.heartbeatPrev = null;
      s.heartbeatNext = null;
      s.heartbeatQueue = NONE;
    }
  }
}
