package dev.herald.bus;

import java.util.function.Consumer;

/** The single-node bus: a publication goes straight to this node's subscriber, on the caller's thread. */
public final class LocalBus implements Bus {
  private volatile Consumer<Publication> subscriber = p -> { };

  @Override
  public void publish(Publication publication) {
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
