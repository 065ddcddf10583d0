package dev.herald.bus;

import io.vertx.core.Future;
import java.time.Instant;

/**
 * When each user was last seen (seed 000's {@code UserPresence.lastSeenAt}): the gateway records
 * the moment a user's last session ended, the domain keeps it durably, and the API reads it.
 *
 * <p>Implementations are thread-safe; {@link #record} never blocks.
 */
public interface LastSeen {
  /** Does nothing and knows nothing: a gateway without storage (benchmarks, unit tests). */
  LastSeen NONE = new LastSeen() {
    @Override
    public void record(String tenant, String user, Instant at) {
    }

    @Override
    public Future<Instant> lastSeen(String tenant, String user) {
      return Future.succeededFuture(null);
    }
  };

  /** {@code user} of {@code tenant} was last seen {@code at}; kept soon, not necessarily at once. */
  void record(String tenant, String user, Instant at);

  /** When {@code user} was last seen; null when never. */
  Future<Instant> lastSeen(String tenant, String user);
}
