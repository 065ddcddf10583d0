package dev.herald.delivery.webhook;

import io.vertx.core.Future;
import java.util.UUID;

/**
 * What {@link WebhookChannel} needs of the stored endpoints ({@link WebhookEndpoints} in PostgreSQL;
 * tests fake it). Every lookup is by tenant: another tenant's id is simply not found.
 */
public interface EndpointStore {
  /** The endpoint, or null when {@code tenant} has none of that id. */
  Future<WebhookEndpoint> get(String tenant, UUID id);

  /** Disables the endpoint with {@code reason}; false when there is none. */
  Future<Boolean> disable(String tenant, UUID id, String reason);
}
