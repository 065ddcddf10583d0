package dev.herald.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The node's recent room events, bounded by count and age, so that a client that lost its
 * connection can resume from the last offset it saw (Socket.IO connection state recovery, SSE
 * {@code Last-Event-ID}). Ids grow by one per event; the epoch changes at every start, so offsets
 * of an earlier run are recognised as lost rather than misread.
 *
 * <p>Not thread-safe: the {@link Gateway} guards it with its dispatch lock.
 */
final class EventLog {
  private final String epoch;
  private final int maxEvents;
  private final long maxAgeMillis;
  private final ArrayDeque<RoomEvent> events = new ArrayDeque<>();
  private long lastId;

  EventLog(String epoch, int maxEvents, long maxAgeMillis) {
    this.epoch = epoch;
    this.maxEvents = maxEvents;
    this.maxAgeMillis = maxAgeMillis;
  }

  String epoch() {
    return epoch;
  }

  long lastId() {
    return lastId;
  }

  RoomEvent append(dev.herald.bus.Publication publication, long nowMillis) {
    RoomEvent e = new RoomEvent(++lastId, epoch, publication, nowMillis);
    events.addLast(e);
    trim(nowMillis);
    return e;
  }

  /** Parses an offset of this epoch into an id; empty for offsets of another epoch or malformed. */
  Optional<Long> idOf(String offset) {
    if (offset == null || !offset.startsWith(epoch + "-")) {
      return Optional.empty();
    }
    try {
      long id = Long.parseLong(offset.substring(epoch.length() + 1));
      return id >= 0 && id <= lastId ? Optional.of(id) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Every retained event after {@code afterId}, oldest first; empty when some event after
   * {@code afterId} has already been dropped (the position is lost).
   */
  Optional<List<RoomEvent>> after(long afterId, long nowMillis) {
    trim(nowMillis);
    long firstRetained = events.isEmpty() ? lastId + 1 : events.peekFirst().id();
    if (afterId + 1 < firstRetained) {
      return Optional.empty();
    }
    List<RoomEvent> out = new ArrayList<>();
    Iterator<RoomEvent> it = events.descendingIterator();
    while (it.hasNext()) {
      RoomEvent e = it.next();
      if (e.id() <= afterId) {
        break;
      }
      out.add(e);
    }
    java.util.Collections.reverse(out);
    return Optional.of(out);
  }

  private void trim(long nowMillis) {
    while (!events.isEmpty()
        && (events.size() > maxEvents || nowMillis - events.peekFirst().timestampMillis() > maxAgeMillis)) {
      events.removeFirst();
    }
  }
}
