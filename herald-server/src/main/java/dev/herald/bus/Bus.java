package dev.herald.bus;

/**
 * Carries room publications between the nodes of a cluster. A single node uses {@link LocalBus};
 * a cluster replaces it with Redis pub/sub without changing callers.
 *
 * <p>Implementations are thread-safe. {@link #publish} never blocks; delivery to subscribers is in
 * publish order per publisher.
 */
public interface Bus extends AutoCloseable {
  /** Hands {@code publication} to every node's subscriber, this node's included. */
  void publish(Publication publication);

  /** Sets the one subscriber that receives every publication reaching this node. */
  void subscribe(java.util.function.Consumer<Publication> subscriber);

  @Override
  void close();
}
