package dev.herald.delivery.webhook;

import io.vertx.core.Future;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Endpoints in memory, by tenant and id, as {@link WebhookEndpoints} keeps them in PostgreSQL. */
final class FakeEndpointStore implements EndpointStore {
  private final Map<UUID, WebhookEndpoint> endpoints = new ConcurrentHashMap<>();

  WebhookEndpoint put(WebhookEndpoint e) {
    endpoints.put(e.id(), e);
    return e;
  }

  WebhookEndpoint stored(UUID id) {
    return endpoints.get(id);
  }

  @Override
  public Future<WebhookEndpoint> get(String tenant, UUID id) {
    WebhookEndpoint e = endpoints.get(id);
    return Future.succeededFuture(e != null && e.tenant().equals(tenant) ? e : null);
  }

  @Override
  public Future<Boolean> disable(String tenant, UUID id, String reason) {
    WebhookEndpoint e = endpoints.get(id);
    if (e == null || !e.tenant().equals(tenant)) {
      return Future.succeededFuture(false);
    }
    endpoints.put(id, new WebhookEndpoint(e.id(), e.tenant(), e.url(), e.events(), e.description(), e.secret(),
        e.previousSecret(), e.previousSecretUntil(), false, reason, e.createdAt(), e.updatedAt()));
    return Future.succeededFuture(true);
  }
}
