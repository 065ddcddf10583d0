package dev.herald.bus;

import java.util.List;

/**
 * One event published to one or more rooms of one tenant.
 *
 * @param tenant the tenant whose rooms receive it; rooms of other tenants never do
 * @param rooms room names inside that tenant
 * @param event the event name clients see ({@code analysis:progress}, {@code task.created}, …)
 * @param dataJson the event data as serialized JSON, encoded once and shared by every receiver
 * @param publishedAtNanos {@link System#nanoTime()} at publish, for the delivery latency metric
 * @param notificationSequence for a durable notification, its recipient's sequence; -1 for events
 */
public record Publication(
    String tenant, List<String> rooms, String event, String dataJson, long publishedAtNanos,
    long notificationSequence) {
  public Publication {
    rooms = List.copyOf(rooms);
  }

  /** A transient event. */
  public Publication(String tenant, List<String> rooms, String event, String dataJson, long publishedAtNanos) {
    this(tenant, rooms, event, dataJson, publishedAtNanos, -1);
  }
}
