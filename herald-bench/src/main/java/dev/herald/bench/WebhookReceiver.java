package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webhook endpoint that answers every {@code POST} with 204 as soon as its body is in, and records
 * when it arrived and the notification id in the body's {@code data.id} (Standard Webhooks'
 * envelope {@code {type, timestamp, data}}) in {@link Receipts}; a {@code webhook-id} seen twice (a
 * redelivery of one message) is counted apart. Signatures are not checked: the cost measured is
 * Herald's.
 *
 * <p>Threads: requests are handled on the event loop of the given {@link Vertx}; the fields are
 * thread-safe.
 */
final class WebhookReceiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final Receipts receipts = new Receipts();
  private final Set<String> webhookIds = ConcurrentHashMap.newKeySet();
  private final AtomicLong repeatedWebhookIds = new AtomicLong();

  private WebhookReceiver(HttpServer server) {
    this.server = server;
  }

  /** Listens on 127.0.0.1, on a free port. */
  static WebhookReceiver start(Vertx vertx) throws Exception {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true));
    WebhookReceiver receiver = new WebhookReceiver(server);
    server.requestHandler(receiver::handle);
    server.listen().toCompletionStage().toCompletableFuture().get();
    return receiver;
  }

  private void handle(HttpServerRequest req) {
    req.body().onComplete(ar -> {
      if (ar.failed()) {
        req.response().setStatusCode(400).end();
        return;
      }
      long now = System.nanoTime();
      String id = null;
      try {
        JsonNode data = JSON.readTree(ar.result().getBytes()).path("data");
        id = data.path("id").isTextual() ? data.get("id").asText() : null;
      } catch (IOException e) {
        // counted as a message without an id
      }
      String webhookId = req.getHeader("webhook-id");
      if (webhookId != null && !webhookIds.add(webhookId)) {
        repeatedWebhookIds.incrementAndGet();
      }
      receipts.record(id, now);
      req.response().setStatusCode(204).end();
    });
  }

  /** The URL to register with {@code POST /api/webhooks}. */
  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hook";
  }

  Receipts receipts() {
    return receipts;
  }

  /** Messages whose {@code webhook-id} had been received before (Standard Webhooks: stable across retries). */
  long repeatedWebhookIds() {
    return repeatedWebhookIds.get();
  }

  @Override
  public void close() {
    server.close();
  }
}
