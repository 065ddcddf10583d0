package dev.herald.bench;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one sink received, by Herald's notification id: the time ({@code System.nanoTime()}) each
 * id was first accepted, how many messages arrived in all, how many repeated an id already seen
 * (duplicates) and how many carried no id the sink could read.
 *
 * <p>Threads: written by the sink's event loop, read by the orchestrator at any time; every field
 * is thread-safe.
 */
final class Receipts {
  private final Map<UUID, Long> firstSeen = new ConcurrentHashMap<>();
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong withoutId = new AtomicLong();

  /** One message accepted at {@code nanoTime}, for notification {@code id} (null or unreadable: none). */
  void record(String id, long nanoTime) {
    UUID uuid;
    try {
      uuid = id == null ? null : UUID.fromString(id.trim());
    } catch (IllegalArgumentException e) {
      uuid = null;
    }
    record(uuid, nanoTime);
  }

  /** One message accepted at {@code nanoTime}, for notification {@code uuid} (null: none). */
  void record(UUID uuid, long nanoTime) {
    messages.incrementAndGet();
    if (uuid == null) {
      withoutId.incrementAndGet();
    } else if (firstSeen.putIfAbsent(uuid, nanoTime) != null) {
      duplicates.incrementAndGet();
    }
  }

  /** When notification {@code id} was first received, or -1. */
  long receivedAt(UUID id) {
    Long t = firstSeen.get(id);
    return t == null ? -1 : t;
  }

  /** Distinct notification ids received so far. */
  long distinct() {
    return firstSeen.size();
  }

  long messages() {
    return messages.get();
  }

  long duplicates() {
    return duplicates.get();
  }

  long withoutId() {
    return withoutId.get();
  }
}
