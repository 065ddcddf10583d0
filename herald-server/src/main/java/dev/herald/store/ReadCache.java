package dev.herald.store;

import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A node's cache of rows read from PostgreSQL and changed only through this node's writes (templates,
 * notification types): a read that misses loads once and keeps what it loaded, unless a write on
 * this node came in between (the load may have read the old row); a write forgets what it changed.
 * Bounded: past {@code max} entries it starts over. The one place where cross-node invalidation
 * will plug in (a cluster's writes on other nodes).
 *
 * <p>Threads: any; loads complete on whatever thread their futures do.
 */
public final class ReadCache<V> {
  private final int max;
  private final Map<String, V> entries = new ConcurrentHashMap<>();
  /** Moves on every write on this node: a load that began before a write does not keep what it read. */
  private final AtomicLong generation = new AtomicLong();

  public ReadCache(int max) {
    this.max = max;
  }

  /** The cached value of {@code key}, or {@code load}'s, kept when no write happened meanwhile. */
  public Future<V> get(String key, Supplier<Future<V>> load) {
    V cached = entries.get(key);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    long loadedAt = generation.get();
    return load.get().map(value -> {
      if (entries.size() >= max) {
        entries.clear();
      }
      // checked under the entry's lock: a write since the load began keeps it out
      entries.compute(key, (k, existing) -> generation.get() == loadedAt ? value : existing);
      return value;
    });
  }

  /** A write changed what the keys {@code changed} accepts hold. */
  public void forget(Predicate<String> changed) {
    generation.incrementAndGet();
    entries.keySet().removeIf(changed);
  }

  /** A write may have changed anything. */
  public void forgetAll() {
    generation.incrementAndGet();
    entries.clear();
  }
}
