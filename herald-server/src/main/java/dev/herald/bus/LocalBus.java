package dev.herald.bus;

import dev.herald.ops.HeraldMetrics;
import java.util.function.Consumer;

/**
 * The single-node bus: a publication goes straight to this node's subscriber (the gateway's
 * fan-out), on the caller's thread.
 */
public final class LocalBus implements Bus {
  private final HeraldMetrics metrics;
  private volatile Consumer<Publication> subscriber = p -> { };

  public LocalBus(HeraldMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void publish(Publication publication) {
    metrics.published();
    subscriber.accept(publication);
  }

  @Override
  public void subscribe(Consumer<Publication> subscriber) {
    this.subscriber = subscriber;
  }

  @Override
  public void close() {
    subscriber = p -> { };
  }
}
